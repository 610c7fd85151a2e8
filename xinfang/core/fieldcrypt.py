"""Personal data encrypted at rest (issue 14): AES-256-GCM with key ids, and the model field that uses it.

`XINFANG_PII_KEYS="k2:<base64>,k1:<base64>"` (or `XINFANG_PII_KEYS_FILE`, or the file `var/pii_keys` that
`make run` writes once): each key is 32 random bytes in Base64; the first encrypts, all decrypt. A stored value
is `<key id>$<Base64url of nonce ‖ ciphertext ‖ tag>`, so a row names the key it needs and `xinfang
rotate_pii_key` re-encrypts the rows still under an older key; remove a key from the list only after that.
Without keys (development, tests) one key named `dev` is derived from SECRET_KEY — with DEBUG off the system
check xinfang.E004 refuses to start then (core/checks.py).

An empty value is stored empty (it says only that nothing was given, which the keyed hash beside it says too).
The ciphertext changes on every save (random nonce): an encrypted column can be neither filtered nor ordered
by its content — exact lookup goes through the keyed hash (petitions/pii.py); `EncryptedCharField` refuses
every lookup but `= ""` and `isnull` with a Chinese error instead of silently matching nothing."""

import base64
import binascii
import functools
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import FieldError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.lookups import Exact, IsNull

from xinfang.core.keyring import KeyRing

DEV_KEY_ID = "dev"
KEY_BYTES = 32
NONCE_BYTES = 12


class DecryptionError(ValueError):
    pass


@functools.lru_cache(maxsize=8)
def _ring(spec: str, secret_key: str) -> tuple[tuple[str, AESGCM], ...]:
    if not spec.strip():
        derived = hmac.new(secret_key.encode(), b"xinfang:pii-encryption:v1", hashlib.sha256).digest()
        return ((DEV_KEY_ID, AESGCM(derived)),)
    keys = []
    for n, (kid, secret) in enumerate(KeyRing.parse(spec).keys, start=1):
        try:
            raw = base64.b64decode(secret.replace(b"-", b"+").replace(b"_", b"/"), validate=True)
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != KEY_BYTES:
            raise ValueError(f"第{n}个密钥“{kid}”应为 {KEY_BYTES} 字节随机数的 Base64 编码。")
        keys.append((kid, AESGCM(raw)))
    return tuple(keys)


def keys() -> tuple[tuple[str, AESGCM], ...]:
    """(id, cipher) pairs, the current key first; ValueError (Chinese, no secret in it) on a malformed spec."""
    return _ring(settings.XINFANG_PII_KEYS, settings.SECRET_KEY)


def current_key_id() -> str:
    return keys()[0][0]


def key_id_of(stored: str) -> str:
    """The id of the key a stored value was encrypted with ("" for an empty or unmarked value)."""
    kid, sep, _ = (stored or "").partition("$")
    return kid if sep else ""


def encrypt(plain: str) -> str:
    if not plain:
        return ""
    kid, cipher = keys()[0]
    nonce = os.urandom(NONCE_BYTES)
    sealed = cipher.encrypt(nonce, plain.encode(), kid.encode())
    return f"{kid}${base64.urlsafe_b64encode(nonce + sealed).decode()}"


def decrypt(stored: str) -> str:
    if not stored:
        return ""
    kid, sep, body = stored.partition("$")
    cipher = dict(keys()).get(kid) if sep else None
    if cipher is None:
        raise DecryptionError(f"无法解密：密钥“{kid if sep else '（无编号）'}”不在 XINFANG_PII_KEYS 中。")
    try:
        raw = base64.urlsafe_b64decode(body.encode())
        return cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], kid.encode()).decode()
    except (InvalidTag, binascii.Error, ValueError) as exc:
        raise DecryptionError(f"无法解密：密文已损坏或与密钥“{kid}”不符。") from exc


def reencrypt(stored: str) -> str | None:
    """The value under the current key, or None when it already is (or is empty)."""
    if not stored or key_id_of(stored) == current_key_id():
        return None
    return encrypt(decrypt(stored))


class EncryptedCharField(models.TextField):
    """A short text (ID or phone number) stored encrypted; `max_length` bounds the plain value in forms and
    model validation, the column itself is text (the ciphertext is longer)."""

    description = "加密存储的文本"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.max_length is not None:  # not a constructor argument: the migrations stay as they are
            self.validators.append(MaxLengthValidator(self.max_length))

    def from_db_value(self, value, expression, connection):
        return value if value is None else decrypt(value)

    def to_python(self, value):
        return value if value is None or isinstance(value, str) else str(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return value if value is None else encrypt(value)

    def get_lookup(self, lookup_name):
        if lookup_name == "exact":
            return EmptyOnlyExact
        if lookup_name == "isnull":
            return IsNull
        raise FieldError(
            f"“{self.verbose_name}”加密存储，不能按“{lookup_name}”查询或比较；按摘要字段精确查找（petitions/pii.py）。"
        )

    def get_transform(self, name):
        return None  # no transforms either (contrib.postgres would offer unaccent, trigram … on text)


class EmptyOnlyExact(Exact):
    """`= ""` only (is the value absent?): any other value would be compared with a fresh ciphertext."""

    def get_prep_lookup(self):
        if self.rhs != "":
            raise FieldError(
                f"“{self.lhs.output_field.verbose_name}”加密存储，不能按值查找；按摘要字段精确查找（petitions/pii.py）。"
            )
        return ""


def encrypted_columns() -> list[tuple[type[models.Model], list[str]]]:
    """Every model with encrypted fields, and their column names."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        columns = [f.column for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField)]
        if columns:
            found.append((model, columns))
    return found


def rewrite_rows(
    connection, table: str, pk: str, columns: list[str], change, *, batch_size: int = 1000, write: bool = True
) -> int:
    """Pass every stored value of `columns` through `change` (stored → new stored, or None to keep it), on the raw
    column (no field conversion), `batch_size` rows at a time in primary-key order, each batch in one
    transaction; the number of rows changed (`write=False`: only counted). Used by the migration that
    encrypts and by rotate_pii_key."""
    from django.db import transaction

    qn = connection.ops.quote_name
    select = f"SELECT {qn(pk)}, {', '.join(map(qn, columns))} FROM {qn(table)}"
    update = f"UPDATE {qn(table)} SET {', '.join(f'{qn(c)} = %s' for c in columns)} WHERE {qn(pk)} = %s"
    last, written = None, 0
    while True:
        with connection.cursor() as cursor:
            if last is None:
                cursor.execute(f"{select} ORDER BY {qn(pk)} LIMIT %s", [batch_size])
            else:
                cursor.execute(f"{select} WHERE {qn(pk)} > %s ORDER BY {qn(pk)} LIMIT %s", [last, batch_size])
            rows = cursor.fetchall()
        if not rows:
            return written
        params = []
        for row_pk, *values in rows:
            new = [change(v) for v in values]
            if any(n is not None for n in new):
                params.append([v if n is None else n for n, v in zip(new, values, strict=True)] + [row_pk])
        if params and write:
            with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
                cursor.executemany(update, params)
        written += len(params)
        last = rows[-1][0]
