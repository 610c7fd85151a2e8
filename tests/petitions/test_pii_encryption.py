"""Personal data encrypted at rest (issue 14): ID, mobile and landline numbers are ciphertext in the database
(read back here through a raw cursor), found only through the keyed hashes, re-encrypted by rotate_pii_key,
encrypted by migration 0014 (and decrypted going back), and refused at start without a real key (DEBUG off)."""

import base64
import importlib
import io
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.checks import run_checks
from django.core.exceptions import FieldError, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from tests import factories
from xinfang.core import fieldcrypt
from xinfang.petitions import queries
from xinfang.petitions.models import Petitioner

ID, MOBILE, LANDLINE = "11010519491231002X", "13912345678", "0837-7421234"
K1 = "k1:" + base64.b64encode(b"1" * 32).decode()
K2 = "k2:" + base64.b64encode(b"2" * 32).decode()


def raw(person: Petitioner) -> dict[str, str]:
    """The stored columns as the database holds them, past the model field."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, mobile, landline FROM petitions_petitioner WHERE id = %s", [person.pk]
        )
        return dict(zip(("id_number", "mobile", "landline"), cursor.fetchone(), strict=True))


@pytest.fixture
def person(clerk):
    matter = factories.register(clerk, petitioners=[factories.petitioner_input(landline=LANDLINE)])
    return matter.registrations.get().petitioners.get()


def test_the_columns_hold_ciphertext_and_the_model_reads_the_plain_value(person):
    stored = raw(person)
    for plain, value in zip((ID, MOBILE, "7421234"), stored.values(), strict=True):
        assert (
            plain not in value
            and plain[-4:] not in value
            and value.startswith(fieldcrypt.current_key_id() + "$")
        )
    assert stored["mobile"] != fieldcrypt.encrypt(
        MOBILE
    )  # a fresh nonce each time: equal values do not match
    fresh = Petitioner.objects.get(pk=person.pk)
    assert (fresh.id_number, fresh.mobile) == (ID, MOBILE) and fresh.landline.endswith("7421234")


def test_blank_stays_blank_and_only_blank_can_be_asked_for(clerk):
    matter = factories.register(clerk, petitioners=[factories.petitioner_input(id_number="", mobile="")])
    nobody = matter.registrations.get().petitioners.get()
    assert raw(nobody) == {"id_number": "", "mobile": "", "landline": ""}
    assert Petitioner.objects.filter(mobile="").get() == nobody
    for lookup in ({"mobile": MOBILE}, {"id_number__startswith": "1101"}, {"mobile__contains": "1234"}):
        with pytest.raises(FieldError, match="加密存储"):
            Petitioner.objects.filter(**lookup).exists()


def test_lookups_go_through_the_keyed_hash(clerk, person):
    matter = person.registrations.get().matter
    assert set(queries.similar_matters(clerk, id_numbers=[ID.lower()]).values_list("pk", flat=True)) == {
        matter.pk
    }
    f = queries.WorklistFilter(queue=False, q="139 1234 5678")
    assert list(queries.worklist(clerk, f).values_list("pk", flat=True)) == [matter.pk]
    again = factories.register(clerk, petitioners=[factories.petitioner_input(mobile="13800000000")])
    assert again.registrations.get().petitioners.get() == person  # the intake's same-person lookup
    assert Petitioner.objects.get(pk=person.pk).mobile == "13800000000"


def test_rotation_re_encrypts_in_batches_and_a_retired_key_no_longer_reads(clerk, settings):
    settings.XINFANG_PII_KEYS = K1
    people = [
        factories.register(
            clerk, petitioners=[factories.petitioner_input(id_number="", mobile=f"1390000000{n}")]
        )
        .registrations.get()
        .petitioners.get()
        for n in range(3)
    ]
    assert all(raw(p)["mobile"].startswith("k1$") for p in people)
    settings.XINFANG_PII_KEYS = f"{K2},{K1}"
    assert [Petitioner.objects.get(pk=p.pk).mobile for p in people] == [f"1390000000{n}" for n in range(3)]
    with pytest.raises(CommandError, match="3 行仍由旧密钥加密"):
        call_command("rotate_pii_key", "--check", stdout=io.StringIO())
    assert raw(people[0])["mobile"].startswith("k1$")  # --check writes nothing
    out = io.StringIO()
    call_command("rotate_pii_key", "--batch-size", "2", stdout=out)
    assert "已用密钥“k2”重新加密 3 行" in out.getvalue()
    assert all(raw(p)["mobile"].startswith("k2$") for p in people)
    call_command("rotate_pii_key", "--check", stdout=io.StringIO())  # nothing left under k1
    settings.XINFANG_PII_KEYS = K2  # k1 retired
    assert Petitioner.objects.get(pk=people[1].pk).mobile == "13900000001"
    settings.XINFANG_PII_KEYS = K1  # a key that never encrypted these rows
    with pytest.raises(fieldcrypt.DecryptionError, match="密钥“k2”不在"):
        Petitioner.objects.get(pk=people[1].pk)
    with pytest.raises(CommandError, match="密钥“k2”不在"):
        call_command("rotate_pii_key", stdout=io.StringIO())


def test_a_tampered_ciphertext_is_refused(person):
    stored = raw(person)["mobile"]
    kid, _, body = stored.partition("$")
    forged = base64.urlsafe_b64decode(body)
    forged = base64.urlsafe_b64encode(forged[:-1] + bytes([forged[-1] ^ 1])).decode()
    with pytest.raises(fieldcrypt.DecryptionError, match="密文已损坏"):
        fieldcrypt.decrypt(f"{kid}${forged}")


def test_the_migration_encrypts_plain_rows_and_going_back_decrypts_them(person):
    migration = importlib.import_module("xinfang.petitions.migrations.0014_petitioner_pii_encrypted")
    editor = SimpleNamespace(connection=connection)
    with connection.cursor() as cursor:  # a row as it was before 0014
        cursor.execute(
            "UPDATE petitions_petitioner SET id_number = %s, mobile = %s, landline = '' WHERE id = %s",
            [ID, MOBILE, person.pk],
        )
    migration.encrypt_values(apps, editor)
    stored = raw(person)
    assert ID not in stored["id_number"] and MOBILE not in stored["mobile"] and stored["landline"] == ""
    assert Petitioner.objects.get(pk=person.pk).mobile == MOBILE
    migration.encrypt_values(apps, editor)  # encrypted rows are left alone
    assert raw(person) == stored
    migration.decrypt_values(apps, editor)
    assert raw(person) == {"id_number": ID, "mobile": MOBILE, "landline": ""}


def check_ids(**overrides) -> set[str]:
    with override_settings(**overrides):
        return {m.id for m in run_checks() if m.id == "xinfang.E004"}


def test_without_a_real_key_debug_off_refuses_to_start():
    assert check_ids(DEBUG=False, XINFANG_PII_KEYS="") == {"xinfang.E004"}  # the SECRET_KEY-derived key
    assert check_ids(DEBUG=False, XINFANG_PII_KEYS="k1:c2hvcnQ=") == {"xinfang.E004"}  # not 32 bytes
    assert check_ids(DEBUG=True, XINFANG_PII_KEYS="k1") == {"xinfang.E004"}  # malformed, even in development
    assert check_ids(DEBUG=False, XINFANG_PII_KEYS=f"{K2},{K1}") == set()
    assert check_ids(DEBUG=True, XINFANG_PII_KEYS="") == set()
    with override_settings(XINFANG_PII_KEYS="k1:c2hvcnQ="), pytest.raises(ValueError) as bad:
        fieldcrypt.keys()
    assert "c2hvcnQ" not in str(bad.value) and "32 字节" in str(bad.value)  # the message never shows the key


def test_keys_come_from_the_variable_its_file_or_the_file_make_run_writes(tmp_path, monkeypatch):
    from tests.core.test_production_settings import settings_under

    base = {"XINFANG_VAR_DIR": str(tmp_path / "var")}
    assert settings_under(base, monkeypatch)["XINFANG_PII_KEYS"] == ""  # development: derived from SECRET_KEY
    (tmp_path / "var").mkdir(exist_ok=True)  # the settings create it
    (tmp_path / "var" / "pii_keys").write_text(K1 + "\n", encoding="utf-8")
    assert settings_under(base, monkeypatch)["XINFANG_PII_KEYS"] == K1
    secret = tmp_path / "pii_keys"
    secret.write_text(f"{K2},{K1}\n", encoding="utf-8")
    found = settings_under({**base, "XINFANG_PII_KEYS_FILE": str(secret)}, monkeypatch)["XINFANG_PII_KEYS"]
    assert found == f"{K2},{K1}"


def test_the_length_bound_applies_to_the_plain_value():
    with pytest.raises(ValidationError) as refused:
        Petitioner(name="张三", mobile="1" * 12).full_clean()
    assert set(refused.value.message_dict) == {"mobile"}
    Petitioner(
        name="张三", mobile=MOBILE, id_number=ID
    ).full_clean()  # the ciphertext's length does not count
