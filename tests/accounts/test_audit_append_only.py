"""The audit log is append-only in the database (triggers of migration accounts 0003), on SQLite and
PostgreSQL alike; only `archive_audit` removes rows, older than the retention period, after writing them to a
checksummed file, and it is audited itself.

The triggers' 180-day floor is measured by the database's clock, which time-machine cannot move: the tests
of that floor read the database's clock to place their rows; the others date their rows ≥ 800 days back."""

import gzip
import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from xinfang.accounts.audit import log_audit
from xinfang.accounts.checks import check_audit_retention
from xinfang.accounts.models import AuditArchivePermit, AuditEntry

TABLE = AuditEntry._meta.db_table
REFUSED = "审计日志只能追加"


def snapshot():
    return list(AuditEntry.objects.order_by("id").values())


def refused(attempt):
    """Run `attempt` in its own savepoint (a failed statement aborts a PostgreSQL transaction) and return
    the database's refusal."""
    with pytest.raises(IntegrityError) as info, transaction.atomic():
        attempt()
    assert REFUSED in str(info.value)
    return info.value


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def db_now() -> datetime:
    """The database's own clock (what the triggers' floor is measured by)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT now()")
            return cursor.fetchone()[0]
        cursor.execute("SELECT datetime('now')")
        return datetime.fromisoformat(cursor.fetchone()[0]).replace(tzinfo=UTC)


def audit_at(time_machine, moment, **kwargs):
    time_machine.move_to(moment, tick=False)
    return log_audit(**{"action": "matter:view", "username": "clerk1", **kwargs})


@pytest.fixture
def entry(clerk):
    log_audit(action="login", user=clerk, result="failure")
    return log_audit(action="matter:view", user=clerk, obj=clerk, note="原始记录")


def _bulk_update(entry):
    entry.result = "denied"
    AuditEntry.objects.bulk_update([entry], ["result"])


def _upsert(entry):
    AuditEntry.objects.bulk_create(
        [AuditEntry(id=entry.pk, action="forged", result="success")],
        update_conflicts=True,
        unique_fields=["id"],
        update_fields=["action"],
    )


ATTEMPTS = {
    "orm update": lambda e: AuditEntry.objects.filter(pk=e.pk).update(result="denied"),
    "orm update of every row": lambda e: AuditEntry.objects.update(detail={}),
    "orm delete": lambda e: AuditEntry.objects.filter(pk=e.pk).delete(),
    "orm delete of every row": lambda e: AuditEntry.objects.all().delete(),
    "orm bulk_update": _bulk_update,
    "orm bulk_create with update_conflicts": _upsert,
    "raw UPDATE": lambda e: raw(f"UPDATE {TABLE} SET result = %s WHERE id = %s", ["denied", e.pk]),
    "raw UPDATE of every row": lambda e: raw(f"UPDATE {TABLE} SET username = 'x'"),
    "raw DELETE": lambda e: raw(f"DELETE FROM {TABLE} WHERE id = %s", [e.pk]),
    "raw DELETE of every row": lambda e: raw(f"DELETE FROM {TABLE}"),
}


@pytest.mark.parametrize("attempt", ATTEMPTS.values(), ids=ATTEMPTS.keys())
def test_the_database_refuses_to_change_or_remove_audit_rows(entry, attempt):
    before = snapshot()
    refused(lambda: attempt(entry))
    assert snapshot() == before


def test_postgresql_refuses_truncate_and_sqlite_insert_or_replace(entry):
    before = snapshot()
    if connection.vendor == "postgresql":
        raw("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses to run while FK checks are pending
        refused(lambda: raw(f"TRUNCATE {TABLE}"))
        raw("SET CONSTRAINTS ALL DEFERRED")
    else:  # REPLACE deletes the old row without firing delete triggers
        refused(lambda: raw(f"INSERT OR REPLACE INTO {TABLE} (id, at, username, roles, action, object_type, "
                            f"object_id, result, detail) VALUES (%s, %s, '', '', 'forged', '', '', 'success', '{{}}')",
                            [entry.pk, "2020-01-01 00:00:00"]))  # fmt: skip
    assert snapshot() == before


def test_the_model_refuses_too_and_appending_still_works(entry):
    with pytest.raises(PermissionError):
        entry.delete()
    log_audit(action="login", username="someone", result="denied")
    assert AuditEntry.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_refused_in_autocommit_too(clerk):
    """Outside a test transaction (autocommit, as the web application runs). Also proves the suite's flush
    after a transactional test gets past the triggers (tests/conftest.py)."""
    entry = log_audit(action="login", user=clerk)
    refused(lambda: raw(f"DELETE FROM {TABLE}"))
    refused(lambda: raw(f"UPDATE {TABLE} SET result = 'denied'"))
    assert AuditEntry.objects.get().result == entry.result == "success"


def test_old_rows_cannot_be_deleted_without_the_archive_permit(db, time_machine):
    old = audit_at(time_machine, timezone.now() - timedelta(days=1000))
    refused(lambda: AuditEntry.objects.filter(pk=old.pk).delete())
    refused(lambda: raw(f"DELETE FROM {TABLE} WHERE id = %s", [old.pk]))
    assert AuditEntry.objects.filter(pk=old.pk).exists()


def test_with_a_permit_the_database_still_keeps_180_days_and_never_allows_an_update(db, time_machine):
    now = db_now()
    young = audit_at(time_machine, now - timedelta(days=179))
    old = audit_at(time_machine, now - timedelta(days=181))
    AuditArchivePermit.objects.create(id=1, before=now + timedelta(days=1))
    refused(lambda: AuditEntry.objects.filter(pk=old.pk).update(result="denied"))
    refused(lambda: AuditEntry.objects.filter(pk=young.pk).delete())
    assert AuditEntry.objects.filter(pk=old.pk).delete()[0] == 1  # what archive_audit does
    assert list(AuditEntry.objects.values_list("pk", flat=True)) == [young.pk]


def test_a_permit_covers_only_rows_before_its_date(db, time_machine):
    now = db_now()
    older = audit_at(time_machine, now - timedelta(days=400))
    newer = audit_at(time_machine, now - timedelta(days=300))
    AuditArchivePermit.objects.create(id=1, before=now - timedelta(days=365))
    refused(lambda: AuditEntry.objects.filter(pk=newer.pk).delete())
    assert AuditEntry.objects.filter(pk=older.pk).delete()[0] == 1


# --- retention setting ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("days", "errors"), [(179, ["accounts.E001"]), (180, []), (365, [])])
def test_a_retention_below_180_days_is_a_system_check_error(settings, days, errors):
    settings.XINFANG_AUDIT_RETENTION_DAYS = days
    assert [e.id for e in check_audit_retention(None)] == errors


# --- archive_audit ---------------------------------------------------------------------------------------


@pytest.fixture
def history(clerk, time_machine):
    """Three rows 1000 days old, one 800 days old, one from today."""
    now = timezone.now()
    old = [
        audit_at(time_machine, now - timedelta(days=1000, hours=h), user=clerk, obj=clerk, 说明=f"第{h}条")
        for h in (3, 2, 1)
    ]
    middle = audit_at(time_machine, now - timedelta(days=800), result="denied")
    time_machine.move_to(now, tick=False)
    recent = log_audit(action="login", user=clerk)
    return old, [middle, recent]


def archive(before, out):
    call_command("archive_audit", "--before", before.isoformat(), "--out", str(out))


@pytest.mark.parametrize(
    ("retention", "days_back", "allowed"),
    [(365, 100, False), (365, 364, False), (365, 365, True), (200, 199, False), (200, 200, True)],
)
def test_archive_refuses_a_date_within_the_retention_period(
    settings, history, tmp_path, retention, days_back, allowed
):
    settings.XINFANG_AUDIT_RETENTION_DAYS = retention
    before = snapshot()
    day = timezone.localdate() - timedelta(days=days_back)
    if allowed:
        archive(day, tmp_path)
        assert AuditEntry.objects.filter(action="audit:archive", result="success").exists()
        return
    with pytest.raises(CommandError, match="保存期内"):
        archive(day, tmp_path)
    assert snapshot()[: len(before)] == before  # nothing removed or changed
    denied = AuditEntry.objects.get(action="audit:archive")
    assert denied.result == "denied" and denied.detail["before"] == day.isoformat()
    assert list(tmp_path.iterdir()) == []


def test_archive_writes_a_checksummed_file_then_removes_exactly_those_rows(history, tmp_path, capsys):
    old, kept = history
    expected = [row for row in snapshot() if row["id"] in {e.pk for e in old}]
    cutoff = timezone.localdate() - timedelta(days=900)

    archive(cutoff, tmp_path / "archive")

    [manifest] = (tmp_path / "archive").glob("*.sha256")
    digest, name = manifest.read_text().split()
    path = manifest.with_name(name)
    assert name == f"audit-{cutoff:%Y%m%d}-{old[0].pk}-{old[-1].pk}.jsonl.gz"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    with gzip.open(path, "rt", encoding="utf-8") as f:
        archived = [json.loads(line) for line in f]
    for row in expected:
        row["at"] = row["at"].isoformat()
    assert archived == expected
    assert archived[0]["detail"] == {"说明": "第3条"}

    remaining = AuditEntry.objects.exclude(action="audit:archive")
    assert sorted(remaining.values_list("pk", flat=True)) == [e.pk for e in kept]
    record = AuditEntry.objects.get(action="audit:archive")
    assert record.result == "success"
    assert record.detail == {
        "before": cutoff.isoformat(),
        "count": 3,
        "first_id": old[0].pk,
        "last_id": old[-1].pk,
        "file": name,
        "sha256": digest,
    }
    assert not AuditArchivePermit.objects.exists()
    assert "已归档并删除 3 条" in capsys.readouterr().out


def test_archive_deletes_nothing_and_leaves_no_file_when_verification_fails(history, tmp_path, monkeypatch):
    from xinfang.accounts import archive as archiving

    def corrupt(path, manifest, *, ids):
        path.write_bytes(b"damaged")
        raise archiving.ArchiveFailed("归档文件校验不符")

    monkeypatch.setattr(archiving, "verify_archive", corrupt)
    before = snapshot()
    with pytest.raises(CommandError, match="校验不符"):
        archive(timezone.localdate() - timedelta(days=900), tmp_path)
    assert snapshot()[: len(before)] == before
    assert list(tmp_path.iterdir()) == []
    assert AuditEntry.objects.get(action="audit:archive").result == "failure"
    assert not AuditArchivePermit.objects.exists()


def test_archive_with_nothing_to_archive_writes_nothing(history, tmp_path, capsys):
    archive(timezone.localdate() - timedelta(days=2000), tmp_path)
    assert list(tmp_path.iterdir()) == []
    assert AuditEntry.objects.count() == 5
    assert "无需归档" in capsys.readouterr().out
