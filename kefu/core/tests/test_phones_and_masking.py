import pytest
from hypothesis import given
from hypothesis import strategies as st

from kefu.core.errors import FieldError
from kefu.core.masking import mask_address, mask_id_number, mask_phone
from kefu.core.phones import parse_phone


@pytest.mark.parametrize(
    ("raw", "number", "extension", "kind"),
    [
        ("13812345678", "13812345678", "", "mobile"),
        ("138 1234 5678", "13812345678", "", "mobile"),
        ("+86 138-1234-5678", "13812345678", "", "mobile"),
        ("008613812345678", "13812345678", "", "mobile"),
        ("8613812345678", "13812345678", "", "mobile"),
        ("013812345678", "13812345678", "", "mobile"),  # a PBX adds the trunk 0
        ("021-62345678", "02162345678", "", "landline"),
        ("(021)6234 5678", "02162345678", "", "landline"),
        ("010 6234 5678 转 801", "01062345678", "801", "landline"),
        ("0755-26543210 ext. 12", "075526543210", "12", "landline"),
        ("02885123456分机3", "02885123456", "3", "landline"),
        ("400-820-8820", "4008208820", "", "landline"),
    ],
)
def test_chinese_numbers_normalise_to_one_stored_form(raw, number, extension, kind):
    phone = parse_phone(raw)
    assert (phone.number, phone.extension, phone.kind) == (number, extension, kind)


@pytest.mark.parametrize("raw", ["", "12345", "abc", "+1 415 555 0100", "1381234567", "021-1234", "13812345678x"])
def test_bad_numbers_are_refused_naming_the_field(raw):
    with pytest.raises(FieldError) as info:
        parse_phone(raw, field="phones[2].number")
    assert info.value.field == "phones[2].number"
    assert info.value.message_zh and info.value.message_en
    assert info.value.message_zh != info.value.message_en or not raw


def test_display_format():
    assert parse_phone("13812345678").display == "138 1234 5678"
    assert parse_phone("021-62345678转801").display == "021-62345678 转 801"
    assert parse_phone("0755-26543210").display == "0755-26543210"


def test_masks():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("02162345678") == "021****5678"
    assert mask_phone("075526543210") == "0755****3210"
    assert mask_id_number("310115198805061234") == "3101**********1234"
    assert mask_address("上海市浦东新区张江路88号3楼") == "上海市浦东新区****"
    assert mask_address("广东省深圳市南山区科技园路1号") == "广东省深圳市南山区****"


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_a_masked_mobile_never_shows_the_middle_digits(number):
    masked = mask_phone(number)
    assert masked[3:7] == "****" and len(masked) == 11
    assert masked[:3] == number[:3] and masked[-4:] == number[-4:]


@given(st.text(min_size=1, max_size=60))
def test_a_masked_address_never_shows_the_whole_address(address):
    masked = mask_address(address)
    assert masked.endswith("****")
    assert masked != address


@pytest.mark.parametrize("raw", ["0044 20 7946 0958", "001 212 555 0100", "0081 3 1234 5678"])
def test_numbers_dialled_with_the_international_prefix_00_are_not_chinese(raw):
    """00 is China's international prefix: libphonenumber reads the country that follows, and some of those
    numbers are valid mobiles there — still not Chinese numbers."""
    with pytest.raises(FieldError) as info:
        parse_phone(raw)
    assert info.value.code == "phone_invalid"


def test_a_number_parsed_before_gives_the_same_answer_and_names_each_callers_field():
    assert parse_phone(" 138 1234 5678 ") == parse_phone("13812345678") == parse_phone("+86 13812345678")
    for field in ("phones", "phones[3].number", "phone"):
        with pytest.raises(FieldError) as info:
            parse_phone("021-1234", field=field)
        assert info.value.field == field and "021-1234" in info.value.message_en
