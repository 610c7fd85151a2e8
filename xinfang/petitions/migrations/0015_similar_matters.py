"""Issue 16: 同人同事. The landline's keyed hash and the name's pinyin on every petitioner, and the LSH band keys
of every matter's words (petitions/similar.py, ADR 0015), filled from the rows already stored."""

import django.db.models.deletion
from django.db import migrations, models


def fill(apps, schema_editor):
    from xinfang.petitions import pii, similar

    pii.refill_hashes(apps.get_model("petitions", "Petitioner"))
    similar.rebuild(
        models={name: apps.get_model("petitions", name) for name in ("MatterSearch", "SimilarityBand")}
    )


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0014_petitioner_pii_encrypted"),
    ]

    operations = [
        migrations.AddField(
            model_name="petitioner",
            name="landline_hash",
            field=models.CharField(blank=True, db_index=True, max_length=64, verbose_name="固定电话（摘要）"),
        ),
        migrations.AddField(
            model_name="petitioner",
            name="name_key",
            field=models.CharField(blank=True, db_index=True, max_length=200, verbose_name="姓名拼音"),
        ),
        migrations.CreateModel(
            name="SimilarityBand",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.BigIntegerField()),
                (
                    "matter",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="petitions.matter"
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["key", "matter"], name="similarity_band_key")],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
