"""ID numbers (GB 11643), phone numbers and display masking."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError

from xinfang.core.validators import (
    id_number_info,
    mask_id_number,
    mask_name,
    mask_phone,
    normalize_id_number,
    normalize_landline,
    normalize_mobile,
)

TODAY = date(2024, 6, 1)


def with_check_digit(first17: str) -> str:
    """Independent ISO 7064 MOD 11-2 implementation, to build test numbers."""
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    remainder = (12 - sum(int(c) * w for c, w in zip(first17, weights, strict=True)) % 11) % 11
    return first17 + ("X" if remainder == 10 else str(remainder))


def error_code(exc_info: pytest.ExceptionInfo[ValidationError]) -> str | None:
    return exc_info.value.code


# --- ID numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("11010519491231002X", "11010519491231002X"),
        ("11010519491231002x", "11010519491231002X"),  # lowercase x accepted, stored upper-case
        (" 120223198902021249 ", "120223198902021249"),
        ("440524188001010014", "440524188001010014"),  # born 1880: accepted (GB 11643 example)
        ("110105491231002", "11010519491231002X"),  # legacy 15-digit number upgraded
    ],
)
def test_valid_id_numbers(number, expected):
    assert normalize_id_number(number, today=TODAY) == expected


def test_helper_agrees_with_published_vectors():
    assert with_check_digit("11010519491231002") == "11010519491231002X"
    assert with_check_digit("44052418800101001") == "440524188001010014"


@pytest.mark.parametrize(
    ("number", "code", "words"),
    [
        ("130402198207290622", "id_checksum", "校验码错误"),
        ("530102192005080119", "id_checksum", "校验码错误"),
        ("11010519491231002", "id_length", "位数不对"),
        ("1101051949123100211", "id_length", "位数不对"),
        ("", "id_length", "位数不对"),
        ("11010519491231002A", "id_format", "格式不对"),
        ("1101054912310X2", "id_format", "数字"),
        (with_check_digit("51130219900230123"), "id_birth_date", "出生日期无效"),  # 2月30日
        (with_check_digit("51130219990229123"), "id_birth_date", "出生日期无效"),  # 1999 not a leap year
        (with_check_digit("51130219901301123"), "id_birth_date", "出生日期无效"),  # month 13
        (with_check_digit("51130220240602123"), "id_birth_date", "出生日期无效"),  # after TODAY
        (with_check_digit("51130218791231123"), "id_birth_date", "出生日期无效"),  # before 1880
        ("110105491331002", "id_birth_date", "出生日期无效"),  # 15-digit, month 13
        (with_check_digit("00010519491231002"), "id_region", "地区码无效"),
        (with_check_digit("99010519491231002"), "id_region", "地区码无效"),
        (with_check_digit("16010519491231002"), "id_region", "地区码无效"),
        ("160105491231002", "id_region", "地区码无效"),
    ],
)
def test_invalid_id_numbers(number, code, words):
    with pytest.raises(ValidationError) as exc_info:
        normalize_id_number(number, today=TODAY)
    assert error_code(exc_info) == code
    assert words in exc_info.value.messages[0]


def test_checksum_message_names_the_expected_digit():
    with pytest.raises(ValidationError, match="应为 4"):
        normalize_id_number("130402198207290622", today=TODAY)


def test_leap_day_birth_is_valid():
    number = with_check_digit("51130220000229123")
    assert normalize_id_number(number, today=TODAY) == number


def test_birth_today_is_valid_and_tomorrow_is_not():
    assert normalize_id_number(with_check_digit("51130220240601123"), today=TODAY)
    with pytest.raises(ValidationError):
        normalize_id_number(with_check_digit("51130220240602123"), today=TODAY)


def test_future_birth_date_uses_the_current_date_by_default():
    number = with_check_digit("51130220300101123")
    with time_machine.travel(date(2029, 12, 31)), pytest.raises(ValidationError, match="晚于今天"):
        normalize_id_number(number)
    with time_machine.travel(date(2030, 1, 2)):
        assert normalize_id_number(number) == number


@pytest.mark.parametrize("province", ["11", "15", "23", "37", "46", "54", "65", "71", "81", "82", "83"])
def test_province_codes_accepted(province):
    number = with_check_digit(province + "010519491231002")
    assert normalize_id_number(number, today=TODAY) == number


def test_id_number_info():
    assert id_number_info("11010519491231002X", today=TODAY) == (date(1949, 12, 31), "F")
    info = id_number_info("440524188001010014", today=TODAY)
    assert (info.birth_date, info.sex) == (date(1880, 1, 1), "M")
    assert id_number_info("110105491231002", today=TODAY).birth_date == date(1949, 12, 31)
    with pytest.raises(ValidationError):
        id_number_info("130402198207290622", today=TODAY)


# --- phones --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13900000000", "13900000000"),
        ("139 0000 0000", "13900000000"),
        ("139-0000-0000", "13900000000"),
        ("+86 139 0000 0000", "13900000000"),
        ("+8613900000000", "13900000000"),
        ("0086-139-0000-0000", "13900000000"),
        (" 19912345678 ", "19912345678"),
    ],
)
def test_normalize_mobile(raw, expected):
    assert normalize_mobile(raw) == expected


@pytest.mark.parametrize(
    "raw", ["12900000000", "1390000000", "139000000000", "23900000000", "139abcd0000", "", "0837-1234567"]
)
def test_invalid_mobile(raw):
    with pytest.raises(ValidationError, match="手机号码格式不对"):
        normalize_mobile(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0837-1234567", "0837-1234567"),
        ("08371234567", "0837-1234567"),
        ("0837 1234567", "0837-1234567"),
        ("(0837)1234567", "0837-1234567"),
        ("（0837）1234567", "0837-1234567"),
        ("0837-12345678", "0837-12345678"),
        ("010-12345678", "010-12345678"),
        ("01012345678", "010-12345678"),
        ("021 6123 4567", "021-61234567"),
        ("+86 837 1234567", "0837-1234567"),
        ("0837-1234567-801", "0837-1234567-801"),
        ("0837-1234567转801", "0837-1234567-801"),
        ("0837 1234567 ext. 12", "0837-1234567-12"),
    ],
)
def test_normalize_landline(raw, expected):
    assert normalize_landline(raw) == expected


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("1234567", "区号"),
        ("0837-123456", "7–8位"),
        ("0837-123456789", "7–8位"),
        ("0837-0234567", "不以0开头"),
        ("0837-12a4567", "只能包含数字"),
        ("13900000000", "手机号码"),
        ("", "为空"),
    ],
)
def test_invalid_landline(raw, words):
    with pytest.raises(ValidationError) as exc_info:
        normalize_landline(raw)
    assert words in exc_info.value.messages[0]


# --- masking -------------------------------------------------------------------------------------


def test_mask_id_number():
    assert mask_id_number("513201199001011234") == "5132**********1234"
    assert mask_id_number("11010519491231002X") == "1101**********002X"
    assert mask_id_number("110105491231002") == "1101*******1002"
    assert mask_id_number("12345678") == "********"
    assert mask_id_number("") == ""


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("13900000000", "139****0000"),
        ("+86 139 1234 5678", "139****5678"),
        ("0837-1234567", "0837-*****67"),
        ("010-12345678", "010-******78"),
        ("0837-1234567-801", "0837-*****67"),
        ("12345", "***45"),
        ("12", "**"),
        ("", ""),
    ],
)
def test_mask_phone(raw, masked):
    assert mask_phone(raw) == masked


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("张三", "张*"),
        ("张三丰", "张*"),
        ("欧阳娜娜", "欧阳*"),
        ("司马光", "司马*"),
        ("欧阳", "欧*"),
        ("李", "*"),
        ("阿依古丽·买买提", "阿*"),
        ("", ""),
    ],
)
def test_mask_name(raw, masked):
    assert mask_name(raw) == masked
