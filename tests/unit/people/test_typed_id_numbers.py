"""An ID number as people copy it, in groups."""

import pytest

from benefits.people.national_id import normalize_national_id


@pytest.mark.parametrize("typed", ["001 190 000 777", "001.190.000.777", "001-190-000-777",
                                   " 001190000777 "])  # fmt: skip
def test_separators_between_digit_groups_are_dropped(typed):
    assert normalize_national_id(typed) == "001190000777"


def test_letters_are_left_for_the_check_to_refuse():
    assert normalize_national_id("00119000O777") == "00119000O777"
