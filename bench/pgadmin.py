"""CREATE/DROP DATABASE for the bench scripts that make their own throw-away PostgreSQL database (backup.py,
pii.py): run from a connection to the server's `postgres` database, after django.setup()."""


def admin_sql(sql: str) -> None:
    from django.db import connections

    own = connections.create_connection("default")
    own.settings_dict = {**own.settings_dict, "NAME": "postgres"}
    try:
        with own.cursor() as cursor:
            cursor.execute(sql)
    finally:
        own.close()
