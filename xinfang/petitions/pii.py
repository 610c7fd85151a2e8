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


def normal_landline(value: str) -> str:
    """The line of a fixed-line number: area code and number without separators or extension (0837-1234567-801
    and (0837)1234567 → 08371234567), or the cleaned input if it is none."""
    try:
        line = validators.normalize_landline(unicodedata.normalize("NFKC", value or ""))
    except ValidationError:
        return _clean(value)
    return "".join(line.split("-")[:2])


def name_key(name: str) -> str:
    """The name as it sounds: pinyin without tones, letters only, lower case (张伟, 章伟 → "zhangwei"; 阿依·买买提
    → "ayimaimaiti"), so that a name written with another character of the same sound finds the same person.
    Not a secret: names are stored in plain text."""
    from pypinyin import lazy_pinyin

    letters = re.sub(r"[\W_]", "", unicodedata.normalize("NFKC", name or ""))
    return "".join(lazy_pinyin(letters)).lower()


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


def landline_hash(value: str) -> str:
    """The lookup hash of a fixed-line number as typed or stored ("" for none)."""
    return _hash("landline", normal_landline(value))


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
    """Recompute every petitioner's hashes (after the key changed, and in the migrations that add them); the
    landline hash and the name's pinyin too where the model (a migration's historical one) has them."""
    fields = {f.name for f in petitioner_model._meta.get_fields()}
    extra = [f for f in ("landline_hash", "name_key") if f in fields]
    columns = ["id_number_hash", "mobile_hash", *extra]
    batch, count = [], 0
    for p in petitioner_model.objects.only("pk", "id_number", "mobile", "landline", "name").iterator(
        chunk_size=2000
    ):
        derived = hashes(id_number=p.id_number, mobile=p.mobile)
        if extra:
            derived.update(landline_hash=landline_hash(p.landline), name_key=name_key(p.name))
        for field, value in derived.items():
            setattr(p, field, value)
        batch.append(p)
        if len(batch) == 2000:
            count += petitioner_model.objects.bulk_update(batch, columns)
            batch = []
    if batch:
        count += petitioner_model.objects.bulk_update(batch, columns)
    return count
