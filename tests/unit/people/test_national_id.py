"""Personal ID numbers (domain.md section 7; Circular 59/2021/TT-BCA)."""

from datetime import date

import pytest

from benefits.people.national_id import (
    InvalidNationalId,
    check_national_id,
    is_valid_national_id,
    mask_national_id,
)


def test_a_well_formed_number_matching_birth_and_sex_is_valid():
    check_national_id("001322700001", date(2022, 3, 20), "F")
    check_national_id("001065700002", date(1965, 3, 2), "M")


@pytest.mark.parametrize("number", ["", "00132270000", "0013227000011", "00132270000A"])
def test_length_and_digits_are_checked(number):
    with pytest.raises(InvalidNationalId) as raised:
        check_national_id(number)
    assert raised.value.part == "length"


def test_an_unknown_province_code_is_named():
    with pytest.raises(InvalidNationalId, match="003") as raised:
        check_national_id("003085012345")
    assert raised.value.part == "province"


def test_the_century_digit_must_match_the_birth_year():
    with pytest.raises(InvalidNationalId) as raised:
        check_national_id("001285012345", date(1985, 1, 1), "M")
    assert raised.value.part == "century"


def test_the_year_digits_must_match_the_birth_year():
    with pytest.raises(InvalidNationalId) as raised:
        check_national_id("001086012345", date(1985, 1, 1), "M")
    assert raised.value.part == "year"


def test_the_sex_digit_must_match_the_sex():
    with pytest.raises(InvalidNationalId) as raised:
        check_national_id("001185012345", date(1985, 1, 1), "M")
    assert raised.value.part == "sex"


def test_digits_beyond_3_are_refused():
    assert not is_valid_national_id("001485012345")


def test_numbers_are_masked_but_for_province_and_last_three_digits():
    assert mask_national_id("001085012345") == "001******345"


def test_an_id_number_in_full_width_digits_is_refused():
    with pytest.raises(InvalidNationalId) as refused:
        check_national_id("００１０５０７０００４")
    assert refused.value.part == "length"
