"""Backups that restore: `xinfang backup --out DIR` and `xinfang restore DIR` (docs/operations.md, "Backup and
restore").

A backup directory holds

- the database: `database.pgdump` (`pg_dump -Fc`) on PostgreSQL, `database.sqlite3` (SQLite's online backup
  API) on SQLite;
- `files/`: every object of Django's default storage, read through the storage API only (a local directory
  or an S3 bucket alike);
- `manifest.json`, written last: format version, time, versions, the database vendor, the row count of
  every table (counted in the same snapshot the dump is taken from), and the size and SHA-256 of the dump
  and of every file.

A restore writes only into an empty database and an empty storage. It checks the whole backup against its
manifest before it writes anything, copies the files, restores the database in one transaction (on failure
it removes the files it copied), and then checks every table's row count and every file's checksum in the
target against the manifest.
"""

import hashlib
import json
import os
import posixpath
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import django
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connections
from django.utils import timezone

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
FILES_DIR = "files"
DUMP_FILES = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
VENDOR_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in Chinese."""


class VerificationFailed(BackupError):
    """The restored database or files differ from the manifest: one line per difference."""

    def __init__(self, problems: list[str], summary: "RestoreSummary"):
        self.problems = problems
        self.summary = summary
        super().__init__(f"恢复后的核对发现 {len(problems)} 处与备份清单不符：\n" + _bullets(problems))


@dataclass
class RestoreSummary:
    vendor: str
    tables: int = 0
    rows: int = 0
    files: int = 0
    bytes: int = 0
    created_at: str = ""
    notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """The Chinese summary of a restore whose every check passed."""
        return "\n".join(
            [
                f"数据库 {vendor_name(self.vendor)}：{self.tables} 张表、{self.rows} 行，各表行数与清单一致；",
                f"文件 {self.files} 个（{megabytes(self.bytes)}），SHA-256 与清单逐个一致。",
                *self.notes,
            ]
        )


# --- backup -------------------------------------------------------------------------------------------


def back_up(*, out: Path, using: str = "default", storage=None) -> dict:
    """Write the database `using` and every file of `storage` (default: Django's default storage) to the new
    or empty directory `out`; return the manifest. On any failure nothing is left in `out`."""
    storage = storage or default_storage
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BackupError(f"{out} 已存在且不是空目录：备份不覆盖已有文件，请指定新的目录。")
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    out.chmod(0o700)  # the backup holds personal data
    try:
        database = _dump_database(using, out)
        files = _copy_files_out(storage, out / FILES_DIR)
        manifest = {
            "format_version": FORMAT_VERSION,
            "created_at": timezone.now().isoformat(),
            "app": {"name": "xinfang", "version": _app_version(), "django": django.get_version()},
            "database": database,
            "files": files,
        }
        partial = out / f"{MANIFEST}.partial"
        partial.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        partial.rename(out / MANIFEST)
    except BaseException:
        if created:
            shutil.rmtree(out, ignore_errors=True)
        else:
            for child in out.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        raise
    return manifest


def _dump_database(using: str, out: Path) -> dict:
    """Dump the database and count every table's rows in one snapshot, on a connection of its own (so the
    caller's transaction, if any, is neither used nor disturbed)."""
    conn = connections.create_connection(using)
    try:
        conn.ensure_connection()
        vendor = conn.vendor
        if vendor not in DUMP_FILES:
            raise BackupError(f"不支持的数据库：{vendor}（只支持 PostgreSQL 和 SQLite）。")
        path = out / DUMP_FILES[vendor]
        tables = _dump_postgresql(conn, path) if vendor == "postgresql" else _dump_sqlite(conn, path)
    finally:
        conn.close()
    size, digest = _file_digest(path)
    return {"vendor": vendor, "file": path.name, "size": size, "sha256": digest, "tables": tables}


def _dump_postgresql(conn, path: Path) -> dict[str, int]:
    """pg_dump -Fc of exactly the snapshot the rows are counted in (an exported snapshot)."""
    with conn.cursor() as cursor:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            tables = row_counts(conn)
            args, env = _pg_command("pg_dump", conn.settings_dict)
            _run([*args, "--format=custom", f"--snapshot={snapshot}", f"--file={path}"], env)
        finally:
            cursor.execute("ROLLBACK")
    return tables


def _dump_sqlite(conn, path: Path) -> dict[str, int]:
    """SQLite's online backup API, inside the read transaction the rows are counted in."""
    raw = conn.connection
    raw.execute("BEGIN")
    try:
        tables = row_counts(conn)
        target = sqlite3.connect(path)
        try:
            raw.backup(target)
            # self-contained: no -wal/-shm files beside it when it is opened again
            target.execute("PRAGMA journal_mode=DELETE")
        finally:
            target.close()
    finally:
        raw.execute("ROLLBACK")
    return tables


def _copy_files_out(storage, target: Path) -> list[dict]:
    files = []
    target.mkdir()
    for name in sorted(storage_names(storage)):
        dest = target.joinpath(*_safe_name(name).split("/"))
        dest.parent.mkdir(parents=True, exist_ok=True)
        with storage.open(name, "rb") as src, open(dest, "xb") as sink:
            size, digest = _copy(src, sink)
        files.append({"path": name, "size": size, "sha256": digest})
    return files


# --- restore ------------------------------------------------------------------------------------------


def restore(*, source: Path, using: str = "default", storage=None) -> RestoreSummary:
    """Restore the backup directory `source` into the empty database `using` and the empty `storage`
    (default: Django's default storage), then check both against the manifest (VerificationFailed)."""
    storage = storage or default_storage
    source = Path(source)
    manifest = read_manifest(source)
    conn = connections[using]
    vendor = manifest["database"]["vendor"]
    if vendor != conn.vendor:
        raise BackupError(
            f"备份来自 {vendor_name(vendor)} 数据库，目标是 {vendor_name(conn.vendor)}，不能恢复。未作任何更改。"
        )
    _refuse_unless_empty(conn, storage)
    problems = check_backup(source, manifest)
    if problems:
        raise BackupError("备份已损坏或被改动，未作任何更改：\n" + _bullets(problems))

    copied = _copy_files_in(source, manifest, storage)
    try:
        dump = source / manifest["database"]["file"]
        _restore_postgresql(conn, dump) if vendor == "postgresql" else _restore_sqlite(conn, dump)
    except BaseException:
        for name in copied:
            storage.delete(name)
        raise

    summary = RestoreSummary(vendor=vendor, created_at=manifest.get("created_at", ""))
    version = manifest.get("app", {}).get("version")
    if version and version != _app_version():
        summary.notes.append(
            f"备份来自 xinfang {version}，当前程序为 {_app_version()}：请执行 xinfang migrate 后再启动服务。"
        )
    problems = _verify_restored(conn, storage, manifest, summary)
    if problems:
        raise VerificationFailed(problems, summary)
    return summary


def read_manifest(source: Path) -> dict:
    path = source / MANIFEST
    if not path.is_file():
        raise BackupError(f"{source} 中没有 {MANIFEST}：不是本系统的备份目录，或备份没有完成。")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"{path} 无法读取（{exc}）：备份清单已损坏。") from exc
    if not isinstance(manifest, dict) or manifest.get("format_version") != FORMAT_VERSION:
        version = manifest.get("format_version") if isinstance(manifest, dict) else None
        raise BackupError(f"备份格式版本 {version} 不受支持（本程序读写版本 {FORMAT_VERSION}）。")
    database = manifest.get("database")
    if not isinstance(database, dict) or database.get("vendor") not in DUMP_FILES:
        raise BackupError(f"{path} 中没有可用的数据库说明：备份清单已损坏。")
    files = manifest.get("files")
    if (
        database.get("file") != DUMP_FILES[database["vendor"]]
        or not _is_entry(database)
        or not isinstance(database.get("tables"), dict)
        or not isinstance(files, list)
        or not all(_is_entry(e) and isinstance(e.get("path"), str) for e in files)
    ):
        raise BackupError(f"{path} 缺少或写错了数据库、表或文件的说明：备份清单已损坏。")
    for entry in files:
        _safe_name(entry["path"])
    return manifest


def _is_entry(entry) -> bool:
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("size"), int)
        and isinstance(entry.get("sha256"), str)
    )


def check_backup(source: Path, manifest: dict) -> list[str]:
    """What in the backup directory differs from its manifest (empty: the backup is intact)."""
    database = manifest["database"]
    entries = [(source / database["file"], f"数据库备份文件 {database['file']}", database)]
    entries += [
        (source / FILES_DIR / _safe_name(e["path"]), f"文件 {e['path']}", e) for e in manifest["files"]
    ]
    problems = []
    for path, label, entry in entries:
        if not path.is_file():
            problems.append(f"{label} 缺失")
            continue
        size, digest = _file_digest(path)
        if digest != entry["sha256"] or size != entry["size"]:
            problems.append(
                f"{label} 的 SHA-256 与清单不符（清单 {entry['sha256'][:16]}…，实际 {digest[:16]}…，"
                f"大小 {entry['size']} / {size} 字节）"
            )
    return problems


def _refuse_unless_empty(conn, storage) -> None:
    with conn.cursor() as cursor:
        tables = sorted(conn.introspection.table_names(cursor))
    if tables:
        shown = "、".join(tables[:3]) + ("等" if len(tables) > 3 else "")
        raise BackupError(
            f"目标数据库不是空的（已有 {len(tables)} 张表：{shown}）。恢复只写入新建的空数据库"
            "（建库后不要执行 migrate），不会覆盖已有数据。未作任何更改。"
        )
    existing = next(iter(storage_names(storage)), None)
    if existing is not None:
        raise BackupError(
            f"目标文件存储不是空的（已有文件 {existing}）。恢复只写入空的存储，不会覆盖已有文件。未作任何更改。"
        )


def _copy_files_in(source: Path, manifest: dict, storage) -> list[str]:
    copied = []
    try:
        for entry in manifest["files"]:
            name = entry["path"]
            with open(source / FILES_DIR / _safe_name(name), "rb") as fh:
                saved = storage.save(name, File(fh, name=posixpath.basename(name)))
            copied.append(saved)
            if saved != name:
                raise BackupError(f"文件 {name} 被存储改名为 {saved}：存储不是空的或不接受该文件名。")
    except BaseException:
        for name in copied:
            storage.delete(name)
        raise
    return copied


def _restore_postgresql(conn, dump: Path) -> None:
    """pg_restore in one transaction (all or nothing). Triggers, such as the audit log's append-only ones,
    are created after the data (pg_restore's post-data section), so they never see the rows being loaded."""
    conn.close()  # no session of ours holds the target while pg_restore writes it
    args, env = _pg_command("pg_restore", conn.settings_dict)
    _run([*args, "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", str(dump)], env)


def _restore_sqlite(conn, dump: Path) -> None:
    """SQLite's backup API the other way: the backup file's pages into the (empty) target database."""
    conn.ensure_connection()
    source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
    try:
        source.backup(conn.connection)
    finally:
        source.close()


def _verify_restored(conn, storage, manifest: dict, summary: RestoreSummary) -> list[str]:
    problems = []
    expected = manifest["database"]["tables"]
    actual = row_counts(conn)
    for table in sorted(expected.keys() | actual.keys()):
        if table not in actual:
            problems.append(f"数据表 {table} 缺失（清单 {expected[table]} 行）")
        elif table not in expected:
            problems.append(f"数据表 {table} 不在清单中（{actual[table]} 行）")
        elif actual[table] != expected[table]:
            problems.append(f"数据表 {table}：清单 {expected[table]} 行，恢复后 {actual[table]} 行")
    summary.tables, summary.rows = len(actual), sum(actual.values())

    listed = {e["path"]: e for e in manifest["files"]}
    stored = set(storage_names(storage))
    for name in sorted(stored - listed.keys()):
        problems.append(f"文件 {name} 不在清单中")
    for name, entry in listed.items():
        if name not in stored:
            problems.append(f"文件 {name} 未能写入存储")
            continue
        with storage.open(name, "rb") as fh:
            size, digest = _copy(fh, None)
        if digest != entry["sha256"] or size != entry["size"]:
            problems.append(f"文件 {name} 恢复后的 SHA-256 与清单不符")
        else:
            summary.files += 1
            summary.bytes += size
    return problems


# --- shared -------------------------------------------------------------------------------------------


def row_counts(conn) -> dict[str, int]:
    """The row count of every table of the database (all models, the auto-created many-to-many tables,
    django_migrations and any table not modelled)."""
    counts = {}
    with conn.cursor() as cursor:
        for table in sorted(conn.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {conn.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def storage_names(storage, prefix: str = ""):
    """Every file name in the storage, walked with listdir (a missing local directory is an empty storage)."""
    try:
        dirs, files = storage.listdir(prefix)
    except FileNotFoundError:
        if prefix:
            raise
        return
    for name in files:
        yield posixpath.join(prefix, name)
    for name in dirs:
        yield from storage_names(storage, posixpath.join(prefix, name))


def _safe_name(name: str) -> str:
    parts = name.split("/")
    if not name or name.startswith("/") or "\\" in name or any(p in ("", ".", "..") for p in parts):
        raise BackupError(f"文件名 {name!r} 不安全（绝对路径、空段或 ..），拒绝处理。")
    return name


def _pg_command(program: str, settings_dict: dict) -> tuple[list[str], dict]:
    """The client program with the connection of `settings_dict`: host, port, user and database as options,
    password, service and TLS settings in the environment, as Django's dbshell passes them."""
    from django.db.backends.postgresql.client import DatabaseClient

    _, env = DatabaseClient.settings_to_cmd_args_env(settings_dict, [])
    args = [shutil.which(program) or program]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER"), ("--dbname", "NAME")):
        if settings_dict.get(key):
            args.append(f"{option}={settings_dict[key]}")
    return args, {**os.environ, **(env or {})}


def _run(args: list[str], env: dict) -> None:
    program = Path(args[0]).name
    try:
        result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BackupError(f"找不到 {program}：请安装 PostgreSQL 客户端（版本不低于服务器）。") from exc
    if result.returncode != 0:
        raise BackupError(f"{program} 失败（退出码 {result.returncode}）：{result.stderr.strip()}")


def _copy(src, sink) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    while chunk := src.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if sink is not None:
            sink.write(chunk)
    return size, digest.hexdigest()


def _file_digest(path: Path) -> tuple[int, str]:
    with open(path, "rb") as fh:
        return _copy(fh, None)


def _app_version() -> str:
    try:
        return metadata.version("xinfang")
    except metadata.PackageNotFoundError:
        return "unknown"


def vendor_name(vendor: str) -> str:
    return VENDOR_NAMES.get(vendor, vendor)


def describe_backup(manifest: dict) -> str:
    """One Chinese line on what a backup holds."""
    database, files = manifest["database"], manifest["files"]
    return (
        f"数据库 {vendor_name(database['vendor'])}（{len(database['tables'])} 张表、"
        f"{sum(database['tables'].values())} 行，{database['file']} {megabytes(database['size'])}），"
        f"文件 {len(files)} 个（{megabytes(sum(f['size'] for f in files))}）；清单 {MANIFEST}。"
    )


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def _bullets(lines: list[str]) -> str:
    return "\n".join(f"- {line}" for line in lines)
