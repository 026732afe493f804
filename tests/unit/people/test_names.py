"""Names sort the Vietnamese way in payment lists (interchange.md section 3)."""

from benefits.people.names import vietnamese_sort_key


def test_given_name_first_then_full_name():
    names = ["Trần Văn Bình", "Nguyễn Thị An", "Ngô An"]
    assert sorted(names, key=vietnamese_sort_key) == ["Ngô An", "Nguyễn Thị An", "Trần Văn Bình"]


def test_letters_follow_the_vietnamese_alphabet():
    names = ["Lê Văn Ân", "Phạm Thị Ăn", "Lê An", "Đỗ Đạt", "Hoàng Dũng", "Lý Ư", "Lê Uy"]
    assert sorted(names, key=vietnamese_sort_key) == [
        "Lê An", "Phạm Thị Ăn", "Lê Văn Ân", "Hoàng Dũng", "Đỗ Đạt", "Lê Uy", "Lý Ư"]  # fmt: skip


def test_tone_marks_are_only_a_secondary_difference():
    names = ["Vũ Thị Ánh", "Bùi Thị Anh", "Lê Thị Ánh", "Lê Thị Anh"]
    assert sorted(names, key=vietnamese_sort_key) == [
        "Bùi Thị Anh", "Lê Thị Anh", "Lê Thị Ánh", "Vũ Thị Ánh"]  # fmt: skip
