"""Search (issue 12): keyed hashes of ID and mobile numbers on Petitioner, indexes on 上级交办编号 and 文号, and
the search index row of each matter (MatterSearch) with the database's own index over it:

- PostgreSQL: generated tsvector columns over the jieba tokens (array_to_tsvector: the tokens as they are, no
  text-search parser or locale in between) with GIN indexes;
- SQLite: an FTS5 table over petitions_mattersearch (external content, rowid = matter id) kept by triggers.

Then the hashes and the index rows of the existing data are filled. The SQL is written out here so that this
migration stays what it was when it ran. Caution on SQLite: a later migration that rebuilds
petitions_mattersearch drops its triggers and must create them again (tests/petitions/test_search.py fails
without them).
"""

import django.db.models.deletion
from django.db import migrations, models

POSTGRESQL_INSTALL = [
    """
    ALTER TABLE petitions_mattersearch
        ADD COLUMN names_tsv tsvector
            GENERATED ALWAYS AS (array_to_tsvector(array_remove(string_to_array(names, ' '), ''))) STORED,
        ADD COLUMN words_tsv tsvector
            GENERATED ALWAYS AS (array_to_tsvector(array_remove(string_to_array(words, ' '), ''))) STORED
    """,
    "CREATE INDEX petitions_mattersearch_names_gin ON petitions_mattersearch USING gin (names_tsv)",
    "CREATE INDEX petitions_mattersearch_words_gin ON petitions_mattersearch USING gin (words_tsv)",
]
POSTGRESQL_UNINSTALL = [
    "DROP INDEX IF EXISTS petitions_mattersearch_words_gin",
    "DROP INDEX IF EXISTS petitions_mattersearch_names_gin",
    "ALTER TABLE petitions_mattersearch DROP COLUMN IF EXISTS words_tsv, DROP COLUMN IF EXISTS names_tsv",
]
# unicode61 keeps a run of CJK characters as one token: the space-separated jieba tokens stay as they are.
SQLITE_INSTALL = [
    """
    CREATE VIRTUAL TABLE petitions_matter_fts USING fts5(
        names, words, content='petitions_mattersearch', content_rowid='matter_id', tokenize='unicode61'
    )
    """,
    """
    CREATE TRIGGER petitions_mattersearch_fts_insert AFTER INSERT ON petitions_mattersearch BEGIN
        INSERT INTO petitions_matter_fts (rowid, names, words) VALUES (NEW.matter_id, NEW.names, NEW.words);
    END
    """,
    """
    CREATE TRIGGER petitions_mattersearch_fts_delete AFTER DELETE ON petitions_mattersearch BEGIN
        INSERT INTO petitions_matter_fts (petitions_matter_fts, rowid, names, words)
        VALUES ('delete', OLD.matter_id, OLD.names, OLD.words);
    END
    """,
    """
    CREATE TRIGGER petitions_mattersearch_fts_update AFTER UPDATE ON petitions_mattersearch BEGIN
        INSERT INTO petitions_matter_fts (petitions_matter_fts, rowid, names, words)
        VALUES ('delete', OLD.matter_id, OLD.names, OLD.words);
        INSERT INTO petitions_matter_fts (rowid, names, words) VALUES (NEW.matter_id, NEW.names, NEW.words);
    END
    """,
]
SQLITE_UNINSTALL = [
    "DROP TRIGGER IF EXISTS petitions_mattersearch_fts_update",
    "DROP TRIGGER IF EXISTS petitions_mattersearch_fts_delete",
    "DROP TRIGGER IF EXISTS petitions_mattersearch_fts_insert",
    "DROP TABLE IF EXISTS petitions_matter_fts",
]
SQL = {"postgresql": (POSTGRESQL_INSTALL, POSTGRESQL_UNINSTALL), "sqlite": (SQLITE_INSTALL, SQLITE_UNINSTALL)}


def _run(schema_editor, which):
    vendor = schema_editor.connection.vendor
    if vendor not in SQL:
        raise NotImplementedError(f"全文检索索引只支持 PostgreSQL 和 SQLite，不支持 {vendor}")
    for statement in SQL[vendor][which]:
        schema_editor.execute(statement, params=None)


def install(apps, schema_editor):
    _run(schema_editor, 0)


def uninstall(apps, schema_editor):
    _run(schema_editor, 1)


def fill(apps, schema_editor):
    from xinfang.petitions import pii, search

    pii.refill_hashes(apps.get_model("petitions", "Petitioner"))
    names = ("Matter", "Registration", "RegistrationPetitioner", "MatterSearch")
    search.rebuild(models={name: apps.get_model("petitions", name) for name in names})


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0012_follow_up_call"),
    ]

    operations = [
        migrations.CreateModel(
            name="MatterSearch",
            fields=[
                (
                    "matter",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search",
                        serialize=False,
                        to="petitions.matter",
                    ),
                ),
                ("names", models.TextField(blank=True)),
                ("words", models.TextField(blank=True)),
            ],
        ),
        migrations.AddField(
            model_name="petitioner",
            name="id_number_hash",
            field=models.CharField(blank=True, db_index=True, max_length=64, verbose_name="证件号码（摘要）"),
        ),
        migrations.AddField(
            model_name="petitioner",
            name="mobile_hash",
            field=models.CharField(blank=True, db_index=True, max_length=64, verbose_name="手机号码（摘要）"),
        ),
        migrations.AddIndex(
            model_name="document",
            index=models.Index(fields=["number"], name="document_number"),
        ),
        migrations.AddIndex(
            model_name="registration",
            index=models.Index(fields=["external_number"], name="registration_external_number"),
        ),
        migrations.RunPython(install, uninstall),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
