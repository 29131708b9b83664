"""Identity numbers (GB 11643, GB 32100, passports, permits), phones and masking."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hallterm.domain.ids import (
    USCC_ALPHABET,
    IdError,
    IdType,
    birth_date,
    id_type_label,
    mask_id,
    resident_id_check_char,
    uscc_check_char,
    validate_foreign_permanent,
    validate_hk_macao_permit,
    validate_hmt_residence,
    validate_id,
    validate_passport,
    validate_phone,
    validate_resident_id,
    validate_taiwan_permit,
    validate_uscc,
)
from hallterm.i18n import set_language

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


@pytest.fixture(autouse=True)
def chinese() -> Iterator[None]:
    set_language("zh_CN")
    yield
    set_language("zh_CN")


@pytest.fixture
def english() -> Iterator[None]:
    set_language("en")
    try:
        yield
    finally:
        set_language("zh_CN")


def gb11643_check(first17: str) -> str:
    """The standard's formula written out independently of the module."""
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def gb32100_check(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def make_rid(region: str, born: date, seq: str) -> str:
    body = f"{region}{born:%Y%m%d}{seq}"
    return body + gb11643_check(body)


# --- resident ID ---------------------------------------------------------------------------


def test_known_valid_resident_id_sample() -> None:
    # Σ a_i·w_i over 11010519491231002 = 167; 167 mod 11 = 2 → "10X98765432"[2] = "X"
    assert gb11643_check("11010519491231002") == "X"
    assert validate_resident_id("11010519491231002X") == "11010519491231002X"


def test_lower_case_x_and_spaces() -> None:
    assert validate_resident_id("  11010519491231002x \t") == "11010519491231002X"


def test_full_width_input_is_folded() -> None:
    assert validate_resident_id("１１０１０５１９４９１２３１００２Ｘ") == "11010519491231002X"


def test_generated_samples_validate() -> None:
    samples = [
        make_rid("440304", date(1985, 7, 15), "123"),
        make_rid("310101", date(2000, 2, 29), "001"),
        make_rid("110101", date(1900, 1, 1), "000"),
    ]
    for rid in samples:
        assert validate_resident_id(rid) == rid
        assert resident_id_check_char(rid[:17]) == rid[17]
    # 810000/820000/830000 are the residence permits of HK/Macao/Taiwan residents (issue 13)
    permit = make_rid("820000", date(1990, 1, 1), "999")
    assert validate_hmt_residence(permit) == permit
    with pytest.raises(IdError, match="港澳台居民居住证"):
        validate_resident_id(permit)


def test_hand_computed_check() -> None:
    # 44030419850715123?: Σ a_i·w_i = 4·7+4·9+0·10+3·5+0·8+4·4+1·2+9·1+8·6+5·3+0·7+7·9+1·10
    #   +5·5+1·8+2·4+3·2 = 289; 289 mod 11 = 3 → "10X98765432"[3] = "9"
    assert resident_id_check_char("44030419850715123") == "9"
    assert validate_resident_id("440304198507151239") == "440304198507151239"


def test_wrong_check_char_names_expected() -> None:
    with pytest.raises(IdError) as exc:
        validate_resident_id("110105194912310021")
    assert str(exc.value) == "第18位校验码应为 X"


def test_wrong_length() -> None:
    with pytest.raises(IdError) as exc:
        validate_resident_id("11010519491231002")
    assert str(exc.value) == "居民身份证号码应为18位，实际为17位"
    with pytest.raises(IdError, match="15"):
        validate_resident_id("110105491231002")  # a first-generation 15-digit number


def test_empty() -> None:
    with pytest.raises(IdError) as exc:
        validate_resident_id("   ")
    assert str(exc.value) == "居民身份证号码不能为空"


def test_non_digit_position() -> None:
    with pytest.raises(IdError) as exc:
        validate_resident_id("1101051949A231002X")
    assert str(exc.value) == "第11位应为数字，实际为“A”"
    with pytest.raises(IdError) as exc:
        validate_resident_id("11010519491231002Y")
    assert str(exc.value) == "第18位应为数字或 X，实际为“Y”"


def test_region_first_digit() -> None:
    rid = make_rid("910101", date(1980, 1, 1), "001")
    with pytest.raises(IdError) as exc:
        validate_resident_id(rid)
    assert str(exc.value) == "以9开头的号码是外国人永久居留身份证号码，请选择该证件类型"
    with pytest.raises(IdError) as exc:
        validate_resident_id(make_rid("010101", date(1980, 1, 1), "001"))
    assert str(exc.value) == "第1位（地址码）应为1–8，实际为“0”"


def test_birth_date_feb_30() -> None:
    rid = make_rid("110105", date(2023, 2, 1), "002")
    rid = rid[:6] + "20230230" + rid[14:17]
    rid += gb11643_check(rid)
    with pytest.raises(IdError) as exc:
        validate_resident_id(rid)
    assert str(exc.value) == "出生日期 20230230 不存在"


def test_birth_date_not_leap_year() -> None:
    body = "110105" + "19000229" + "001"  # 1900 is not a leap year
    with pytest.raises(IdError, match="19000229 不存在"):
        validate_resident_id(body + gb11643_check(body))


def test_birth_date_future_and_too_old() -> None:
    rid = make_rid("110105", date(2030, 5, 1), "001")
    with pytest.raises(IdError) as exc:
        validate_resident_id(rid, today=date(2026, 1, 1))
    assert str(exc.value) == "出生日期 20300501 晚于今天"
    assert validate_resident_id(rid, today=date(2030, 5, 1)) == rid  # born today is fine
    body = "110105" + "18991231" + "001"
    with pytest.raises(IdError) as exc:
        validate_resident_id(body + gb11643_check(body))
    assert str(exc.value) == "出生日期 18991231 早于1900年"


def test_birth_date() -> None:
    assert birth_date("11010519491231002x") == date(1949, 12, 31)
    with pytest.raises(IdError):
        birth_date("110105194912310021")


VALID_BODY = st.builds(
    lambda region, born, seq: f"{region}{born:%Y%m%d}{seq:03d}",
    st.integers(100000, 899999).map(str),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)),
    st.integers(0, 999),
)


@given(VALID_BODY)
def test_property_valid_ids_validate(body: str) -> None:
    rid = body + gb11643_check(body)
    assert validate_resident_id(rid) == rid
    assert validate_resident_id(rid.lower()) == rid


@given(
    VALID_BODY,
    st.integers(0, 17),
    st.characters(codec="utf-8", exclude_categories=("Cs",)),
)
def test_property_single_change_rejected(body: str, position: int, char: str) -> None:
    rid = body + gb11643_check(body)
    # Case changes of the check X and Unicode look-alikes that fold to the same ASCII
    # character (full-width digits) are the same number, not a change.
    from unicodedata import normalize

    if normalize("NFKC", char).upper() == rid[position]:
        return
    changed = rid[:position] + char + rid[position + 1 :]
    with pytest.raises(IdError):
        validate_resident_id(changed)


# --- USCC ----------------------------------------------------------------------------------


def test_known_valid_uscc() -> None:
    assert gb32100_check("91350100M000100Y4") == "3"
    assert validate_uscc("91350100M000100Y43") == "91350100M000100Y43"
    assert validate_uscc(" 91350100m000100y43 ") == "91350100M000100Y43"


def test_uscc_hand_computed() -> None:
    # 91350100M000100Y4: values 9 1 3 5 0 1 0 0 M=21 0 0 0 1 0 0 Y=30 4
    total = 9 * 1 + 1 * 3 + 3 * 9 + 5 * 27 + 0 + 1 * 26 + 0 + 0 + 21 * 20 + 0 + 0 + 0 + 1 * 8
    total += 0 + 0 + 30 * 30 + 4 * 28
    assert total == 1640
    assert (31 - total % 31) % 31 == 3
    assert uscc_check_char("91350100M000100Y4") == "3"


def test_uscc_generated() -> None:
    for body in (
        "12100000400000624",
        "51440300MJL012345",
        "Y1110000MA0000001",
        "N2320100MC1234567",
    ):
        code = body + gb32100_check(body)
        assert validate_uscc(code) == code


def test_uscc_wrong_check() -> None:
    with pytest.raises(IdError) as exc:
        validate_uscc("91350100M000100Y44")
    assert str(exc.value) == "第18位校验码应为 3"


def test_uscc_bad_characters_and_kinds() -> None:
    with pytest.raises(IdError) as exc:
        validate_uscc("91350100M000100I43")
    assert str(exc.value).startswith("第16位“I”不是统一社会信用代码允许的字符")
    with pytest.raises(IdError) as exc:
        validate_uscc("01350100M000100Y43")
    assert str(exc.value) == "第1位（登记管理部门代码）应为1–9、A、N 或 Y，实际为“0”"
    with pytest.raises(IdError) as exc:
        validate_uscc("90350100M000100Y43")
    assert str(exc.value) == "第2位（机构类别代码）应为1–9，实际为“0”"
    with pytest.raises(IdError) as exc:
        validate_uscc("91350100M000100Y4")
    assert str(exc.value) == "统一社会信用代码应为18位，实际为17位"


USCC_BODY = st.builds(
    lambda a, k, division, rest: a + k + "".join(division) + "".join(rest),
    st.sampled_from("123456789ANY"),
    st.sampled_from("123456789"),
    st.lists(st.sampled_from("0123456789"), min_size=6, max_size=6),  # GB 32100 positions 3–8
    st.lists(st.sampled_from(USCC_ALPHABET), min_size=9, max_size=9),
)


@given(USCC_BODY, st.integers(0, 17), st.sampled_from(USCC_ALPHABET + "IOSVZ-"))
def test_property_uscc_single_change_rejected(body: str, position: int, char: str) -> None:
    code = body + gb32100_check(body)
    assert validate_uscc(code) == code
    if char == code[position]:
        return
    with pytest.raises(IdError):
        validate_uscc(code[:position] + char + code[position + 1 :])


# --- passport and permits ------------------------------------------------------------------


def test_passport() -> None:
    assert validate_passport("e12345678") == "E12345678"
    assert validate_passport("G12345678") == "G12345678"
    assert validate_passport("X1234") == "X1234"
    with pytest.raises(IdError) as exc:
        validate_passport("E123")
    assert str(exc.value) == "护照号码应为5至17位字母或数字，实际为4位"
    with pytest.raises(IdError) as exc:
        validate_passport("E1234-678")
    assert str(exc.value) == "第6位“-”应为字母或数字"
    with pytest.raises(IdError):
        validate_passport("A" * 18)


def test_hk_macao_permit() -> None:
    assert validate_hk_macao_permit("h12345678") == "H12345678"
    assert validate_hk_macao_permit("M1234567801") == "M1234567801"
    with pytest.raises(IdError) as exc:
        validate_hk_macao_permit("C12345678")
    assert str(exc.value) == "通行证号码应以 H（香港）或 M（澳门）开头，实际为“C”"
    with pytest.raises(IdError) as exc:
        validate_hk_macao_permit("H123456789")
    assert str(exc.value) == "通行证号码字母后应为8位或10位数字，实际为9位"
    with pytest.raises(IdError) as exc:
        validate_hk_macao_permit("H1234A678")
    assert str(exc.value) == "第6位应为数字，实际为“A”"


def test_taiwan_permit() -> None:
    assert validate_taiwan_permit("12345678") == "12345678"
    assert validate_taiwan_permit("1234567801") == "1234567801"
    with pytest.raises(IdError) as exc:
        validate_taiwan_permit("123456789")
    assert str(exc.value) == "台湾居民来往大陆通行证号码应为8位或10位数字，实际为9位"
    with pytest.raises(IdError):
        validate_taiwan_permit("T1234567")


def test_validate_id_dispatch() -> None:
    assert validate_id(IdType.resident_id, "11010519491231002x") == "11010519491231002X"
    assert validate_id("uscc", "91350100m000100y43") == "91350100M000100Y43"
    assert validate_id("passport", "e12345678") == "E12345678"
    assert validate_id("hk_macao_permit", "H12345678") == "H12345678"
    assert validate_id("taiwan_permit", "12345678") == "12345678"
    with pytest.raises(IdError) as exc:
        validate_id("driving_licence", "123")
    assert str(exc.value) == "未知的证件类型“driving_licence”"


def test_id_type_labels() -> None:
    assert id_type_label(IdType.resident_id) == "居民身份证"
    assert id_type_label("passport") == "护照"
    assert id_type_label("hk_macao_permit") == "港澳居民来往内地通行证"
    assert id_type_label("taiwan_permit") == "台湾居民来往大陆通行证"
    assert id_type_label("uscc") == "统一社会信用代码"


# --- phone ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("13800138000", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("+86-13800138000", "13800138000"),
        ("8613800138000", "13800138000"),
        ("008619912345678", "19912345678"),
        ("010-12345678", "010-12345678"),
        ("01012345678", "010-12345678"),
        ("(010)12345678", "010-12345678"),
        ("0755-1234567", "0755-1234567"),
        ("075512345678", "0755-12345678"),
        ("02112345678", "021-12345678"),
        ("010-12345678-123", "010-12345678-123"),
        ("+86 10 12345678", "010-12345678"),
    ],
)
def test_phone_valid(raw: str, normal: str) -> None:
    assert validate_phone(raw) == normal


def test_phone_errors() -> None:
    with pytest.raises(IdError) as exc:
        validate_phone("1380013800")
    assert str(exc.value) == "手机号码应为11位，实际为10位"
    with pytest.raises(IdError) as exc:
        validate_phone("12800138000")
    assert str(exc.value) == "手机号码应以13–19开头，实际为“12”"
    with pytest.raises(IdError) as exc:
        validate_phone("138a0138000")
    assert str(exc.value).startswith("电话号码含有“a”")
    with pytest.raises(IdError) as exc:
        validate_phone("010-123456")
    assert str(exc.value) == "固定电话应为以0开头的区号加7–8位号码，实际为“010-123456”"
    with pytest.raises(IdError):
        validate_phone("12345")
    with pytest.raises(IdError):
        validate_phone("138+00138000")
    with pytest.raises(IdError) as exc:
        validate_phone("")
    assert str(exc.value) == "电话号码不能为空"


# --- masking -------------------------------------------------------------------------------


def test_mask_id() -> None:
    assert mask_id("11010519491231002X") == "110105********002X"
    assert len(mask_id("11010519491231002X")) == 18
    assert mask_id("91350100M000100Y43") == "913501********0Y43"
    assert mask_id("E12345678") == "*******78"
    assert mask_id("H1234567801") == "H12345*7801"
    assert mask_id("1234567890") == "********90"
    assert mask_id("AB") == "**"
    assert mask_id("A") == "*"
    assert mask_id("") == ""


@given(st.text(alphabet="0123456789ABX", min_size=1, max_size=30))
def test_property_mask_never_reveals_all(value: str) -> None:
    masked = mask_id(value)
    assert len(masked) == len(value)
    assert "*" in masked


# --- English -------------------------------------------------------------------------------


def test_messages_in_english(english: None) -> None:
    with pytest.raises(IdError) as exc:
        validate_resident_id("110105194912310021")
    assert str(exc.value) == "Check character (position 18) should be X"
    with pytest.raises(IdError) as exc:
        validate_resident_id("11010519491231002")
    assert str(exc.value) == "Resident ID number should have 18 characters, got 17"
    body = "110105" + "20230230" + "002"
    with pytest.raises(IdError) as exc:
        validate_resident_id(body + gb11643_check(body))
    assert str(exc.value) == "Birth date 20230230 does not exist"
    assert id_type_label("resident_id") == "Resident ID card"
    with pytest.raises(IdError) as exc:
        validate_uscc("91350100M000100Y44")
    assert str(exc.value) == "Check character (position 18) should be 3"


def test_language_switch_back() -> None:
    set_language("en")
    try:
        assert id_type_label("uscc") == "Unified social credit code"
    finally:
        set_language("zh_CN")
    assert id_type_label("uscc") == "统一社会信用代码"


# --- issue 13: separators, 15 digits, new ID types, division digits, landlines ----------------


def test_separators_and_15_digit_ids_are_named() -> None:
    with pytest.raises(IdError) as exc:
        validate_resident_id("110105 19491231 002X")
    assert str(exc.value) == "居民身份证号码不能含分隔符：第7位是空格"
    with pytest.raises(IdError) as exc:
        validate_resident_id("110105-19491231-002X")
    assert str(exc.value) == "居民身份证号码不能含分隔符：第7位是短横线“-”"
    with pytest.raises(IdError) as exc:
        validate_resident_id("110105491231002")
    assert str(exc.value) == "这是已停止使用的15位第一代身份证号码，请提供18位第二代居民身份证号码"
    with pytest.raises(IdError, match="分隔符"):
        validate_uscc("91350100M000100Y-43")


def test_uscc_division_digits() -> None:
    body = "91ABCDEF234415129"
    with pytest.raises(IdError) as exc:
        validate_uscc(body + gb32100_check(body))
    assert str(exc.value) == "第3–8位（登记管理机关行政区划码）应为数字，第3位是“A”"


def test_foreign_permanent_resident_id() -> None:
    good17 = "931" + "840" + "19850315" + "012"  # 9, province 31, USA 840, born, sequence
    number = good17 + resident_id_check_char(good17)
    assert validate_foreign_permanent(number) == number
    assert validate_id("foreign_permanent", number.lower()) == number
    with pytest.raises(IdError, match="第2–3位"):
        validate_foreign_permanent(
            "9" + "99" + number[3:17] + resident_id_check_char("999" + number[3:17])
        )
    with pytest.raises(IdError, match="校验码"):
        validate_foreign_permanent(good17 + ("0" if number[17] != "0" else "1"))
    with pytest.raises(IdError, match="2023"):
        validate_foreign_permanent("USA310085031501")
    with pytest.raises(IdError, match="外国人永久居留身份证"):
        validate_resident_id(number)
    with pytest.raises(IdError, match="出生日期"):
        bad = "931840" + "19850230" + "012"
        validate_foreign_permanent(bad + resident_id_check_char(bad))


def test_hk_macao_taiwan_residence_permit() -> None:
    for region in ("810000", "820000", "830000"):
        number = make_rid(region, date(1992, 6, 1), "005")
        assert validate_id("hmt_residence", number) == number
    with pytest.raises(IdError, match="810000"):
        validate_hmt_residence(make_rid("440304", date(1992, 6, 1), "005"))
    with pytest.raises(IdError, match="晚于今天"):
        validate_hmt_residence(make_rid("810000", date(2030, 1, 1), "005"), today=date(2026, 1, 1))
    assert id_type_label("foreign_permanent") == "外国人永久居留身份证"
    assert id_type_label("hmt_residence") == "港澳台居民居住证"


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("0755-1234-5678", "0755-12345678"),
        ("(0755)1234-5678", "0755-12345678"),
        ("010-12345678转123", "010-12345678-123"),
        ("0755-12345678 ext 8001", "0755-12345678-8001"),
        ("0755-12345678 EXT.8001", "0755-12345678-8001"),
        ("0599-86102201", "0599-86102201"),
    ],
)
def test_landline_forms(raw: str, normal: str) -> None:
    assert validate_phone(raw) == normal


@pytest.mark.parametrize("raw", ["011-12345678", "0300-1234567", "019-12345678"])
def test_impossible_area_codes(raw: str) -> None:
    with pytest.raises(IdError) as exc:
        validate_phone(raw)
    assert str(exc.value) == f"区号 {raw.split('-')[0]} 不存在"
