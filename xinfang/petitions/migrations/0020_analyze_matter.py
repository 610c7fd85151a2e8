"""Fresh planner statistics for petitions_matter after 0019 added `merged_into`, which every worklist filters on
(`merged_into IS NULL`). ADD COLUMN changes no row, so autovacuum does not analyze the table: until some 10 % of
the matters change, PostgreSQL has no statistics for the column, estimates the filter at 0.5 % of the rows and,
for a search in the registration order (queries.SEARCH_SORT, migration 0018), sorts every match instead of walking
the index (bench/README.md: a common word 918 ms median at 200,000 registrations, 54 ms after ANALYZE). ANALYZE
samples a fixed number of rows (about a second at 1 M matters). PostgreSQL only: on SQLite the first ANALYZE
would give its planner statistics it has never had, for this table alone, and change other plans."""

from django.db import migrations


def analyze(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ANALYZE petitions_matter")


class Migration(migrations.Migration):
    dependencies = [("petitions", "0019_matter_merged_into")]

    operations = [migrations.RunPython(analyze, migrations.RunPython.noop, elidable=True)]
