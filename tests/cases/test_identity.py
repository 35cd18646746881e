"""身份证号 (GB 11643) and 银行卡号 checks, with the messages staff will read."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from hardship.identity import luhn_ok, make_id_number, parse_id_number, validate_card_number


@pytest.mark.parametrize(
    ("number", "birth", "sex"),
    [("11010519491231002X", date(1949, 12, 31), "F"), ("440524188001010014", date(1880, 1, 1), "M")],
)
def test_valid_numbers_give_birth_date_and_sex(number, birth, sex):
    parsed = parse_id_number(number)

    assert (parsed.birth_date, parsed.sex) == (birth, sex)


def test_a_lowercase_x_and_spaces_are_accepted_and_normalised():
    assert parse_id_number(" 11010519491231002x ").number == "11010519491231002X"


def test_a_wrong_check_character_is_refused_and_the_right_one_named():
    with pytest.raises(ValidationError, match="校验位错误.*应为 X"):
        parse_id_number("110105194912310021")


def test_an_impossible_birth_date_is_refused():
    with pytest.raises(ValidationError, match="出生日期 19490230 不存在"):
        parse_id_number("110105194902300021")


def test_a_birth_date_in_the_future_is_refused():
    with pytest.raises(ValidationError, match="不合理"):
        parse_id_number(make_id_number("320206", date(2099, 1, 1), 11))


def test_a_15_digit_old_number_is_refused_with_advice():
    with pytest.raises(ValidationError, match="18 位"):
        parse_id_number("110105491231002")


def test_letters_in_the_body_are_refused():
    with pytest.raises(ValidationError, match="前 17 位必须是数字"):
        parse_id_number("11010519491231A02X")


def test_made_numbers_are_valid():
    number = make_id_number("320211", date(2008, 2, 29), 37)

    assert parse_id_number(number).birth_date == date(2008, 2, 29)
    assert parse_id_number(number).sex == "M"


def test_card_numbers_need_16_to_19_digits():
    with pytest.raises(ValidationError, match="16–19 位"):
        validate_card_number("622202123")
    with pytest.raises(ValidationError, match="只能包含数字"):
        validate_card_number("6222-0212-3456-7890")


def test_a_luhn_failure_is_reported_but_not_refused():
    validate_card_number("6222021234567890123")  # no exception: a warning only

    assert luhn_ok("4111111111111111")
    assert not luhn_ok("4111111111111112")
