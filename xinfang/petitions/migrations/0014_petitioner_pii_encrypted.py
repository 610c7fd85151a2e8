"""Issue 14: Petitioner.id_number, mobile and landline encrypted at rest (core/fieldcrypt.py, XINFANG_PII_KEYS).
The columns become text (the ciphertext is longer than the plain value; the index on the ID number goes: the
lookups use id_number_hash), then every existing value is encrypted with the current key. Reversible: going
back decrypts every value (with any key of the ring) before the columns are narrowed again."""

from django.db import migrations

import xinfang.core.fieldcrypt
from xinfang.core import fieldcrypt

COLUMNS = ["id_number", "mobile", "landline"]


def _rewrite(apps, schema_editor, change):
    Petitioner = apps.get_model("petitions", "Petitioner")
    fieldcrypt.rewrite_rows(
        schema_editor.connection, Petitioner._meta.db_table, Petitioner._meta.pk.column, COLUMNS, change
    )


def encrypt_values(apps, schema_editor):
    _rewrite(
        apps, schema_editor, lambda v: fieldcrypt.encrypt(v) if v and not fieldcrypt.key_id_of(v) else None
    )


def decrypt_values(apps, schema_editor):
    _rewrite(apps, schema_editor, lambda v: fieldcrypt.decrypt(v) if fieldcrypt.key_id_of(v) else None)


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0013_search_index_and_pii_hashes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="petitioner",
            name="id_number",
            field=xinfang.core.fieldcrypt.EncryptedCharField(
                blank=True, max_length=40, verbose_name="证件号码"
            ),
        ),
        migrations.AlterField(
            model_name="petitioner",
            name="landline",
            field=xinfang.core.fieldcrypt.EncryptedCharField(
                blank=True, max_length=20, verbose_name="固定电话"
            ),
        ),
        migrations.AlterField(
            model_name="petitioner",
            name="mobile",
            field=xinfang.core.fieldcrypt.EncryptedCharField(
                blank=True, max_length=11, verbose_name="手机号码"
            ),
        ),
        migrations.RunPython(encrypt_values, decrypt_values, elidable=False),
    ]
