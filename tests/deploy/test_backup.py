"""xinfang backup / xinfang restore (issue 13): the whole demo (`xinfang load_demo`: 2018–2019 history, the
matters since 2020, this year's programme work, the final accounts) and some stored files are backed up once
for the module, restored into a fresh database (PostgreSQL: a second database on the same server; SQLite: a
temporary file) and a fresh storage, and compared table by table and file by file; a tampered backup, a
target that is not empty and a difference after the restore each make the restore fail in Chinese.

pg_dump and the SQLite backup API read committed data only, so the module fixture commits the demo to the
test database and empties it again afterwards (as a transactional test does, keeping the rows the
migrations seeded)."""

import hashlib
import json
import shutil
from dataclasses import dataclass
from datetime import datetime
from io import StringIO
from pathlib import Path

import django
import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.core.management.color import no_style
from django.db import DatabaseError, connection, connections, transaction
from django.test import override_settings
from django.utils import timezone

from tests.databases import fresh_database, table_names
from xinfang.accounts.audit import log_audit
from xinfang.accounts.models import User
from xinfang.core import backup
from xinfang.petitions.models import Matter

TARGET = "restore_target"
pytestmark = pytest.mark.django_db
FILES = {
    "attachments/2026/11/3f9a.jpg": bytes(range(256)) * 64,
    "attachments/2026/12/信访人补充材料.pdf": b"%PDF-1.4\n" + "处理意见书".encode() * 100,
    "finance/builds/2019/report.docx": b"PK\x03\x04" + b"\x00" * 5000,
}


@dataclass
class Backup:
    path: Path
    tables: dict[str, int]  # counted by this test before the backup


@pytest.fixture(scope="module")
def backed_up(django_db_setup, django_db_blocker, tmp_path_factory):
    root = tmp_path_factory.mktemp("backup")
    fast = override_settings(
        MEDIA_ROOT=root / "media", PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    )
    with django_db_blocker.unblock(), fast:
        seeded = connection.creation.serialize_db_to_string()
        try:
            call_command("load_demo", "--i-know-this-is-a-demo", verbosity=0)  # as `make run` loads it
            for username in ("jiedai", "banan", "shenji"):  # the demo signs nobody in: a few audit rows
                log_audit(action="login", username=username, user=User.objects.get(username=username))
            for name, content in FILES.items():
                assert default_storage.save(name, ContentFile(content)) == name
            tables = _counts(connection, table_names(connection))
            out = StringIO()
            call_command("backup", out=root / "backup", stdout=out)
            assert "备份已写入" in out.getvalue() and "文件 3 个" in out.getvalue()
            yield Backup(path=root / "backup", tables=tables)
        finally:
            _empty_test_database(seeded)


def _empty_test_database(seeded: str) -> None:
    from tests.conftest import _delete_audit_rows_around_triggers

    _delete_audit_rows_around_triggers()
    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
    connection.creation.deserialize_db_from_string(seeded)
    # the rows came back with their ids: move PostgreSQL's sequences past them, as loaddata does
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models(include_auto_created=True)):
            cursor.execute(sql)


@pytest.fixture
def fresh_db(tmp_path):
    with fresh_database(tmp_path, TARGET) as alias:
        yield alias


def _counts(conn, tables) -> dict[str, int]:
    with conn.cursor() as cursor:
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
        return counts


def _stored(storage) -> dict[str, str]:
    """Every file of the storage (walked with listdir) → its SHA-256."""
    found, pending = {}, [""]
    while pending:
        folder = pending.pop()
        dirs, files = storage.listdir(folder) if storage.exists(folder) else ([], [])
        pending += [f"{folder}/{d}".lstrip("/") for d in dirs]
        for name in files:
            path = f"{folder}/{name}".lstrip("/")
            with storage.open(path, "rb") as fh:
                found[path] = hashlib.sha256(fh.read()).hexdigest()
    return found


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _copy(backed_up: Backup, tmp_path: Path) -> Path:
    return Path(shutil.copytree(backed_up.path, tmp_path / "copy"))


def _restore(path: Path, alias: str) -> str:
    out = StringIO()
    call_command("restore", str(path), database=alias, stdout=out)
    return out.getvalue()


def test_manifest_lists_every_table_with_its_rows_and_every_file_with_its_checksum(backed_up):
    manifest = json.loads((backed_up.path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format_version"] == backup.FORMAT_VERSION
    assert datetime.fromisoformat(manifest["created_at"]).date() == timezone.now().date()
    assert manifest["app"]["django"] == django.get_version() and manifest["app"]["version"]
    database = manifest["database"]
    assert database["vendor"] == connection.vendor
    dump = backed_up.path / database["file"]
    assert database["sha256"] == _sha256(dump.read_bytes()) and database["size"] == dump.stat().st_size
    # every model's table, the auto-created many-to-many ones included, with the rows the test counted
    model_tables = {m._meta.db_table for m in apps.get_models(include_auto_created=True) if m._meta.managed}
    assert model_tables <= database["tables"].keys()
    assert database["tables"] == backed_up.tables
    assert database["tables"]["petitions_matter"] == Matter.objects.count() > 300  # 2018–2019 and since 2020
    assert database["tables"]["accounts_auditentry"] >= 3 and database["tables"]["django_migrations"] > 0
    many_to_many = {
        m._meta.db_table for m in apps.get_models(include_auto_created=True) if m._meta.auto_created
    }
    assert "accounts_user_groups" in many_to_many <= database["tables"].keys()
    listed = {f["path"]: (f["size"], f["sha256"]) for f in manifest["files"]}
    assert listed == {name: (len(content), _sha256(content)) for name, content in FILES.items()}
    for name, content in FILES.items():
        assert (backed_up.path / "files" / name).read_bytes() == content


def test_restore_into_a_fresh_database_and_storage_gives_back_every_row_and_file(backed_up, fresh_db):
    output = _restore(backed_up.path, fresh_db)

    assert "各表行数与清单一致" in output and "文件 3 个" in output
    target = connections[fresh_db]
    assert table_names(target) == sorted(backed_up.tables)
    assert _counts(target, backed_up.tables) == backed_up.tables
    assert _stored(default_storage) == {name: _sha256(content) for name, content in FILES.items()}
    # the audit log came back with its rows and its append-only triggers
    with (
        pytest.raises(DatabaseError, match="审计日志只能追加"),
        transaction.atomic(using=fresh_db),
        target.cursor() as cursor,
    ):
        cursor.execute("UPDATE accounts_auditentry SET action = 'x'")


@pytest.mark.parametrize("part", ["file", "dump"])
def test_a_tampered_backup_is_refused_and_nothing_is_written(backed_up, fresh_db, tmp_path, part):
    copy = _copy(backed_up, tmp_path)
    tampered = (
        copy / "files/attachments/2026/12/信访人补充材料.pdf"
        if part == "file"
        else next(copy.glob("database.*"))
    )
    data = bytearray(tampered.read_bytes())
    data[len(data) // 2] ^= 0xFF
    tampered.write_bytes(bytes(data))

    label = "文件 attachments/2026/12/信访人补充材料.pdf" if part == "file" else "数据库备份文件 database."
    with pytest.raises(
        CommandError, match=f"备份已损坏或被改动，未作任何更改：\n- {label}.* 的 SHA-256 与清单不符"
    ):
        _restore(copy, fresh_db)
    assert table_names(connections[fresh_db]) == []
    assert _stored(default_storage) == {}


def test_restore_refuses_a_database_or_storage_that_is_not_empty(backed_up, fresh_db):
    with pytest.raises(CommandError, match="目标数据库不是空的（已有 .* 张表"):
        _restore(backed_up.path, "default")
    assert Matter.objects.count() == backed_up.tables["petitions_matter"]

    default_storage.save("attachments/other.txt", ContentFile(b"not ours"))
    with pytest.raises(CommandError, match="目标文件存储不是空的（已有文件 attachments/other.txt）"):
        _restore(backed_up.path, fresh_db)
    assert table_names(connections[fresh_db]) == []
    assert _stored(default_storage) == {"attachments/other.txt": _sha256(b"not ours")}


def test_a_difference_after_the_restore_fails_with_the_table_named(backed_up, fresh_db, tmp_path):
    copy = _copy(backed_up, tmp_path)
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    matters = manifest["database"]["tables"]["petitions_matter"]
    manifest["database"]["tables"]["petitions_matter"] += 1
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    with pytest.raises(
        CommandError,
        match=f"发现 1 处与备份清单不符：\n- 数据表 petitions_matter：清单 {matters + 1} 行，恢复后 {matters} 行",
    ):
        _restore(copy, fresh_db)


def test_backup_never_writes_into_a_directory_that_is_not_empty(tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "keep.txt").write_text("x")
    with pytest.raises(CommandError, match="已存在且不是空目录"):
        call_command("backup", out=tmp_path / "old", stdout=StringIO())
    assert [p.name for p in (tmp_path / "old").iterdir()] == ["keep.txt"]
