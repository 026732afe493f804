"""Reading a commune's name as people type it."""

import pytest

from benefits.places.search import fold


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("Phường Hoàn Kiếm", "phuong hoan kiem"),
        ("  phuong   HOAN kiem ", "phuong hoan kiem"),
        ("Đồng Nai", "dong nai"),
        ("Xã Tân Phú", "xa tan phu"),
    ],
)
def test_names_fold_without_tones_case_or_extra_spaces(typed, folded):
    assert fold(typed) == folded
