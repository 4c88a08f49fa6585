"""Reading register files (CSV or XLSX, up to millions of rows) into Polars, vectorised.

`read_table` reads every cell as text (so "0,5" or "000123" are never misread by a type
guess) under canonical column names resolved from the header, plus `_row`, the spreadsheet
row number (the header is row 1). `parse` turns the text into typed columns with Polars
expressions; each bad cell becomes a RowProblem naming the row, the column, the value and the
reason. Python only loops over formats, distinct values and the problems themselves, never
over the rows.

Headers match case-, diacritics- and punctuation-insensitively: "Mã hồ sơ", "MÃ HỒ SƠ",
"ma_ho_so" and "Ma ho so" are one column. Columns the format does not name are read past and
never kept (a register export carries the applicant's name, address and telephone number:
personal data no indicator needs).

Caps are checked before anything is parsed: the file's size, an XLSX's unpacked size (from
the zip directory) and the number of rows. The CLI's defaults are generous; the web passes
smaller ones.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import io
import mmap
import os
import unicodedata
import zipfile
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl

from parindex.domain.i18n import Message
from parindex.domain.i18n import gettext_noop as N_
from parindex.tables import CSV_SUFFIXES, XLSX_SUFFIXES, RowProblem, TableError

ZONE = "Asia/Ho_Chi_Minh"
ROW = "_row"

# Caps for the operator's CLI (a province's year fits easily); the web passes smaller ones.
MAX_BYTES = 2 * 2**30
MAX_XLSX_UNPACKED_BYTES = 4 * 2**30
MAX_ROWS = 5_000_000
# Dates before or after these years are typing mistakes, not register entries.
MIN_YEAR, MAX_YEAR = 1900, 2200
# A value quoted in a problem is cut to this many characters.
MAX_SHOWN_VALUE = 80

KINDS = ("text", "int", "decimal", "date", "datetime", "bool", "enum")

_SNIFF_BYTES = 256 * 1024
# An XLSX header may sit under a title: the first of these rows that names a column.
HEADER_SEARCH_ROWS = 20
_DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True)
class Column:
    """One column of a register format.

    `aliases`: the other headers accepted (Vietnamese, vendor names); the canonical name is
    always accepted. `required`: the column must be in the file and every row must have a
    value. `choices` (enum): spelling → value; spellings match case- and
    diacritics-insensitively. `minimum`/`maximum` bound int and decimal values.
    """

    name: str
    aliases: tuple[str, ...]
    kind: str
    required: bool = False
    choices: Mapping[str, int | str] | None = None
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")

    @property
    def header(self) -> str:
        """The Vietnamese header the column goes by (its first alias): what the pages and
        the reasons of a refused row call it."""
        return self.aliases[0] if self.aliases else self.name


# --- words ---------------------------------------------------------------------------------


def normalise(text) -> str:
    """A header or a word as it is compared: lower case, no diacritics (đ → d), punctuation
    and underscores as spaces, spaces collapsed. "Ngày hẹn trả (kết quả)" → "ngay hen tra ket
    qua"; "ma_ho_so" → "ma ho so"."""
    text = unicodedata.normalize("NFD", str(text)).lower().replace("đ", "d")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = "".join(ch if ch.isalnum() else " " for ch in text)
    return " ".join(text.split())


YES = ("có", "x", "1", "true", "yes", "y", "đã", "rồi", "đúng", "✓", "✔", "v")
NO = ("không", "0", "false", "no", "n", "chưa", "sai", "-")
_BOOLEANS = {normalise(word): True for word in YES} | {normalise(word): False for word in NO}
# "✓" and "-" normalise to nothing: they are looked up as typed.
_BOOLEANS_RAW = {"✓": True, "✔": True, "-": False}


def shown_value(value) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= MAX_SHOWN_VALUE else text[: MAX_SHOWN_VALUE - 1] + "…"


def cell_problem(row, column: str | None, value, reason: Message | str) -> RowProblem:
    """A bad cell: “value”: reason. The value is kept in the message's parameters."""
    if isinstance(reason, str):
        reason = Message(reason)
    return RowProblem(
        row,
        column,
        Message(N_("“%(value)s”: %(reason)s"), {"value": shown_value(value), "reason": reason}),
    )


def problem_value(problem: RowProblem):
    """The cell value a problem quotes (None for a problem of a whole row or file)."""
    return problem.message.params.get("value") if problem.message.params else None


def _refuse(message: Message, row=None, column=None) -> TableError:
    return TableError([RowProblem(row, column, message)])


def _megabytes(size: int) -> int:
    return -(-size // 2**20)


# --- reading -------------------------------------------------------------------------------


def read_table(
    path: str | Path,
    columns: Sequence[Column],
    *,
    max_bytes: int = MAX_BYTES,
    max_rows: int = MAX_ROWS,
    max_unpacked: int = MAX_XLSX_UNPACKED_BYTES,
) -> pl.DataFrame:
    """The file's known columns as text (stripped; empty cells null) under their canonical
    names, plus `_row`. Blank rows are dropped. A missing required column, a column given
    twice, an unreadable or oversized file: TableError (nothing about single cells here)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES + XLSX_SUFFIXES:
        raise _refuse(
            Message(N_("%(name)s: only .csv and .xlsx files are read"), {"name": path.name})
        )
    try:
        if not path.is_file():
            raise _refuse(Message(N_("file not found: %(path)s"), {"path": str(path)}))
        size = path.stat().st_size
    except OSError as exc:
        raise _refuse(
            Message(
                N_("%(name)s cannot be read: %(reason)s"),
                {"name": path.name, "reason": exc.strerror or str(exc)},
            )
        ) from None
    if size > max_bytes:
        raise _refuse(
            Message(
                N_("%(name)s is too large (%(size)s MB; at most %(max)s MB)"),
                {"name": path.name, "size": _megabytes(size), "max": _megabytes(max_bytes)},
            )
        )
    if size == 0:
        raise _refuse(Message(N_("the file is empty")))
    if suffix in CSV_SUFFIXES:
        return _read_csv(path, columns, max_rows)[1]
    return _read_xlsx(path, columns, max_rows, max_unpacked)[1]


def _positions(header: Sequence, columns: Sequence[Column]) -> dict[str, int]:
    """Canonical name → index of its column in the header; file-level problems raised."""
    lookup: dict[str, str] = {}
    for column in columns:
        for alias in (column.name, *column.aliases):
            lookup.setdefault(normalise(alias), column.name)
    positions: dict[str, int] = {}
    problems = []
    for index, title in enumerate(header):
        if title is None:
            continue
        name = lookup.get(normalise(title))
        if name is None:
            continue
        if name in positions:
            problems.append(
                RowProblem(
                    1,
                    name,
                    Message(
                        N_("the column “%(header)s” appears twice (as %(first)s and %(second)s)"),
                        {
                            "header": str(title).strip(),
                            "first": column_letter(positions[name]),
                            "second": column_letter(index),
                        },
                    ),
                )
            )
            continue
        positions[name] = index
    for column in columns:
        if column.required and column.name not in positions:
            problems.append(
                RowProblem(
                    1,
                    column.name,
                    Message(
                        N_("required column is missing (accepted headers: %(headers)s)"),
                        {"headers": ", ".join((column.name, *column.aliases))},
                    ),
                )
            )
    if problems:
        raise TableError(problems)
    return positions


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _not_utf8(path: Path) -> TableError:
    return _refuse(
        Message(
            N_("%(name)s is not UTF-8 text; save it as “CSV UTF-8” or as .xlsx"),
            {"name": path.name},
        )
    )


def _unreadable(path: Path, exc: Exception) -> TableError:
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return _refuse(
        Message(
            N_("%(name)s is not a readable CSV file: %(reason)s"),
            {"name": path.name, "reason": reason},
        )
    )


def _header_of_csv(path: Path) -> tuple[list[str], str]:
    """The header record and the delimiter (the one of , ; tab the first line uses most)."""
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8) :]
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        raise _not_utf8(path) from None
    if "\x00" in text:
        raise _not_utf8(path)
    first_line = text.split("\n", 1)[0]
    delimiter = max(_DELIMITERS, key=first_line.count)
    try:
        header = next(csv.reader(io.StringIO(text), delimiter=delimiter), None)
    except csv.Error as exc:
        raise _unreadable(path, exc) from None
    if not header or all(not cell.strip() for cell in header):
        raise _refuse(Message(N_("the file is empty or its first row (the header) is blank")))
    return header, delimiter


def _has_nul(path: Path) -> bool:
    """A NUL byte anywhere: no text file has one (and PostgreSQL refuses it in text)."""
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as m:
        return m.find(b"\x00") != -1


def _read_csv(path: Path, columns: Sequence[Column], max_rows: int):
    header, delimiter = _header_of_csv(path)
    positions = _positions(header, columns)
    wanted = sorted(positions.items(), key=lambda item: item[1])
    # The NUL search reads the whole file on another core while Polars parses it; a NUL
    # anywhere refuses the file whatever the parse made of it.
    with ThreadPoolExecutor(max_workers=1) as pool:
        has_nul = pool.submit(_has_nul, path)
        try:
            frame = _parse_csv(path, delimiter, wanted, len(header), max_rows)
        finally:
            if has_nul.result():
                raise _not_utf8(path) from None
    frame = frame.slice(1)
    if wanted:
        frame = frame.rename(
            {old: name for old, (name, _) in zip(frame.columns, wanted, strict=True)}
        )
    else:
        frame = frame.select()
    return header, _finish(frame, columns, max_rows, first_row=2)


def _parse_csv(path: Path, delimiter: str, wanted, width: int, max_rows: int) -> pl.DataFrame:
    """The file's `wanted` columns as text, the header record as the first row."""

    def read(truncate: bool) -> pl.DataFrame:
        # has_header=False: the header record comes back as the first row, and duplicate or
        # empty header cells are ours to judge (done above).
        return pl.read_csv(
            path,
            has_header=False,
            separator=delimiter,
            infer_schema=False,
            columns=[index for _, index in wanted] if wanted else [0],
            n_rows=max_rows + 2,
            encoding="utf8",
            raise_if_empty=False,
            truncate_ragged_lines=truncate,
            low_memory=False,
        )

    try:
        try:
            frame = read(truncate=False)
        except pl.exceptions.ComputeError as exc:
            if "more fields" not in str(exc):
                raise
            # Rows longer than the header: harmless when the extra fields are empty (a sheet
            # saved with trailing separators), a shifted row otherwise.
            _refuse_long_rows(path, delimiter, width)
            frame = read(truncate=True)
    except pl.exceptions.ComputeError as exc:
        text = str(exc).lower()
        if "utf-8" in text or "utf8" in text:
            raise _not_utf8(path) from None
        raise _unreadable(path, exc) from None
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        raise _unreadable(path, exc) from None
    return frame


def _refuse_long_rows(path: Path, delimiter: str, width: int) -> None:
    """The error path only: find the rows with more non-empty fields than the header."""
    problems = []
    with path.open(encoding="utf-8-sig", newline="", errors="replace") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        try:
            for number, values in enumerate(reader, start=1):
                extra = [i for i in range(width, len(values)) if values[i].strip()]
                if extra:
                    problems.append(
                        RowProblem(
                            number,
                            column_letter(extra[0]),
                            Message(
                                N_(
                                    "this row has %(found)s fields but the header has "
                                    "%(expected)s; a number with a decimal comma must be quoted "
                                    '("0,5") or the file saved with semicolons'
                                ),
                                {"found": extra[-1] + 1, "expected": width},
                            ),
                        )
                    )
                    if len(problems) >= 1000:
                        break
        except csv.Error as exc:
            raise _unreadable(path, exc) from None
    if problems:
        raise TableError(problems)


def _read_xlsx(path: Path, columns: Sequence[Column], max_rows: int, max_unpacked: int):
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _refuse(
            Message(N_("%(name)s is not an Excel workbook (.xlsx)"), {"name": path.name})
        ) from None
    if unpacked > max_unpacked:
        raise _refuse(
            Message(
                N_("%(name)s is too large once unpacked (%(size)s MB; at most %(max)s MB)"),
                {"name": path.name, "size": _megabytes(unpacked), "max": _megabytes(max_unpacked)},
            )
        )
    import fastexcel

    try:
        reader = fastexcel.read_excel(path)
        if not reader.sheet_names:
            raise _refuse(Message(N_("the file is empty")))
        # No header row for fastexcel and no skipped rows: row i of the frame is sheet row
        # i + 1, whatever blank rows or title rows come first.
        sheet = reader.load_sheet(
            0, header_row=None, skip_rows=0, dtypes="string", n_rows=max_rows + 1000
        )
        raw = sheet.to_polars()
    except TableError:
        raise
    except Exception as exc:  # fastexcel/calamine raise their own kinds for a damaged file
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise _refuse(
            Message(
                N_("%(name)s cannot be read as an Excel file: %(reason)s"),
                {"name": path.name, "reason": reason},
            )
        ) from None
    raw = raw.with_row_index(ROW, offset=1)
    cells = [name for name in raw.columns if name != ROW]
    if not cells:
        raise _refuse(Message(N_("the file is empty")))
    # The header: the first row naming a column of the format (a sheet often has a title
    # above it), else the first row with any non-blank cell.
    filled = raw.filter(
        pl.any_horizontal(pl.col(cells).str.strip_chars().str.len_chars() > 0)
    ).head(HEADER_SEARCH_ROWS)
    if filled.height == 0:
        raise _refuse(Message(N_("the file is empty")))
    known = {normalise(alias) for c in columns for alias in (c.name, *c.aliases)}
    index = next(
        (
            i
            for i, values in enumerate(filled.select(cells).iter_rows())
            if any(v is not None and normalise(v) in known for v in values)
        ),
        0,
    )
    header_row = filled[ROW][index]
    header = [filled[name][index] for name in cells]
    positions = _positions(header, columns)
    frame = raw.filter(pl.col(ROW) > header_row).select(
        ROW, *(pl.col(cells[index]).alias(name) for name, index in positions.items())
    )
    return header, _finish(frame, columns, max_rows, first_row=None)


def _finish(
    frame: pl.DataFrame, columns: Sequence[Column], max_rows: int, first_row
) -> pl.DataFrame:
    """Stripped text, empty → null, the missing optional columns added as nulls, blank rows
    dropped, the row cap enforced."""
    if first_row is not None:
        frame = frame.with_row_index(ROW, offset=first_row)
    present = [c.name for c in columns if c.name in frame.columns]
    # Only the columns that need it are rewritten: asking whether any cell has a space at an
    # end (or is empty) reads the cells, stripping copies them all (for a million rows, some
    # hundreds of MB more at the import's peak of memory).
    # (Comparing with the stripped text is twice as fast as a regular expression for a space
    # at either end, and asks exactly what the stripping below would change.)
    untidy = (
        frame.select(
            ((pl.col(name).str.strip_chars() != pl.col(name)) | (pl.col(name) == ""))
            .any()
            .alias(name)
            for name in present
        ).row(0, named=True)
        if present and frame.height
        else {}
    )
    frame = frame.with_columns(
        pl.col(ROW).cast(pl.Int64),
        *(
            pl.col(name).str.strip_chars().replace("", None).alias(name)
            for name in present
            if untidy.get(name)
        ),
        *(pl.lit(None, dtype=pl.String).alias(c.name) for c in columns if c.name not in present),
    )
    if present:
        frame = frame.filter(pl.any_horizontal(pl.col(present).is_not_null()))
    else:
        frame = frame.clear()
    if frame.height > max_rows:
        row = frame[ROW][max_rows]
        raise _refuse(
            Message(N_("more than %(count)s rows: split the file"), {"count": max_rows}), row=row
        )
    return frame.select(ROW, *(c.name for c in columns)).rechunk()


# --- local time ------------------------------------------------------------------------------
# Việt Nam has kept UTC+07:00 since 13/06/1975: for the days a column spans, local time is
# UTC plus one fixed offset, and plain arithmetic does in a tenth of the time what the
# time-zone database does (a million instants: 9 ms against 65–90 ms, per column). Older
# dates, or a zone whose offset changes within the span, go through the database.

# A span longer than this is not probed day by day (the database is used instead).
_MAX_PROBED_DAYS = 3700


@functools.lru_cache(maxsize=64)
def _fixed_offset(first: dt.date, last: dt.date) -> dt.timedelta | None:
    """ZONE's offset to UTC if it is the same on every day from `first` to `last`, else
    None. (Probed at 00:00 and 12:00 of each day: tzdb has no change undone within a day.)"""
    if (last - first).days > _MAX_PROBED_DAYS:
        return None
    zone = ZoneInfo(ZONE)
    offset = None
    day = first
    while day <= last:
        for hour in (0, 12):
            here = dt.datetime(day.year, day.month, day.day, hour, tzinfo=zone).utcoffset()
            if offset is None:
                offset = here
            elif here != offset:
                return None
        day += dt.timedelta(days=1)
    return offset


def _span_offset(values: pl.Series) -> dt.timedelta | None:
    low, high = values.min(), values.max()
    if low is None or high is None:
        return None
    # A day on either side: a UTC instant's local day may be the next or the previous one.
    one = dt.timedelta(days=1)
    return _fixed_offset(low.date() - one, high.date() + one)


def local_to_utc(naive: pl.Series) -> pl.Series:
    """Naive local times (ZONE) → UTC instants (the earlier of an ambiguous time, null for
    one that does not exist)."""
    offset = _span_offset(naive)
    if offset is not None:
        return (naive - offset).dt.replace_time_zone("UTC")
    return naive.dt.replace_time_zone(
        ZONE, ambiguous="earliest", non_existent="null"
    ).dt.convert_time_zone("UTC")


def utc_to_local(instants: pl.Series) -> pl.Series:
    """UTC instants → naive local times (ZONE)."""
    offset = _span_offset(instants)
    if offset is not None:
        return (instants.dt.replace_time_zone(None) + offset).alias(instants.name)
    return instants.dt.convert_time_zone(ZONE).dt.replace_time_zone(None)


def local_date(instants: pl.Series) -> pl.Series:
    """UTC instants → their local day (ZONE)."""
    return utc_to_local(instants).dt.date()


# --- typed parsing -------------------------------------------------------------------------

DATETIME_FORMATS = (
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d",
    "%Y%m%d%H%M%S",
    "%Y%m%d",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y",
    "%d.%m.%Y",
)
# ISO 8601 with an offset ("…+07:00", "…Z"): an instant, converted to local time.
AWARE_FORMATS = ("%Y-%m-%dT%H:%M:%S%.f%#z", "%Y-%m-%d %H:%M:%S%.f%#z")

DATE_SPELLINGS = N_("dd/mm/yyyy [HH:mm[:ss]], ISO 8601 (yyyy-mm-dd[THH:mm[:ss]]) or yyyyMMddHHmmss")


def _naive_local(values: pl.Series) -> pl.Series:
    """Text → naive local datetimes (null where no format fits). The first format that
    parses the first values is tried on the whole column, the others only on the rows still
    unparsed: a uniform column costs one pass."""
    n = values.len()
    result = pl.Series(values.name, [None] * n, dtype=pl.Datetime("us")) if n else None
    if n == 0:
        return pl.Series(values.name, [], dtype=pl.Datetime("us"))
    sample = values.drop_nulls().head(50)
    formats = sorted(
        DATETIME_FORMATS,
        key=lambda fmt: -sample.str.strptime(pl.Datetime("us"), fmt, strict=False).count(),
    )
    todo = values.is_not_null()
    indices = None
    for fmt in formats:
        if indices is None:
            result = values.str.strptime(pl.Datetime("us"), fmt, strict=False, exact=True)
        else:
            parsed = values.gather(indices).str.strptime(
                pl.Datetime("us"), fmt, strict=False, exact=True
            )
            result = result.scatter(indices, parsed)
        missing = todo & result.is_null()
        if not missing.any():
            return result
        indices = missing.arg_true()
    # Instants with an offset.
    for fmt in AWARE_FORMATS:
        parsed = utc_to_local(
            values.gather(indices).str.strptime(
                pl.Datetime("us", "UTC"), fmt, strict=False, exact=True
            )
        )
        result = result.scatter(indices, parsed)
        missing = todo & result.is_null()
        if not missing.any():
            return result
        indices = missing.arg_true()
    return result


def _grouped(sep: str) -> str:
    return r"^\d{1,3}(?:" + ("\\." if sep == "." else sep) + r"\d{3})+"


def _int_text(text: pl.Expr) -> pl.Expr:
    """Whole numbers: "12", "-3", "3.105"/"3,105" (grouped thousands), "12,0"/"12.0"."""
    t = text.str.replace_all(r"[\s\u00a0\u202f]", "")
    return (
        pl.when(t.str.contains(r"^[+-]?\d+$"))
        .then(t)
        .when(t.str.contains(_grouped(".") + "$") | t.str.contains(_grouped(",") + "$"))
        .then(t.str.replace_all(r"[.,]", ""))
        .when(t.str.contains(r"^[+-]?\d+[.,]0+$"))
        .then(t.str.replace(r"[.,]0+$", ""))
        .when(t.str.contains(_grouped(".") + r",0+$"))
        .then(t.str.replace(r",0+$", "").str.replace_all(r"\.", ""))
        .when(t.str.contains(_grouped(",") + r"\.0+$"))
        .then(t.str.replace(r"\.0+$", "").str.replace_all(",", ""))
        .otherwise(None)
    )


def _decimal_text(text: pl.Expr) -> pl.Expr:
    """The Vietnamese convention (parindex.domain.numbers): "0,5", "1.234,5", "1,234.5",
    "1.5"; with both separators the last is the decimal one, the other groups thousands; a
    separator repeated groups thousands ("1.234.567")."""
    t = text.str.replace_all(r"[\s\u00a0\u202f]", "")
    sign = t.str.extract(r"^([+-]?)", 1)
    body = t.str.replace(r"^[+-]", "")
    digits = (
        pl.when(body.str.contains(r"^\d+$"))
        .then(body)
        .when(body.str.contains(r"^\d+[.,]\d+$"))
        .then(body.str.replace(",", ".", literal=True))
        .when(body.str.contains(_grouped(".") + r"(?:,\d+)?$"))
        .then(body.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True))
        .when(body.str.contains(_grouped(",") + r"(?:\.\d+)?$"))
        .then(body.str.replace_all(",", "", literal=True))
        .otherwise(None)
    )
    return pl.concat_str(sign, digits)


def _number(values: pl.Series, kind: str) -> pl.Series:
    """Int64 or Float64. Plain digits (the common case) are cast at once; only the rest go
    through the separators' rules (`_int_text`, `_decimal_text`)."""
    dtype = pl.Int64 if kind == "int" else pl.Float64
    plain = values.cast(pl.Int64, strict=False)
    number = plain if kind == "int" else plain.cast(pl.Float64)
    rest = (values.is_not_null() & plain.is_null()).arg_true()
    if rest.len():
        text = pl.select(
            (_int_text if kind == "int" else _decimal_text)(pl.lit(values.gather(rest)))
        ).to_series()
        number = number.scatter(rest, text.cast(dtype, strict=False))
    return number


def _lookup(values: pl.Series, mapping: Mapping[str, object], raw: Mapping[str, object]):
    """Map the distinct values (few: codes, words) through `mapping` by their normalised
    spelling; unknown → null."""
    distinct = values.drop_nulls().unique().to_list()
    table = {}
    for value in distinct:
        key = normalise(value)
        if key in mapping:
            table[value] = mapping[key]
        elif value in raw:
            table[value] = raw[value]
        else:
            # "2.0" from a spreadsheet number cell is the code 2.
            try:
                number = float(value.replace(",", "."))
            except ValueError:
                continue
            if number.is_integer() and normalise(str(int(number))) in mapping:
                table[value] = mapping[normalise(str(int(number)))]
    return table


def choice_table(choices: Mapping[str, int | str]) -> dict[str, int | str]:
    return {normalise(spelling): value for spelling, value in choices.items()}


def parse(frame: pl.DataFrame, columns: Sequence[Column]) -> tuple[pl.DataFrame, list[RowProblem]]:
    """Typed columns (text → String, int → Int64, decimal → Float64, date → Date, datetime →
    Datetime(us, UTC) from local time, bool → Boolean, enum → the choices' type) and every bad
    cell as a problem. A bad cell is null in the result."""
    problems: list[RowProblem] = []
    typed: dict[str, pl.Series] = {}
    rows = frame[ROW]
    # Column by column, several at once: most of Polars' text parsing runs on one core.
    with ThreadPoolExecutor(min(len(columns), len(os.sched_getaffinity(0))) or 1) as pool:
        parsed = list(pool.map(lambda c: _parse_column(frame[c.name], c), columns))
    for column, (result, bad, reason) in zip(columns, parsed, strict=True):
        values = frame[column.name]
        typed[column.name] = result
        if bad is not None and bad.any():
            for row, value in zip(
                rows.filter(bad).to_list(), values.filter(bad).to_list(), strict=True
            ):
                problems.append(cell_problem(row, column.name, value, reason(value)))
        if column.required:
            empty = values.is_null()
            if empty.any():
                for row in rows.filter(empty).to_list():
                    problems.append(
                        RowProblem(row, column.name, Message(N_("a value is required here")))
                    )
    out = pl.DataFrame([rows, *typed.values()])
    problems.sort(key=lambda p: p.row or 0)
    return out, problems


def _blank(values: pl.Series, bad: pl.Series) -> pl.Series:
    """`values` with the bad cells null; the same series when none is bad (no copy of a
    million cells for nothing)."""
    if not bad.any():
        return values
    return pl.select(pl.when(pl.lit(bad)).then(None).otherwise(pl.lit(values))).to_series()


def _parse_column(values: pl.Series, column: Column):
    """(typed series, mask of bad cells or None, value → reason Message)."""
    kind = column.kind
    present = values.is_not_null()
    if kind == "text":
        if column.max_length is None:
            return values, None, None
        bad = values.str.len_chars() > column.max_length
        bad = bad.fill_null(False)
        return (
            _blank(values, bad).alias(column.name),
            bad,
            lambda value: Message(
                N_("at most %(count)s characters (this has %(length)s)"),
                {"count": column.max_length, "length": len(value)},
            ),
        )
    if kind in ("int", "decimal"):
        number = _number(values, kind)
        out_of_range = (
            pl.Series([False] * len(values)) if len(values) else pl.Series([], dtype=pl.Boolean)
        )
        if column.minimum is not None:
            out_of_range = out_of_range | (number < column.minimum).fill_null(False)
        if column.maximum is not None:
            out_of_range = out_of_range | (number > column.maximum).fill_null(False)
        unreadable = present & number.is_null()
        bad = unreadable | out_of_range
        number = _blank(number, bad)

        def reason(value, kind=kind):
            if column.minimum is not None or column.maximum is not None:
                readable = pl.select(
                    (_int_text if kind == "int" else _decimal_text)(pl.lit(value))
                ).item()
                if readable is not None and len(readable.lstrip("+-").split(".")[0]) < 19:
                    return _range_message(column)
            if kind == "int":
                return Message(N_("not a whole number"))
            return Message(N_("not a number (write 0,5 or 1.234,5)"))

        return number.alias(column.name), bad, reason
    if kind in ("date", "datetime"):
        naive = _naive_local(values)
        year = naive.dt.year()
        implausible = ((year < MIN_YEAR) | (year > MAX_YEAR)).fill_null(False)
        bad = (present & naive.is_null()) | implausible
        naive = _blank(naive, bad)
        result = naive.dt.date() if kind == "date" else local_to_utc(naive)

        def reason(value):
            return Message(
                N_("not a date; write %(formats)s, a year between %(min)s and %(max)s"),
                {"formats": Message(DATE_SPELLINGS), "min": MIN_YEAR, "max": MAX_YEAR},
            )

        return result.alias(column.name), bad, reason
    if kind == "bool":
        table = _lookup(values, _BOOLEANS, _BOOLEANS_RAW)
        result = values.replace_strict(table, default=None, return_dtype=pl.Boolean)
        bad = present & result.is_null()
        return (
            result.alias(column.name),
            bad,
            lambda value: Message(N_("not yes or no (có/không, x, 1/0, đã/chưa)")),
        )
    # enum
    choices = choice_table(column.choices or {})
    table = _lookup(values, choices, {})
    sample = next(iter(choices.values()), "")
    dtype = pl.Int64 if isinstance(sample, int) else pl.String
    result = values.replace_strict(table, default=None, return_dtype=dtype)
    bad = present & result.is_null()
    accepted = _accepted(column.choices or {})
    return (
        result.alias(column.name),
        bad,
        lambda value: Message(N_("not one of: %(choices)s"), {"choices": accepted}),
    )


def _accepted(choices: Mapping[str, int | str]) -> str:
    """The spellings a person is told: per value, its first spellings."""
    by_value: dict[object, list[str]] = {}
    for spelling, value in choices.items():
        by_value.setdefault(value, []).append(spelling)
    parts = [" / ".join(spellings[:3]) for spellings in by_value.values()]
    return "; ".join(parts)


def _range_message(column: Column) -> Message:
    if column.minimum is not None and column.maximum is not None:
        return Message(
            N_("must be between %(min)s and %(max)s"),
            {"min": column.minimum, "max": column.maximum},
        )
    if column.minimum is not None:
        return Message(N_("must be at least %(min)s"), {"min": column.minimum})
    return Message(N_("must be at most %(max)s"), {"max": column.maximum})


def default_rejected_path(path: Path) -> Path:
    """Where the rows set aside go when no file is named: beside the input."""
    return path.with_name(path.stem + ".rejected.csv")


def write_rejected(raw: pl.DataFrame, problems, columns: Sequence[Column], target) -> Path:
    """The rows set aside, to fix and import again: `dong` (their row in the input), every
    column of the format as read (under its canonical name, which an import accepts), and
    `ly_do`, their reasons in the active language, each after the header of its column."""
    from parindex.messages import render  # Django's translation: only once there is a file

    headers = {column.name: column.header for column in columns}
    reasons: dict[int, list[str]] = {}
    for problem in problems:
        if problem.row is not None:
            text = render(problem.message)
            if problem.column:
                text = f"{headers.get(problem.column, problem.column)}: {text}"
            reasons.setdefault(problem.row, []).append(text)
    why = pl.DataFrame(
        {ROW: list(reasons), "ly_do": ["; ".join(texts) for texts in reasons.values()]},
        schema={ROW: pl.Int64, "ly_do": pl.String},
    )
    rejected = (
        raw.join(why, on=ROW, how="inner")
        .sort(ROW)
        .rename({ROW: "dong"})
        .select("dong", *(column.name for column in columns), "ly_do")
    )
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    rejected.write_csv(target, include_bom=True)
    return target
