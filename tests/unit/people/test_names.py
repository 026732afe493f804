"""Names sort the Vietnamese way in payment lists (interchange.md section 3)."""

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benefits.people.names import _after_alphabet, _key_of_whole_name, vietnamese_sort_key


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


# Vietnamese letters, marks on their own (combining), ASCII letters, digits, spaces.
NAME_CHARACTERS = (
    "aăâeêoôơuưiy dđAĂÂĐNghfjwzZ0 \t1-'ÀÁẠẢÃ\u0300\u0301\u0303\u0309\u0323\u0306\u0302\u031b"
)


@settings(max_examples=500)
@given(st.text(alphabet=NAME_CHARACTERS))
def test_the_word_by_word_key_is_the_key_of_the_whole_name(name):
    assert vietnamese_sort_key(name) == _key_of_whole_name(name)


# Words of ASCII characters only (numbers, codes, names written without marks) are keyed
# without the syllable cache: the same key, whatever the characters.
ASCII_WORDS = st.lists(
    st.text(alphabet=string.printable.replace(" ", ""), min_size=1), min_size=1, max_size=5
)


@settings(max_examples=300)
@given(ASCII_WORDS, st.sampled_from(["Người Thụ Hưởng", "Lò Thị Mai", "Nguyen Van"]))
def test_ascii_words_are_keyed_as_the_whole_name_keys_them(words, vietnamese):
    name = " ".join([vietnamese, *words])
    assert vietnamese_sort_key(name) == _key_of_whole_name(name)


# Names of foreign-born residents (interchange.md section 1 forbids no letter): any text
# has a key, which the database can store (UTF-8, no surrogate code point).
@settings(max_examples=1000)
@given(st.text(alphabet=st.characters(codec=None, categories=None)))
def test_every_text_has_a_key_the_database_can_store(name):
    key = vietnamese_sort_key(name)
    key.encode("utf-8")
    assert key == _key_of_whole_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "김민준",  # Hangul syllables
        "Lâm \ud7b0\ud7fb",  # Hangul Jamo Extended-B: keyed as surrogates before
        "\U0010ffff Lan",  # the last code point: keyed beyond Unicode before
        "王小明",
    ],
)
def test_names_outside_the_vietnamese_alphabet_have_a_key(name):
    vietnamese_sort_key(name).encode("utf-8")


def test_letters_outside_the_alphabet_sort_after_it_in_code_point_order():
    names = ["\U0010ffff", "王", "\ud7b0", "김", "Zoe", "Lan", "Ư"]
    assert sorted(names, key=vietnamese_sort_key) == [
        "Lan", "Ư", "Zoe", "김", "王", "\ud7b0", "\U0010ffff"]  # fmt: skip


@given(st.integers(0, 0x10FFFF), st.integers(0, 0x10FFFF))
def test_characters_outside_the_alphabet_keep_their_code_point_order(a, b):
    surrogates = range(0xD800, 0xE000)
    if a in surrogates or b in surrogates or a >= 0x10FF00 or b >= 0x10FF00:
        return
    assert (a < b) == (_after_alphabet(chr(a)) < _after_alphabet(chr(b)))
    assert _after_alphabet(chr(a)) > "\x7d"  # after ư, the last letter of the alphabet


def test_a_name_is_found_with_or_without_its_marks():
    from benefits.people.names import folded, name_matches

    assert folded("Đặng Thị Ngọc Ánh") == "dang thi ngoc anh"
    assert name_matches("son", "Lâm Văn Sơn") and name_matches("LAM VAN", "Lâm Văn Sơn")
    assert name_matches("SƠN", "Lâm Văn Sơn")  # marks typed: matched, whatever the case
    assert not name_matches("Sọn", "Lâm Văn Sơn")  # marks typed must be the name's
    assert name_matches("dang", "Đặng Văn Minh")
    # Decomposed input (some phone keyboards) reads as the composed name.
    assert name_matches("So\u031bn", "Lâm Văn Sơn")
