"""Issue 12, a unit officer's search: the matter's handling unit in its search row (MatterSearch.unit), indexed
with the words, so that "this word, in my unit" is one index lookup instead of testing the unit's matters one
at a time (bench/README.md: 175 / 425 ms on PostgreSQL at 1 M for a common word).

- PostgreSQL: the generated tsvector columns hold the unit as one more lexeme, `#<id>` (no jieba token holds a
  `#`: search._token), so `words_tsv @@ '工资 & #12'` is one GIN lookup.
- SQLite: the FTS5 table becomes contentless with a third column `unit` holding `u<id>` (FTS5 indexes every
  column it has; the column filter `unit : u12` keeps content words out), written by the triggers.
- The database copies petitions_matter.handling_unit_id into the row whenever it changes (a trigger on
  petitions_matter: services.transition, a batch's conditional UPDATE, the admin alike).

The SQL is written out here so that this migration stays what it was when it ran.
"""

from importlib import import_module

from django.db import migrations, models

POSTGRESQL_INSTALL = [
    "DROP INDEX IF EXISTS petitions_mattersearch_words_gin",
    "DROP INDEX IF EXISTS petitions_mattersearch_names_gin",
    "ALTER TABLE petitions_mattersearch DROP COLUMN words_tsv, DROP COLUMN names_tsv",
    """
    UPDATE petitions_mattersearch s SET unit = m.handling_unit_id
    FROM petitions_matter m WHERE m.id = s.matter_id AND m.handling_unit_id IS NOT NULL
    """,
    """
    ALTER TABLE petitions_mattersearch
        ADD COLUMN names_tsv tsvector GENERATED ALWAYS AS (array_to_tsvector(array_remove(
            string_to_array(names || coalesce(' #' || unit::text, ''), ' '), ''))) STORED,
        ADD COLUMN words_tsv tsvector GENERATED ALWAYS AS (array_to_tsvector(array_remove(
            string_to_array(words || coalesce(' #' || unit::text, ''), ' '), ''))) STORED
    """,
    "CREATE INDEX petitions_mattersearch_names_gin ON petitions_mattersearch USING gin (names_tsv)",
    "CREATE INDEX petitions_mattersearch_words_gin ON petitions_mattersearch USING gin (words_tsv)",
    """
    CREATE FUNCTION petitions_matter_unit_to_search() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE petitions_mattersearch SET unit = NEW.handling_unit_id WHERE matter_id = NEW.id;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER petitions_matter_unit_to_search AFTER UPDATE OF handling_unit_id ON petitions_matter
    FOR EACH ROW WHEN (OLD.handling_unit_id IS DISTINCT FROM NEW.handling_unit_id)
    EXECUTE FUNCTION petitions_matter_unit_to_search()
    """,
]
# Back to migration 0013's columns, index and external-content FTS5 table (its SQL, as it ran).
_0013 = import_module("xinfang.petitions.migrations.0013_search_index_and_pii_hashes")
POSTGRESQL_UNINSTALL = [
    "DROP TRIGGER IF EXISTS petitions_matter_unit_to_search ON petitions_matter",
    "DROP FUNCTION IF EXISTS petitions_matter_unit_to_search()",
    *_0013.POSTGRESQL_UNINSTALL,
    *_0013.POSTGRESQL_INSTALL,
]
_SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS petitions_mattersearch_fts_update",
    "DROP TRIGGER IF EXISTS petitions_mattersearch_fts_delete",
    "DROP TRIGGER IF EXISTS petitions_mattersearch_fts_insert",
    "DROP TABLE IF EXISTS petitions_matter_fts",
]
SQLITE_INSTALL = [
    *_SQLITE_DROP,
    """
    UPDATE petitions_mattersearch
    SET unit = (SELECT m.handling_unit_id FROM petitions_matter m WHERE m.id = petitions_mattersearch.matter_id)
    """,
    # Contentless: the row's own table holds the text; the FTS table holds the index only (read by rowid and
    # MATCH, never by column), so its `unit` column may hold the token instead of the number.
    "CREATE VIRTUAL TABLE petitions_matter_fts USING fts5(names, words, unit, content='', tokenize='unicode61')",
    """
    INSERT INTO petitions_matter_fts (rowid, names, words, unit)
    SELECT matter_id, names, words, 'u' || unit FROM petitions_mattersearch
    """,
    """
    CREATE TRIGGER petitions_mattersearch_fts_insert AFTER INSERT ON petitions_mattersearch BEGIN
        INSERT INTO petitions_matter_fts (rowid, names, words, unit)
        VALUES (NEW.matter_id, NEW.names, NEW.words, 'u' || NEW.unit);
    END
    """,
    """
    CREATE TRIGGER petitions_mattersearch_fts_delete AFTER DELETE ON petitions_mattersearch BEGIN
        INSERT INTO petitions_matter_fts (petitions_matter_fts, rowid, names, words, unit)
        VALUES ('delete', OLD.matter_id, OLD.names, OLD.words, 'u' || OLD.unit);
    END
    """,
    """
    CREATE TRIGGER petitions_mattersearch_fts_update AFTER UPDATE ON petitions_mattersearch BEGIN
        INSERT INTO petitions_matter_fts (petitions_matter_fts, rowid, names, words, unit)
        VALUES ('delete', OLD.matter_id, OLD.names, OLD.words, 'u' || OLD.unit);
        INSERT INTO petitions_matter_fts (rowid, names, words, unit)
        VALUES (NEW.matter_id, NEW.names, NEW.words, 'u' || NEW.unit);
    END
    """,
    """
    CREATE TRIGGER petitions_matter_unit_to_search AFTER UPDATE OF handling_unit_id ON petitions_matter
    WHEN OLD.handling_unit_id IS NOT NEW.handling_unit_id BEGIN
        UPDATE petitions_mattersearch SET unit = NEW.handling_unit_id WHERE matter_id = NEW.id;
    END
    """,
]
SQLITE_UNINSTALL = [
    "DROP TRIGGER IF EXISTS petitions_matter_unit_to_search",
    *_SQLITE_DROP,
    *_0013.SQLITE_INSTALL,
    "INSERT INTO petitions_matter_fts (petitions_matter_fts) VALUES ('rebuild')",
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


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0016_matter_unit_id"),
    ]

    operations = [
        migrations.AddField(
            model_name="mattersearch",
            name="unit",
            field=models.IntegerField(blank=True, null=True),
        ),
        migrations.RunPython(install, uninstall),
    ]
