"""Keyed hashes of personal identifiers (ID number, mobile) for exact lookup without reading the plain value.

`Petitioner.id_number_hash` and `Petitioner.mobile_hash` hold HMAC-SHA256 of the NORMALISED value (the form
the intake services store: 18-character ID number with upper-case X, 11-digit mobile), so that whatever a user
types — spaces, full-width digits, a 15-digit legacy ID, a +86 prefix — finds the same row. The search box and
similar_matters look people up by these hashes only; the plain columns can then be encrypted at rest without
losing exact search (another change relies on this module: keep the normalisation and the key here, nowhere
else).

The key is XINFANG_PII_HASH_KEY (settings, from the environment). Without it (development, tests) the key is
derived from SECRET_KEY. Changing the key means recomputing every stored hash (`refill_hashes`).
"""

import hashlib
import hmac
import re
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError

from xinfang.core import validators

_NOISE = re.compile(r"[\s\-‐－—–()（）]")


def _key() -> bytes:
    key = getattr(settings, "XINFANG_PII_HASH_KEY", "")
    if key:
        return key.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"xinfang:pii-hash:v1", hashlib.sha256).digest()


def _clean(value: str) -> str:
    """Full-width digits and letters to ASCII (NFKC), separators removed, upper case."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", value or "")).upper()


def normal_id_number(value: str) -> str:
    """The stored form of an ID number: a valid resident ID (18 or legacy 15 digits) becomes its 18-character
    form; anything else (passport, other documents, a number that fails its check) is kept cleaned."""
    cleaned = _clean(value)
    if len(cleaned) in (15, 18):
        try:
            return validators.normalize_id_number(cleaned)
        except ValidationError:
            pass
    return cleaned


def normal_mobile(value: str) -> str:
    """The stored form of a mobile number (11 digits without +86/0086), or the cleaned input if it is none."""
    cleaned = _clean(value)
    try:
        return validators.normalize_mobile(cleaned)
    except ValidationError:
        return cleaned


def _hash(kind: str, normal: str) -> str:
    if not normal:
        return ""
    return hmac.new(_key(), f"{kind}:{normal}".encode(), hashlib.sha256).hexdigest()


def id_number_hash(value: str) -> str:
    """The lookup hash of an ID number as typed or stored ("" for none)."""
    return _hash("id", normal_id_number(value))


def mobile_hash(value: str) -> str:
    """The lookup hash of a mobile number as typed or stored ("" for none)."""
    return _hash("mobile", normal_mobile(value))


def id_number_lookup_hashes(value: str) -> list[str]:
    """The hashes to look an ID number up by: of its stored form, and of the cleaned input in case it was
    stored as typed (a number that is not a valid resident ID)."""
    return sorted({id_number_hash(value), _hash("id", _clean(value))} - {""})


def hashes(*, id_number: str, mobile: str) -> dict[str, str]:
    """The hash columns of a petitioner with these plain values (for create and update alike)."""
    return {"id_number_hash": id_number_hash(id_number), "mobile_hash": mobile_hash(mobile)}


def looks_like_id_number(value: str) -> bool:
    return bool(re.fullmatch(r"\d{15}|\d{17}[\dX]", _clean(value)))


def looks_like_mobile(value: str) -> bool:
    return bool(re.fullmatch(r"1[3-9]\d{9}", normal_mobile(value)))


def refill_hashes(petitioner_model) -> int:
    """Recompute every petitioner's hashes (after the key changed, and in the migration that adds them)."""
    batch, count = [], 0
    for p in petitioner_model.objects.only("pk", "id_number", "mobile").iterator(chunk_size=2000):
        for field, value in hashes(id_number=p.id_number, mobile=p.mobile).items():
            setattr(p, field, value)
        batch.append(p)
        if len(batch) == 2000:
            count += petitioner_model.objects.bulk_update(batch, ["id_number_hash", "mobile_hash"])
            batch = []
    if batch:
        count += petitioner_model.objects.bulk_update(batch, ["id_number_hash", "mobile_hash"])
    return count
