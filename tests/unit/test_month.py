from datetime import date

import pytest

from benefits.month import Month


def test_parse_and_print():
    assert str(Month.parse("2025-03")) == "2025-03"


@pytest.mark.parametrize("text", ["2025-13", "2025-3", "25-03", "", "2025-00", "march"])
def test_malformed_months_are_refused(text):
    with pytest.raises(ValueError):
        Month.parse(text)


def test_arithmetic_crosses_the_year():
    assert Month(2024, 12) + 1 == Month(2025, 1)
    assert Month(2025, 1) - 1 == Month(2024, 12)
    assert Month(2025, 3) - Month(2024, 4) == 11
    assert Month.of(date(2025, 3, 14)) == Month(2025, 3)


def test_until_lists_months_inclusive():
    assert Month(2024, 11).until(Month(2025, 2)) == [
        Month(2024, 11),
        Month(2024, 12),
        Month(2025, 1),
        Month(2025, 2),
    ]
