"""Vietnamese name order (interchange.md section 3): by given name (the last word) first,
then the full name; letters in the Vietnamese alphabet's order (a ă â b c d đ e ê …),
tone marks only as a secondary difference."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
# Combining marks that make a letter of its own (ă â ê ô ơ ư) versus tone marks.
_LETTER_MARKS = {"\u0306": "breve", "\u0302": "circumflex", "\u031b": "horn"}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}  # huyền hỏi ngã sắc nặng
_LETTER_OF = {
    ("a", "breve"): "ă", ("a", "circumflex"): "â", ("e", "circumflex"): "ê",
    ("o", "circumflex"): "ô", ("o", "horn"): "ơ", ("u", "horn"): "ư",
}  # fmt: skip


def _letters(word: str) -> list[tuple[str, int]]:
    """(letter of the Vietnamese alphabet or other character, tone 0-5) per letter."""
    result: list[tuple[str, int]] = []
    for char in unicodedata.normalize("NFD", word.lower()):
        if char in _LETTER_MARKS and result:
            base, tone = result[-1]
            result[-1] = (_LETTER_OF.get((base, _LETTER_MARKS[char]), base), tone)
        elif char in _TONES and result:
            base, _ = result[-1]
            result[-1] = (base, _TONES[char])
        elif unicodedata.combining(char):
            continue
        else:
            result.append((char, 0))
    return result


def _primary(text: str) -> str:
    out = []
    for letter, _ in _letters(text):
        position = ALPHABET.find(letter)
        if position >= 0:
            out.append(chr(0x61 + position) if position < 26 else chr(0x7B + position - 26))
        elif letter == " ":
            out.append("!")
        else:
            out.append(_after_alphabet(letter))
    return "".join(out)


def _after_alphabet(char: str) -> str:
    """The primary key of a character outside the Vietnamese alphabet: after every letter
    of it, in code point order (digits, other Latin letters, Hangul, Han ...).

    A name may hold any letter (interchange.md section 1 forbids none: foreign-born
    residents), so this is total and always gives a character UTF-8 can encode. It is
    ``chr(code + 0x100)``, the key stored for every character it could encode before,
    except where that would land on a surrogate or beyond Unicode: U+D700-U+D7FF go to
    the free U+E000-U+E0FF, the last 256 code points (private use) share U+10FFFF, and a
    lone surrogate (never in a UTF-8 file) sorts as U+FFFD.
    """
    code = ord(char)
    if code < 0xD700 or 0xE000 <= code < 0x10FF00:
        return chr(code + 0x100)
    if code < 0xD800:
        return chr(code + 0x900)
    if code < 0xE000:
        return chr(0xFFFD + 0x100)
    return chr(0x10FFFF)


def _secondary(text: str) -> str:
    return "".join(str(tone) for _, tone in _letters(text))


def vietnamese_sort_key(full_name: str) -> str:
    """A key that sorts names the Vietnamese way under binary ("C") collation.

    Computed word by word from a cache (a caseload holds a few thousand distinct
    syllables); the same key as :func:`_key_of_whole_name`, which a word starting with a
    combining mark still takes, since that mark then belongs to the space before it.
    """
    words = full_name.split()
    if not words:
        return _key_of_whole_name(full_name)
    primaries, secondaries, starts_with_mark = zip(
        *[_ascii_word_parts(word) if word.isascii() else word_sort_parts(word) for word in words],
        strict=True,
    )
    if True in starts_with_mark:
        return _key_of_whole_name(full_name)
    # Between words, a space sorts as "!" and has no tone.
    return "\u0001".join(
        [primaries[-1], "!".join(primaries), secondaries[-1], "0".join(secondaries)]
    )


def _ascii_word_parts(word: str) -> tuple[str, str, bool]:
    """Numbers, codes, names without marks: one letter a character, computed faster than
    looked up (a caseload's numbers would only push its syllables out of the cache)."""
    return word.lower().translate(_ASCII_PRIMARY), "0" * len(word), False


@lru_cache(maxsize=20_000)
def word_sort_parts(word: str) -> tuple[str, str, bool]:
    """A word's primary and secondary keys, and whether it starts with a combining mark
    (then the name takes :func:`_key_of_whole_name`)."""
    if word.isascii():
        return _ascii_word_parts(word)
    decomposed = unicodedata.normalize("NFD", word.lower())
    return _primary(word), _secondary(word), unicodedata.combining(decomposed[0]) != 0


_ASCII_PRIMARY = {code: _primary(chr(code)) for code in range(128)}


def _key_of_whole_name(full_name: str) -> str:
    name = " ".join(full_name.split())
    given = name.rsplit(" ", 1)[-1] if name else ""
    return "\u0001".join([_primary(given), _primary(name), _secondary(given), _secondary(name)])


def folded(text: str) -> str:
    """``text`` as someone types it without Vietnamese marks: lower case, every mark
    dropped, đ as d ("Lâm Văn Sơn" → "lam van son"), for searching by name."""
    plain = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    return "".join(char for char in plain if not unicodedata.combining(char))


def name_matches(typed: str, full_name: str) -> bool:
    """Whether a name holds what was typed: with no mark typed, marks are ignored ("son"
    finds "Sơn"); with marks typed, they must match (case never does)."""
    typed = unicodedata.normalize("NFC", typed).casefold()
    if folded(typed) == typed:
        return typed in folded(full_name)
    return typed in unicodedata.normalize("NFC", full_name).casefold()
