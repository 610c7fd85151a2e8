"""Validation, normalisation and masking of identity data: ID numbers (GB 11643), phone numbers, names.

Normalisers return the canonical stored form or raise ``ValidationError`` with a Chinese message
that says what is wrong. Maskers are for display (脱敏) and never raise.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal, NamedTuple

from django.core.exceptions import ValidationError

# GB 11643-1999 check digit: ISO 7064 MOD 11-2.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"

# First two digits of the address code (省级行政区划代码, GB/T 2260), incl. 71 台湾, 81 香港, 82 澳门,
# 83 港澳台居民居住证.
PROVINCE_CODES: frozenset[str] = frozenset(
    [str(c) for c in range(11, 16)]
    + [str(c) for c in range(21, 24)]
    + [str(c) for c in range(31, 38)]
    + [str(c) for c in range(41, 47)]
    + [str(c) for c in range(50, 55)]
    + [str(c) for c in range(61, 66)]
    + ["71", "81", "82", "83"]
)

# Earliest accepted birth date. GB 11643 itself sets no lower bound and its published example
# 440524188001010014 is born in 1880, so we accept 1880 onwards rather than 1900.
MIN_BIRTH_DATE = date(1880, 1, 1)

Sex = Literal["M", "F"]


class IdNumberInfo(NamedTuple):
    birth_date: date
    sex: Sex  # "M" male (odd sequence digit), "F" female (even)


def _today() -> date:
    from django.conf import settings
    from django.utils import timezone

    if settings.configured and settings.USE_TZ:
        return timezone.localdate()
    return date.today()


def id_check_digit(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    total = sum(int(ch) * w for ch, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def _parse_birth(yyyymmdd: str, today: date) -> date:
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        raise ValidationError(
            f"身份证号码出生日期无效：{yyyymmdd} 不是真实的日期", code="id_birth_date"
        ) from None
    if born > today:
        raise ValidationError(f"身份证号码出生日期无效：{born.isoformat()} 晚于今天", code="id_birth_date")
    if born < MIN_BIRTH_DATE:
        raise ValidationError(
            f"身份证号码出生日期无效：{born.isoformat()} 早于 {MIN_BIRTH_DATE.year} 年", code="id_birth_date"
        )
    return born


def _check_region(number: str) -> None:
    if number[:2] not in PROVINCE_CODES:
        raise ValidationError(
            f"身份证号码地区码无效：前两位 {number[:2]} 不是有效的省级行政区划代码", code="id_region"
        )


def normalize_id_number(s: str, *, today: date | None = None) -> str:
    """Validate a PRC resident ID number and return its 18-character form (check digit ``X`` upper-case).

    A legacy 15-digit number is upgraded: ``19`` is inserted before the two-digit year and the check
    digit computed. Only the province part of the address code is checked: county codes change
    every year and old codes stay valid on issued cards.
    """
    today = today or _today()
    value = s.strip().upper()
    if len(value) == 15:
        if not value.isdigit():
            raise ValidationError("15位旧身份证号码只能包含数字", code="id_format")
        _check_region(value)
        _parse_birth("19" + value[6:12], today)
        first17 = value[:6] + "19" + value[6:]
        return first17 + id_check_digit(first17)
    if len(value) != 18:
        raise ValidationError(
            f"身份证号码位数不对：应为18位（或15位旧号码），实际为{len(value)}位", code="id_length"
        )
    if not re.fullmatch(r"\d{17}[\dX]", value):
        raise ValidationError("身份证号码格式不对：前17位须为数字，最后一位为数字或X", code="id_format")
    _check_region(value)
    _parse_birth(value[6:14], today)
    expected = id_check_digit(value[:17])
    if value[17] != expected:
        raise ValidationError(
            f"身份证号码校验码错误：最后一位应为 {expected}，请核对号码是否抄错", code="id_checksum"
        )
    return value


def id_number_info(s: str, *, today: date | None = None) -> IdNumberInfo:
    """Birth date and sex encoded in an ID number (validated first; 15-digit numbers accepted)."""
    number = normalize_id_number(s, today=today)
    born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    sex: Sex = "M" if int(number[16]) % 2 == 1 else "F"
    return IdNumberInfo(born, sex)


_SEPARATORS = re.compile(r"[\s\-‐－—–()（）]")


def _strip_country_code(value: str) -> tuple[str, bool]:
    for prefix in ("+86", "0086"):
        if value.startswith(prefix):
            return value[len(prefix) :], True
    return value, False


def normalize_mobile(s: str) -> str:
    """Return an 11-digit mainland mobile number; ``+86``/``0086``, spaces and dashes are removed."""
    value, _ = _strip_country_code(_SEPARATORS.sub("", s.strip()))
    if not re.fullmatch(r"1[3-9]\d{9}", value):
        raise ValidationError(
            f"手机号码格式不对：应为以13–19开头的11位数字，收到“{s.strip()}”", code="mobile_format"
        )
    return value


_EXTENSION = re.compile(r"\s*(?:转|分机|ext\.?|x|#)\s*(\d{1,6})\s*$", re.IGNORECASE)


def normalize_landline(s: str) -> str:
    """Return a fixed-line number as ``0837-1234567`` (``0837-1234567-801`` with an extension).

    Area codes: ``010`` and ``02x`` have three digits, all others four (0 + 3); the local number
    has 7–8 digits and does not start with 0. The area code is required.
    """
    raw = s.strip()
    extension = ""
    m = _EXTENSION.search(raw)
    if m:
        extension, raw = m.group(1), raw[: m.start()]
    raw, international = _strip_country_code(raw.strip())
    parts = [p for p in _SEPARATORS.split(raw) if p]
    if (
        not extension
        and len(parts) == 3
        and parts[0].startswith("0")
        and re.fullmatch(r"[1-9]\d{6,7}", parts[1])
        and len(parts[2]) <= 6
    ):
        # "0837-1234567-801": a third group after a complete number is the extension
        # (but "021 6123 4567" is one number written in groups).
        extension = parts.pop()
    digits = "".join(parts)
    if international and not digits.startswith("0") and not digits.startswith("1"):
        digits = "0" + digits
    if not digits:
        raise ValidationError("固定电话号码为空", code="landline_empty")
    if not digits.isdigit():
        raise ValidationError(
            f"固定电话格式不对：只能包含数字、空格和短横线，收到“{s.strip()}”", code="landline_format"
        )
    if re.fullmatch(r"1[3-9]\d{9}", digits):
        raise ValidationError(f"“{s.strip()}”是手机号码，请填入手机号码栏", code="landline_is_mobile")
    if not digits.startswith("0"):
        raise ValidationError(f"固定电话须带区号（以0开头），收到“{s.strip()}”", code="landline_area")
    area_len = 3 if digits[1] in "12" else 4
    area, local = digits[:area_len], digits[area_len:]
    if not re.fullmatch(r"[1-9]\d{6,7}", local):
        raise ValidationError(
            f"固定电话格式不对：区号{area}后应为7–8位号码（不以0开头），收到“{s.strip()}”",
            code="landline_format",
        )
    return f"{area}-{local}" + (f"-{extension}" if extension else "")


def mask_id_number(s: str) -> str:
    """Show the first 4 and last 4 characters: ``5132**********1234``. Short input is fully masked."""
    value = s.strip()
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(s: str) -> str:
    """Mobile ``139****0000``; landline keeps the area code and the last 2 digits: ``0837-*****67``."""
    value = s.strip()
    try:
        mobile = normalize_mobile(value)
    except ValidationError:
        pass
    else:
        return mobile[:3] + "****" + mobile[-4:]
    try:
        landline = normalize_landline(value)
    except ValidationError:
        digits = re.sub(r"\D", "", value)
        return "*" * max(len(digits) - 2, 0) + digits[-2:] if len(digits) > 2 else "*" * len(digits)
    area, local = landline.split("-")[:2]
    return f"{area}-{'*' * (len(local) - 2)}{local[-2:]}"


# Common two-character surnames (复姓); any other name is taken to have a one-character surname.
COMPOUND_SURNAMES: frozenset[str] = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 司空 夏侯 令狐 端木 南宫 西门 独孤 轩辕 "
    "呼延 澹台 公冶 宗政 濮阳 淳于 单于 太叔 申屠 钟离 闾丘 东郭 百里 万俟 第五".split()
)


def mask_name(s: str) -> str:
    """Surname followed by a single ``*`` (``张*``, ``欧阳*``); the length of the given name is hidden."""
    value = s.strip()
    if len(value) <= 1:
        return "*" * len(value)
    surname = value[:2] if value[:2] in COMPOUND_SURNAMES and len(value) > 2 else value[:1]
    return surname + "*"
