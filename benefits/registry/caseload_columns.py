"""The caseload rows checked by columns (interchange.md section 1), with Apache Arrow.

The import's check of a row (``caseload_import._fast_row``, then ``parse_row`` to word
the reasons) costs 8 to 10 µs a row in Python, the largest part of a 1,000,000-row import.
Here the file is read by Arrow's CSV reader in blocks of 1.5 MB (some 11,000 rows), and
the checks of ``_fast_row`` are made once per column of a block, in compiled code.
A block whose rows are all proven good is staged as it is, columns and all. In a block
holding any row not proven good, every row is taken in file order, and those not proven
go through the import's own check, one by one, as they would without this module: the
result is the same rows staged, the same problems reported in the same order (a
property test compares the two ways over random files).

Only a plain file takes this way: no quote character (the CSV module and Arrow read
quotes that do not surround a whole field differently) and no NUL character. A record
Arrow cannot read as the header says (another number of fields, bytes that are not
UTF-8, a field longer than the CSV module's limit) ends this way: the rest of the file,
from the first row of that block, is read by the CSV module as before, which then
reports or refuses it (docs/decisions.md 60).
"""

from __future__ import annotations

import csv
import functools
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from hashlib import sha1
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from benefits.people.names import vietnamese_sort_key, word_sort_parts
from benefits.people.national_id import PROVINCE_CODES

# Values are stripped of white space as ``str.strip()`` does, and names split into words
# as ``str.split()`` does: Arrow's Unicode white space is Python's ``str.isspace()``, code
# point for code point (a unit test holds them equal).

# Blocks of 1.5 MB of the file (some 11,000 rows of a caseload), each read on its own
# (Arrow's streaming reader holds blocks ahead: 150 MB with blocks of 4 MB). Measured at
# 1,000,000 rows: blocks of 1 MB took 0.3 s longer and 30 MB less, of 2 MB 0.15 s less
# and 15 MB more (the import must stay under 300 MB, performance.md).
BLOCK_BYTES = 3 << 19
_PARSE = pa_csv.ParseOptions(quote_char=False, newlines_in_values=False)
_COMMAS_TO_SEPARATORS = bytes.maketrans(b",", b"\x1f")
# The 4th digit of the ID number with the sex, by century of birth (Circular 59/2021
# Art 7.2), as ``caseload_import._CENTURY_DIGIT``.
_CENTURY_KEYS = pa.array(["0M", "1F", "2M", "3F"])
_CENTURIES = pa.array([19, 19, 20, 20], pa.int32())
_PROVINCES = pa.array(sorted(PROVINCE_CODES))
_DIGITS_12 = "^[0-9]{12}$"
_ISO_DATE = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_ISO_MONTH = "^[0-9]{4}-(0[1-9]|1[0-2])$"
_CHILDREN = "^[0-9]{1,2}$"
_FORMULA_START = "^[=+@-]"
# An empty text is written "" and staged NULL (FORCE_NULL): the optional fields left empty.
_CSV = pa_csv.WriteOptions(include_header=False, quoting_style="needed")


@dataclass(frozen=True)
class Limits:
    """What ``_fast_row`` checks against, from the import's context."""

    communes: frozenset[str]
    # category -> (min_age, max_age, first month index closed to new entrants)
    age_windows: dict[str, tuple[int | None, int | None, int | None]]
    max_lengths: dict[str, int]
    single_parent: str
    today: date


def plain_file(path: Path) -> bool:
    """Whether the file holds neither a quote nor a NUL character (read in blocks)."""
    with path.open("rb") as fh:
        return not any(
            b'"' in block or b"\x00" in block for block in iter(lambda: fh.read(1 << 20), b"")
        )


def staged_blocks(
    path: Path,
    positions: Sequence[int | None],
    limits: Limits,
    seen_ids: SeenIds,
    staged_names: Sequence[str],
    check_one: Callable[[int, list[str]], tuple | None],
    rest_of_file: Callable[[int], Iterator[tuple]],
) -> Iterator[pa.Table | list[tuple]]:
    """The staged rows of a plain file, block by block: an Arrow table (every row proven
    good by columns) or a list of tuples (a block checked row by row, in file order).

    ``positions`` gives, for each of the import's columns (``caseload_import.COLUMNS``),
    its field in the file (``None`` when the header lacks it); ``check_one(line_no,
    values)`` is the import's check of one record (staged tuple or ``None``, reporting the
    problems); ``rest_of_file(line_no)`` reads the file from that line on, as the import
    does without this module.
    """
    names = [f"f{i}" for i in range(_header_width(path))]
    prepare = functools.partial(
        _prepared,
        names=names,
        positions=positions,
        # The file's columns are the import's, in its order (the interchange's own layout).
        in_order=list(positions) == list(range(len(names))),
        limits=limits,
        staged_names=staged_names,
    )
    line_no = 1  # the header's
    # The next blocks are read and checked by worker threads (Arrow's kernels let go of
    # the interpreter's lock) while this one is finished, in file order (the ID numbers
    # seen, the rows checked one by one) and sent to the server.
    with ThreadPoolExecutor(max_workers=2) as pool:
        for block in _in_order(pool, prepare, _chunks_of_lines(path)):
            if block is None:
                # Not readable as the header says, or a field the CSV module may refuse
                # (it counts characters, fewer than bytes; caseload_import._unreadable):
                # from this block on, the file is read by the CSV module, which reports
                # the rows before and refuses the file or goes on.
                pool.shutdown(cancel_futures=True)
                yield from in_blocks(rest_of_file(line_no + 1))
                return
            if block.rows:
                yield _finished(block, line_no + 1, seen_ids, check_one)
                line_no += block.rows


def _in_order(pool: ThreadPoolExecutor, work: Callable, items: Iterator) -> Iterator:
    """``work`` of each item, by the pool, one item ahead, given back in order."""
    pending: deque = deque()
    for item in items:
        pending.append(pool.submit(work, item))
        if len(pending) > 1:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


@dataclass
class _Prepared:
    """A block read and checked by columns: its values (stripped), the positions of the
    rows proven good, and their staged table."""

    rows: int
    values: list[pa.Array] = field(default_factory=list)
    proven: pa.Array | None = None
    table: pa.Table | None = None


def _prepared(
    data: bytes,
    *,
    names: list[str],
    positions: Sequence[int | None],
    in_order: bool,
    limits: Limits,
    staged_names: Sequence[str],
) -> _Prepared | None:
    """A block of whole lines read and checked by columns, or ``None`` when the CSV module
    must read it (and the rest of the file)."""
    try:
        batch = pa_csv.read_csv(
            pa.py_buffer(data),
            read_options=pa_csv.ReadOptions(
                column_names=names, use_threads=False, block_size=2 * len(data)
            ),
            parse_options=_PARSE,
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        ).combine_chunks()
    except pa.ArrowInvalid:
        return None
    if not batch.num_rows:
        return _Prepared(rows=0)
    field_limit = csv.field_size_limit()
    if any(pc.max(pc.binary_length(column)).as_py() > field_limit for column in batch.columns):
        return None
    values = [
        pc.utf8_trim_whitespace(batch.column(p).chunk(0))
        if p is not None
        else pa.array([""] * batch.num_rows, pa.string())
        for p in positions
    ]
    proven = _proven_rows(values, limits)
    lines = _lines_as_joined(data, batch, values) if in_order else None
    fingerprints = None
    if lines is not None and len(proven) == len(lines):
        fingerprints = pa.array(
            [sha1(line, usedforsecurity=False).hexdigest() for line in lines], pa.string()
        )
    table = _staged_table([_take(column, proven) for column in values], staged_names, fingerprints)
    return _Prepared(rows=batch.num_rows, values=values, proven=proven, table=table)


def _lines_as_joined(data: bytes, batch: pa.RecordBatch, values: list[pa.Array]) -> list | None:
    """Each line of ``data`` as its values joined by U+001F (what the fingerprint hashes),
    when that is the line with its commas replaced: one line a row, nothing stripped."""
    if b"\r" in data:
        return None
    lines = data.translate(_COMMAS_TO_SEPARATORS).split(b"\n")
    if not lines[-1]:
        lines.pop()
    if len(lines) != batch.num_rows:
        return None  # blank lines
    raw = sum(_text_bytes(field) for field in batch.columns)
    return lines if raw == sum(_text_bytes(value) for value in values) else None


def _text_bytes(column: pa.Array | pa.ChunkedArray) -> int:
    return pc.sum(pc.binary_length(column)).as_py() or 0


def _chunks_of_lines(path: Path) -> Iterator[bytes]:
    """The file's bytes after the header line, in pieces of about ``BLOCK_BYTES`` ending
    at the end of a line (a plain file: no line ends inside a field)."""
    with path.open("rb") as fh:
        data = b""
        while not (ends := [at for at in (data.find(b"\n"), data.find(b"\r")) if at >= 0]):
            more = fh.read(BLOCK_BYTES)
            if not more:
                return  # the header alone
            data += more
        data = data[min(ends) + 1 :]
        while True:
            more = fh.read(BLOCK_BYTES)
            if not more:
                if data.strip(b"\r\n"):
                    yield data
                return
            data += more
            cut = max(data.rfind(b"\n"), data.rfind(b"\r")) + 1
            if cut:
                if data[:cut].strip(b"\r\n"):
                    yield data[:cut]
                data = data[cut:]


def _finished(
    block: _Prepared,
    first_line: int,
    seen_ids: SeenIds,
    check_one: Callable[[int, list[str]], tuple | None],
) -> pa.Table | list[tuple]:
    """A block's staged rows: the table of them all when every row is proven good and
    its ID number new, else each row in turn (proven, or checked by ``check_one``)."""
    table, proven, values = block.table, block.proven, block.values
    ids = pc.cast(table.column(0), pa.int64()).combine_chunks()
    if len(ids) == block.rows and seen_ids.add_new(ids):
        return table
    # Row by row, in file order, as caseload_import._good_rows: an ID number already
    # seen (in the file before, or in this block) sends the row to the full check.
    numbers = values[0]
    numbers = pc.cast(pc.filter(numbers, pc.match_substring_regex(numbers, _DIGITS_12)), pa.int64())
    seen_ids.look_up(numbers)
    ids = ids.to_pylist()
    staged = list(zip(*(column.to_pylist() for column in table.columns), strict=True))
    at = dict(zip(proven.to_pylist(), range(len(staged)), strict=True))
    texts: list[list[str]] | None = None
    rows: list[tuple] = []
    for i in range(block.rows):
        j = at.get(i)
        if j is not None and ids[j] not in seen_ids:
            seen_ids.add(ids[j])
            rows.append(staged[j])
            continue
        if texts is None:
            texts = [column.to_pylist() for column in values]
        row = check_one(first_line + i, [column[i] for column in texts])
        if row is not None:
            rows.append(row)
    return rows


def _proven_rows(values: list[pa.Array], limits: Limits) -> pa.Array:
    """The positions of the rows that the checks of ``caseload_import._fast_row`` prove
    good, made column by column (the ID number's novelty aside)."""
    (
        national_id, full_name, birth, sex, commune, address, categories, children,
        decision_number, decision_on, effective, paid_through, method, point, bank_code,
        bank_account,
    ) = values  # fmt: skip
    lengths = limits.max_lengths
    empty = pa.scalar("", pa.string())
    checks = [
        pc.not_equal(full_name, empty),
        pc.not_equal(decision_number, empty),
        pc.is_in(commune, value_set=pa.array(sorted(limits.communes), pa.string())),
        *(
            pc.less_equal(pc.utf8_length(column), lengths[name])
            for name, column in (
                ("full_name", full_name),
                ("address", address),
                ("decision_number", decision_number),
                ("payment_point", point),
                ("bank_code", bank_code),
                ("bank_account", bank_account),
            )  # fmt: skip
        ),
        # No free text beginning like a formula (values stripped; decision 104).
        *(
            pc.invert(pc.match_substring_regex(column, _FORMULA_START))
            for column in (full_name, address, decision_number, point, bank_code, bank_account)
        ),
        pc.match_substring_regex(national_id, _DIGITS_12),
        pc.is_in(pc.utf8_slice_codeunits(national_id, 0, 3), value_set=_PROVINCES),
        pc.is_in(
            pc.binary_join_element_wise(pc.utf8_slice_codeunits(national_id, 3, 4), sex, ""),
            value_set=_CENTURY_KEYS,
        ),
        pc.match_substring_regex(birth, _ISO_DATE),
        pc.equal(pc.utf8_slice_codeunits(national_id, 4, 6), pc.utf8_slice_codeunits(birth, 2, 4)),
        pc.match_substring_regex(decision_on, _ISO_DATE),
        pc.not_equal(pc.utf8_slice_codeunits(decision_on, 0, 4), "0000"),
        pc.match_substring_regex(effective, _ISO_MONTH),
        pc.not_equal(pc.utf8_slice_codeunits(effective, 0, 4), "0000"),
        pc.or_(
            pc.equal(paid_through, empty),
            pc.and_(
                pc.match_substring_regex(paid_through, _ISO_MONTH),
                pc.not_equal(pc.utf8_slice_codeunits(paid_through, 0, 4), "0000"),
            ),
        ),
        pc.or_(pc.equal(children, empty), pc.match_substring_regex(children, _CHILDREN)),
        # One category (several, separated by ";", are checked row by row).
        pc.is_in(categories, value_set=pa.array(sorted(limits.age_windows), pa.string())),
        pc.or_(
            pc.or_(
                pc.and_(pc.equal(method, "POST"), pc.not_equal(point, empty)),
                pc.and_(
                    pc.equal(method, "BANK"),
                    pc.and_(pc.not_equal(bank_code, empty), pc.not_equal(bank_account, empty)),
                ),
            ),
            pc.equal(method, "COMMUNE"),
        ),
    ]
    well_formed = checks[0]
    for check in checks[1:]:
        well_formed = pc.and_(well_formed, check)
    rows = pc.indices_nonzero(well_formed)
    # The values of the well-formed rows, now safe to read as dates and numbers.
    birth, decision_on, effective, paid_through, children, categories, national_id = (
        _take(column, rows)
        for column in (birth, decision_on, effective, paid_through, children, categories,
                       national_id)
    )  # fmt: skip
    born, signed = _dates(birth), _dates(decision_on)
    born_year = pc.year(born)
    century = pc.take(
        _CENTURIES,
        pc.index_in(
            pc.binary_join_element_wise(
                pc.utf8_slice_codeunits(national_id, 3, 4), _take(sex, rows), ""
            ),
            value_set=_CENTURY_KEYS,
        ),
    )
    month = _month_index(effective)
    birth_month = pc.add(pc.multiply(born_year, 12), pc.subtract(pc.month(born), 1))
    count = _count(children)
    window = pc.index_in(categories, value_set=pa.array(list(limits.age_windows), pa.string()))
    min_age, max_age, closed_from = (
        pc.take(pa.array([w[k] for w in limits.age_windows.values()], pa.int32()), window)
        for k in range(3)
    )
    today = pa.scalar(limits.today, pa.date32())
    checks = [
        pc.is_valid(born),
        pc.is_valid(signed),
        pc.fill_null(pc.less_equal(born, today), False),
        pc.fill_null(pc.equal(pc.divide(born_year, 100), century), False),
        # domain.md section 3 and ND20 Art 8.2, as RuleBook.in_age_window.
        pc.invert(pc.fill_null(pc.greater_equal(month, closed_from), False)),
        pc.invert(
            pc.fill_null(pc.less(pc.subtract(month, birth_month), pc.multiply(min_age, 12)), False)
        ),
        pc.invert(
            pc.fill_null(
                pc.greater_equal(
                    pc.subtract(pc.subtract(month, 1), birth_month), pc.multiply(max_age, 12)
                ),
                False,
            )
        ),
        pc.invert(pc.and_(pc.equal(categories, limits.single_parent), pc.less(count, 1))),
    ]
    good = checks[0]
    for check in checks[1:]:
        good = pc.and_(good, check)
    return _take(rows, pc.indices_nonzero(pc.fill_null(good, False)))


def _take(values: pa.Array, positions: pa.Array) -> pa.Array:
    """``values`` at ``positions`` (increasing): all of them, as they are, when they are
    all taken (the usual block)."""
    return values if len(positions) == len(values) else pc.take(values, positions)


def _dates(written: pa.Array) -> pa.Array:
    """``YYYY-MM-DD`` (four, two and two digits) as dates; null where that is no date of
    the calendar (Arrow reads 2023-02-29 as 1 March: the day and month must come back)."""
    read = pc.strptime(written, format="%Y-%m-%d", unit="s", error_is_null=True)
    day = pc.cast(pc.utf8_slice_codeunits(written, 8, 10), pa.int64())
    month = pc.cast(pc.utf8_slice_codeunits(written, 5, 7), pa.int64())
    calendar = pc.and_(pc.equal(pc.day(read), day), pc.equal(pc.month(read), month))
    return pc.if_else(calendar, pc.cast(read, pa.date32()), None)


def _month_index(months: pa.Array) -> pa.Array:
    """``YYYY-MM`` (checked) as a month index (``Month.index``)."""
    year = pc.cast(pc.utf8_slice_codeunits(months, 0, 4), pa.int32())
    month = pc.cast(pc.utf8_slice_codeunits(months, 5, 7), pa.int32())
    return pc.add(pc.multiply(year, 12), pc.subtract(month, 1))


def _yyyymm(months: pa.Array) -> pa.Array:
    """``YYYY-MM`` (checked, or empty) as staged: ``str(year * 100 + month)``, or empty."""
    written = pc.not_equal(months, "")
    safe = pc.if_else(written, months, "0001-01")
    year = pc.cast(pc.utf8_slice_codeunits(safe, 0, 4), pa.int32())
    month = pc.cast(pc.utf8_slice_codeunits(safe, 5, 7), pa.int32())
    number = pc.cast(pc.add(pc.multiply(year, 100), month), pa.string())
    return pc.if_else(written, number, "")


def _count(children: pa.Array) -> pa.Array:
    """The number of dependent children (checked digits, or empty for none)."""
    return pc.cast(pc.if_else(pc.equal(children, ""), "0", children), pa.int32())


def _staged_table(
    values: list[pa.Array], staged_names: Sequence[str], fingerprints: pa.Array | None = None
) -> pa.Table:
    """The proven rows as the import stages them (``caseload_import._fast_row``)."""
    (
        national_id, full_name, birth, sex, commune, address, categories, children,
        decision_number, decision_on, effective, paid_through, method, point, bank_code,
        bank_account,
    ) = values  # fmt: skip
    if fingerprints is None:
        fingerprints = _sha1_hex(pc.binary_join_element_wise(*values, "\x1f"))
    sort_keys = _sort_keys(full_name)
    columns = [
        national_id, full_name, sort_keys, birth, sex, commune,
        address, pc.cast(_count(children), pa.string()), decision_number, decision_on,
        _yyyymm(effective), _yyyymm(paid_through), method, point, bank_code, bank_account,
        fingerprints, categories,
    ]  # fmt: skip
    return pa.Table.from_arrays(columns, names=list(staged_names))


def _header_width(path: Path) -> int:
    """The header's number of fields (a plain file: no quote in it)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return fh.readline().rstrip("\r\n").count(",") + 1


def as_csv(
    block: pa.Table | list[tuple], first_seq: int, names: Sequence[str]
) -> tuple[int, pa.Buffer]:
    """A block of staged rows as CSV (``COPY ... (FORMAT csv)``), numbered from
    ``first_seq`` in a first column; and how many rows it holds."""
    table = block if isinstance(block, pa.Table) else _as_table(block, names)
    if not table.num_rows:
        return 0, pa.py_buffer(b"")
    numbers = pa.array(range(first_seq, first_seq + table.num_rows), pa.int64())
    sink = pa.BufferOutputStream()
    pa_csv.write_csv(table.add_column(0, "seq", numbers), sink, _CSV)
    return table.num_rows, sink.getvalue()


def as_rows(block: pa.Table | list[tuple]) -> Iterator[tuple] | list[tuple]:
    """A block of staged rows as tuples of text."""
    if isinstance(block, pa.Table):
        return zip(*(column.to_pylist() for column in block.columns), strict=True)
    return block


def _as_table(rows: list[tuple], names: Sequence[str]) -> pa.Table:
    columns = zip(*rows, strict=True) if rows else [[] for _name in names]
    return pa.Table.from_arrays([pa.array(c, pa.string()) for c in columns], names=list(names))


class SeenIds:
    """The ID numbers seen so far in a file (``caseload_import`` checks "appears twice in
    the file"), as sorted runs of Arrow integers: 8 bytes a number, where a Python set of
    them takes 63 MB for 1,000,000 (the import must stay under 300 MB, performance.md).

    A block proven whole adds its numbers at once (:meth:`add_new`); in a block checked row
    by row, the block's numbers are looked up at once (:meth:`look_up`), and then each row
    asks ``key in seen`` and ``seen.add(key)`` as from a set. Runs are merged two by two
    when the newer is at least half the size of the older, so that a number is looked up
    in a few runs only.
    """

    def __init__(self) -> None:
        self._runs: list[pa.Array] = []
        self._added: set[int] = set()  # one by one, since the last block
        self._hits: set[int] = set()  # of the numbers looked up, those already seen

    def __contains__(self, key: int) -> bool:
        return key in self._added or key in self._hits

    def add(self, key: int) -> None:
        self._added.add(key)

    def __iter__(self) -> Iterator[int]:
        yield from self._added
        for run in self._runs:
            yield from run.to_pylist()

    def add_new(self, ids: pa.Array) -> bool:
        """Add a block's numbers if none was seen before nor appears twice among them;
        whether they were added."""
        self._settle()
        ordered = pc.take(ids, pc.sort_indices(ids))
        if len(ordered) > 1 and pc.any(pc.equal(ordered[1:], ordered[:-1])).as_py():
            return False
        if any(pc.any(self._found(run, ordered)).as_py() for run in self._runs):
            return False
        self._push(ordered)
        return True

    def look_up(self, ids: pa.Array) -> None:
        """Before a block's rows ask one by one: which of its numbers were seen."""
        self._settle()
        hits = [pc.filter(ids, self._found(run, ids)) for run in self._runs]
        self._hits = {key for found in hits for key in found.to_pylist()}

    def every_one(self) -> set[int]:
        """All of them as a set: the rest of the file is checked row by row."""
        return set(self)

    def _settle(self) -> None:
        if self._added:
            self._push(pa.array(sorted(self._added), pa.int64()))
            self._added = set()
        self._hits = set()

    @staticmethod
    def _found(run: pa.Array, keys: pa.Array) -> pa.Array:
        return pc.greater(
            pc.search_sorted(run, keys, side="right"), pc.search_sorted(run, keys, side="left")
        )

    def _push(self, run: pa.Array) -> None:
        self._runs.append(run)
        while len(self._runs) > 1 and 2 * len(self._runs[-1]) >= len(self._runs[-2]):
            newer, older = self._runs.pop(), self._runs.pop()
            merged = pa.concat_arrays([older, newer])
            self._runs.append(pc.take(merged, pc.sort_indices(merged)))


def in_blocks(rows: Iterator[tuple], size: int = 20_000) -> Iterator[list[tuple]]:
    block: list[tuple] = []
    for row in rows:
        block.append(row)
        if len(block) >= size:
            yield block
            block = []
    if block:
        yield block


def _sha1_hex(texts: pa.Array) -> pa.Array:
    """The SHA-1 of each value's UTF-8 bytes, in hexadecimal (``caseload_import._fingerprint``),
    hashed from Arrow's buffer without making a Python string of each value."""
    texts = (
        pc.cast(texts, pa.string()).combine_chunks()
        if isinstance(texts, pa.ChunkedArray)
        else texts
    )
    _validity, offsets, data = texts.buffers()
    bounds = memoryview(offsets).cast("i")[texts.offset : texts.offset + len(texts) + 1]
    view = memoryview(data)
    return pa.array(
        [
            sha1(view[start:end], usedforsecurity=False).hexdigest()
            for start, end in zip(bounds[:-1], bounds[1:], strict=True)
        ],
        pa.string(),
    )


def _sort_keys(names: pa.Array) -> pa.Array:
    """``people.names.vietnamese_sort_key`` of each name (not empty), made from the parts
    of each distinct word of the block (a caseload holds a few thousand syllables)."""
    words = pc.utf8_split_whitespace(names)
    offsets = words.offsets
    encoded = pc.dictionary_encode(words.values)
    parts = [word_sort_parts(word) for word in encoded.dictionary.to_pylist()]
    primaries, secondaries, starts_with_mark = (
        pc.take(pa.array([part[k] for part in parts], kind), encoded.indices)
        for k, kind in enumerate((pa.string(), pa.string(), pa.bool_()))
    )
    last = pc.subtract(offsets[1:], 1)
    keys = pc.binary_join_element_wise(
        pc.take(primaries, last),
        pc.binary_join(pa.ListArray.from_arrays(offsets, primaries), "!"),
        pc.take(secondaries, last),
        pc.binary_join(pa.ListArray.from_arrays(offsets, secondaries), "0"),
        "\u0001",
    )
    # A word starting with a combining mark: the whole name's key, as the function gives.
    marked = pc.indices_nonzero(starts_with_mark)
    if len(marked):
        rows = pc.unique(pc.take(pc.list_parent_indices(words), marked))
        whole = [vietnamese_sort_key(name) for name in pc.take(names, rows).to_pylist()]
        mask = pc.is_in(
            pa.array(range(len(names)), pa.int64()), value_set=pc.cast(rows, pa.int64())
        )
        keys = pc.replace_with_mask(keys, mask, pa.array(whole, pa.string()))
    return keys
