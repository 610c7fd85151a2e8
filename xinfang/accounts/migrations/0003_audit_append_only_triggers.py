"""The audit log becomes append-only in the database itself (issue 11, item 4; 等保 安全审计: 防未预期删改).

Triggers on accounts_auditentry refuse every UPDATE and DELETE (PostgreSQL also TRUNCATE of a non-empty
table), however it is issued: the model, a queryset's update()/delete(), raw SQL. One exception: a row may
be deleted when it is older than 180 days by the database's own clock (《网络安全法》第二十一条: 网络日志
留存不少于六个月) AND a row of accounts_auditarchivepermit dates it before the permit's `before`. Only the
`archive_audit` command writes that permit, after it has written and verified the archive file, and it
removes the permit in the same transaction.

The SQL is written out here (not imported) so that this migration stays what it was when it ran.
Caution on SQLite: a later migration that rebuilds this table (SQLite's way of altering a column) drops
its triggers; such a migration must create them again. tests/accounts/test_audit_append_only.py fails if
they are missing.
"""

from django.db import migrations, models

FLOOR = "180 days"  # the hard floor; XINFANG_AUDIT_RETENTION_DAYS (≥ 180) is checked by the command

POSTGRESQL_INSTALL = [
    f"""
    CREATE FUNCTION accounts_auditentry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' THEN
            RAISE EXCEPTION '审计日志只能追加，不能修改'
                USING ERRCODE = 'integrity_constraint_violation';
        ELSIF TG_OP = 'DELETE' THEN
            IF OLD.at < now() - interval '{FLOOR}'
               AND EXISTS (SELECT 1 FROM accounts_auditarchivepermit p WHERE OLD.at < p.before) THEN
                RETURN OLD;
            END IF;
            RAISE EXCEPTION '审计日志只能追加，不能删除（只有 archive_audit 归档命令能删除保存期以外的记录）'
                USING ERRCODE = 'integrity_constraint_violation';
        ELSIF TG_OP = 'TRUNCATE' THEN
            IF EXISTS (SELECT 1 FROM accounts_auditentry) THEN
                RAISE EXCEPTION '审计日志只能追加，不能清空'
                    USING ERRCODE = 'integrity_constraint_violation';
            END IF;
        END IF;
        RETURN NULL;
    END;
    $$
    """,
    """
    CREATE TRIGGER accounts_auditentry_append_only
    BEFORE UPDATE OR DELETE ON accounts_auditentry
    FOR EACH ROW EXECUTE FUNCTION accounts_auditentry_append_only()
    """,
    """
    CREATE TRIGGER accounts_auditentry_no_truncate
    BEFORE TRUNCATE ON accounts_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION accounts_auditentry_append_only()
    """,
]
POSTGRESQL_UNINSTALL = [
    "DROP TRIGGER IF EXISTS accounts_auditentry_no_truncate ON accounts_auditentry",
    "DROP TRIGGER IF EXISTS accounts_auditentry_append_only ON accounts_auditentry",
    "DROP FUNCTION IF EXISTS accounts_auditentry_append_only()",
]

# Django stores datetimes on SQLite as UTC text 'YYYY-MM-DD HH:MM:SS[.ffffff]', which compares correctly
# with datetime('now', …) as text.
SQLITE_INSTALL = [
    """
    CREATE TRIGGER accounts_auditentry_no_update
    BEFORE UPDATE ON accounts_auditentry
    BEGIN
        SELECT RAISE(ABORT, '审计日志只能追加，不能修改');
    END
    """,
    f"""
    CREATE TRIGGER accounts_auditentry_no_delete
    BEFORE DELETE ON accounts_auditentry
    WHEN NOT (
        OLD.at < datetime('now', '-{FLOOR}')
        AND EXISTS (SELECT 1 FROM accounts_auditarchivepermit p WHERE OLD.at < p.before)
    )
    BEGIN
        SELECT RAISE(ABORT, '审计日志只能追加，不能删除（只有 archive_audit 归档命令能删除保存期以外的记录）');
    END
    """,
    # INSERT OR REPLACE removes the old row without firing delete triggers: refuse it.
    """
    CREATE TRIGGER accounts_auditentry_no_replace
    BEFORE INSERT ON accounts_auditentry
    WHEN EXISTS (SELECT 1 FROM accounts_auditentry e WHERE e.id = NEW.id)
    BEGIN
        SELECT RAISE(ABORT, '审计日志只能追加，不能覆盖已有记录');
    END
    """,
]
SQLITE_UNINSTALL = [
    "DROP TRIGGER IF EXISTS accounts_auditentry_no_replace",
    "DROP TRIGGER IF EXISTS accounts_auditentry_no_delete",
    "DROP TRIGGER IF EXISTS accounts_auditentry_no_update",
]

SQL = {
    "postgresql": (POSTGRESQL_INSTALL, POSTGRESQL_UNINSTALL),
    "sqlite": (SQLITE_INSTALL, SQLITE_UNINSTALL),
}


def _run(schema_editor, which):
    vendor = schema_editor.connection.vendor
    if vendor not in SQL:
        raise NotImplementedError(f"审计日志的只追加触发器只支持 PostgreSQL 和 SQLite，不支持 {vendor}")
    for statement in SQL[vendor][which]:
        schema_editor.execute(statement, params=None)


def install(apps, schema_editor):
    _run(schema_editor, 0)


def uninstall(apps, schema_editor):
    _run(schema_editor, 1)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_audit_log_and_api_tokens"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditArchivePermit",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("before", models.DateTimeField()),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("id", 1)), name="audit_archive_permit_one_row")
                ],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
