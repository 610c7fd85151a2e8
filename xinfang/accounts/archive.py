"""Archiving the security audit log: the only way audit rows leave the database.

Rows older than the retention period (settings.XINFANG_AUDIT_RETENTION_DAYS, never less than 180 days) are
written to a gzip-compressed JSON Lines file with a SHA-256 manifest (`sha256sum -c` format); the file is read
back and checked; only then are exactly those rows deleted, in one transaction that also holds the
AuditArchivePermit the database triggers require (migration 0003) and writes the `audit:archive` audit row.
If anything fails, no row is deleted and no file is left behind; refusals and failures are audited too.
"""

import gzip
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from xinfang.accounts.audit import log_audit
from xinfang.accounts.models import AuditArchivePermit, AuditEntry

# 等保 2.0 安全审计 / 《网络安全法》第二十一条: logs are kept at least six months. The database triggers hold
# the same floor on their own clock.
RETENTION_FLOOR_DAYS = 180
ACTION = "audit:archive"
# Every column, in the model's order: the archive is the record.
FIELDS = tuple(field.attname for field in AuditEntry._meta.concrete_fields)


class ArchiveRefused(Exception):
    """The request itself is not allowed (e.g. the date is within the retention period)."""


class ArchiveFailed(Exception):
    """Writing or verifying the archive failed; nothing was deleted."""


@dataclass(frozen=True)
class Archive:
    count: int
    path: Path | None = None
    manifest: Path | None = None
    sha256: str = ""


def retention_days() -> int:
    return max(settings.XINFANG_AUDIT_RETENTION_DAYS, RETENTION_FLOOR_DAYS)


def latest_archivable_day(*, now: datetime) -> date:
    """The latest `before` date allowed: every row dated before it is older than the retention period."""
    return timezone.localdate(now) - timedelta(days=retention_days())


def archive_audit_log(*, before: date, out_dir: Path, now: datetime | None = None) -> Archive:
    """Move the audit rows dated before `before` (local time) to a file in `out_dir`; see the module doc."""
    now = now or timezone.now()
    limit = latest_archivable_day(now=now)
    if before > limit:
        log_audit(action=ACTION, result="denied", before=before.isoformat(), reason="保存期内")
        raise ArchiveRefused(
            f"{before} 在保存期内：审计日志至少保存 {retention_days()} 天，"
            f"最晚只能归档 {limit} 之前的记录（XINFANG_AUDIT_RETENTION_DAYS）。"
        )
    cutoff = timezone.make_aware(datetime.combine(before, time.min))
    written: list[Path] = []
    try:
        with transaction.atomic():
            archive = _archive(cutoff, before=before, out_dir=out_dir, written=written)
    except Exception as exc:
        for path in written:
            path.unlink(missing_ok=True)
        log_audit(action=ACTION, result="failure", before=before.isoformat(), error=str(exc)[:500])
        if isinstance(exc, ArchiveFailed):
            raise
        raise ArchiveFailed(f"归档失败，未删除任何审计日志：{exc}") from exc
    return archive


def _archive(cutoff: datetime, *, before: date, out_dir: Path, written: list[Path]) -> Archive:
    rows = AuditEntry.objects.filter(at__lt=cutoff).order_by("id")
    ids = list(rows.values_list("id", flat=True))
    if not ids:
        return Archive(count=0)
    rows = rows.filter(id__lte=ids[-1])
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"audit-{before:%Y%m%d}-{ids[0]}-{ids[-1]}.jsonl.gz"
    manifest = path.with_name(path.name + ".sha256")
    written.append(path)
    digest = _write(path, rows.values(*FIELDS).iterator(chunk_size=2000))
    written.append(manifest)
    _write_durably(manifest, f"{digest}  {path.name}\n".encode())
    verify_archive(path, manifest, ids=ids)

    AuditArchivePermit.objects.create(id=1, before=cutoff)
    deleted, _ = rows.delete()
    if deleted != len(ids):
        raise ArchiveFailed(f"应删除 {len(ids)} 条，实际 {deleted} 条（归档期间有记录变化），已全部撤销。")
    AuditArchivePermit.objects.filter(id=1).delete()
    log_audit(
        action=ACTION,
        before=before.isoformat(),
        count=len(ids),
        first_id=ids[0],
        last_id=ids[-1],
        file=path.name,
        sha256=digest,
    )
    return Archive(count=len(ids), path=path, manifest=manifest, sha256=digest)


class _HashingWriter:
    """A file-like object that hashes what goes through it."""

    def __init__(self, file):
        self.file = file
        self.hash = hashlib.sha256()

    def write(self, data) -> int:
        self.hash.update(data)
        return self.file.write(data)

    def flush(self) -> None:
        self.file.flush()


def _write(path: Path, rows) -> str:
    """Write the rows as gzip'd JSON Lines (refusing to overwrite a file); return the SHA-256 of the bytes."""
    with open(path, "xb") as f:
        sink = _HashingWriter(f)
        with gzip.GzipFile(fileobj=sink, mode="wb", mtime=0) as gz:
            for row in rows:
                row["at"] = row["at"].isoformat()  # full precision (DjangoJSONEncoder keeps milliseconds)
                gz.write(json.dumps(row, ensure_ascii=False).encode() + b"\n")
        f.flush()
        os.fsync(f.fileno())
    return sink.hash.hexdigest()


def _write_durably(path: Path, data: bytes) -> None:
    with open(path, "xb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def verify_archive(path: Path, manifest: Path, *, ids: list[int]) -> None:
    """Read the file back: its SHA-256 must match the manifest and it must hold exactly the rows `ids`."""
    digest, _, name = manifest.read_text().strip().partition("  ")
    with open(path, "rb") as f:
        actual = hashlib.file_digest(f, "sha256").hexdigest()
    if name != path.name or actual != digest:
        raise ArchiveFailed(f"归档文件 {path.name} 的 SHA-256 校验不符，未删除任何审计日志。")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        found = [json.loads(line)["id"] for line in f]
    if found != ids:
        raise ArchiveFailed(f"归档文件 {path.name} 的记录与数据库不符，未删除任何审计日志。")
