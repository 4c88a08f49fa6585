"""Reading small tabular files (CSV or XLSX) with English or Vietnamese headers.

Rows keep their spreadsheet row number (the header is row 1) so that every problem can name
the row, the column and the reason. CSV may be UTF-8 with or without BOM and separated by commas,
semicolons (what a Vietnamese Excel writes, since its decimal separator is the comma) or tabs.

Files are checked before they are parsed and streamed while they are read, so that a hostile or
mistaken file costs neither memory nor time: at most MAX_FILE_BYTES on disk, an XLSX at most
MAX_XLSX_UNPACKED_BYTES once unpacked (inspected with zipfile before openpyxl opens it), and at
most `max_rows` rows when the caller gives a cap (refused at the first row too many).
"""

from __future__ import annotations

import csv
import unicodedata
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from parindex.domain.i18n import Message
from parindex.domain.i18n import gettext_noop as N_

# A problem list shown to a person (terminal, web page) stops after this many problems.
MAX_SHOWN = 100
# Caps checked before parsing: the file on disk, and an XLSX once unpacked.
MAX_FILE_BYTES = 10 * 2**20
MAX_XLSX_UNPACKED_BYTES = 50 * 2**20
# Excel's own limits; a sheet claiming more is damaged or hostile.
EXCEL_MAX_ROWS = 1_048_576
MAX_HEADER_COLUMNS = 1_000

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
_SNIFF_CHARS = 64 * 1024


@dataclass(frozen=True)
class Row:
    number: int  # as a spreadsheet shows it: the header is row 1
    cells: dict[str, object]  # canonical column name → raw value (str, number or None)

    def get(self, column: str):
        value = self.cells.get(column)
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value


@dataclass(frozen=True)
class RowProblem:
    row: int | None
    column: str | None
    message: Message


def first_problems(problems: Sequence, limit: int = MAX_SHOWN) -> tuple[list, int]:
    """The first `limit` problems, and how many more there are: what a person is shown."""
    return list(problems[:limit]), max(0, len(problems) - limit)


class TableError(Exception):
    """The whole file is refused: every problem found is listed."""

    def __init__(self, problems: list[RowProblem]):
        # In row order (problems of the whole file first), whatever order the checks ran in:
        # a person fixes a sheet from the top. Within a row the checks' order is kept.
        problems = sorted(problems, key=lambda problem: -1 if problem.row is None else problem.row)
        super().__init__("; ".join(str(p.message) for p in problems[:MAX_SHOWN]))
        self.problems = problems

    def shown(self, limit: int = MAX_SHOWN) -> tuple[list[RowProblem], int]:
        """The first `limit` problems and the number left out (see `first_problems`)."""
        return first_problems(self.problems, limit)


def _refuse(message: Message, row: int | None = None, column: str | None = None) -> TableError:
    return TableError([RowProblem(row, column, message)])


def normalise_header(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", str(text)).strip().lower().split())


def column_letter(index: int) -> str:
    """The spreadsheet name of a 0-based column: 0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def file_problem(path: Path, max_bytes: int | None = None) -> Message | None:
    """Why the file cannot be read at all (missing, a folder, too large), or None."""
    max_bytes = MAX_FILE_BYTES if max_bytes is None else max_bytes
    try:
        if not path.exists():
            return Message(N_("file not found: %(path)s"), {"path": str(path)})
        if not path.is_file():
            return Message(N_("%(path)s is not a file"), {"path": str(path)})
        size = path.stat().st_size
    except OSError as exc:
        return Message(
            N_("%(name)s cannot be read: %(reason)s"),
            {"name": path.name, "reason": exc.strerror or str(exc)},
        )
    if size > max_bytes:
        return Message(
            N_("%(name)s is too large (%(size)s MB; at most %(max)s MB)"),
            {"name": path.name, "size": _megabytes(size), "max": _megabytes(max_bytes)},
        )
    return None


def xlsx_problem(path: Path, max_unpacked: int | None = None) -> Message | None:
    """Why an .xlsx must not be handed to openpyxl, or None: not a zip at all, or more than
    `max_unpacked` bytes once unpacked (a small file can unpack to a million rows). The sizes
    are those the zip declares; zipfile never reads more than declared."""
    max_unpacked = MAX_XLSX_UNPACKED_BYTES if max_unpacked is None else max_unpacked
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return Message(N_("%(name)s is not an Excel workbook (.xlsx)"), {"name": path.name})
    if total > max_unpacked:
        return Message(
            N_("%(name)s is too large once unpacked (%(size)s MB; at most %(max)s MB)"),
            {"name": path.name, "size": _megabytes(total), "max": _megabytes(max_unpacked)},
        )
    return None


def _megabytes(size: int) -> int:
    return -(-size // 2**20)  # rounded up: "1 MB" for a few bytes over the cap


def read_table(
    path: str | Path,
    columns: Mapping[str, tuple[str, ...]],
    required: tuple[str, ...],
    *,
    max_rows: int | None = None,
) -> list[Row]:
    """Rows of the file keyed by canonical column names.

    `columns` maps each canonical name to the headers accepted for it (both languages).
    Unknown columns are ignored (sheets often carry a title column for people). With `max_rows`
    the file is refused as soon as its row `max_rows + 1` (blank rows not counted) is read.
    A CSV row with more non-empty fields than the header is an error (a decimal comma in a
    comma-separated file splits a number in two); empty trailing fields are harmless.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in XLSX_SUFFIXES + CSV_SUFFIXES:
        raise _refuse(
            Message(N_("%(name)s: only .csv and .xlsx files are read"), {"name": path.name})
        )
    problem = file_problem(path)
    if problem is not None:
        raise _refuse(problem)
    is_csv = suffix in CSV_SUFFIXES
    opener = _csv_table if is_csv else _xlsx_table
    with opener(path) as (header, data_rows):
        positions = _positions(header, columns, required)
        rows: list[Row] = []
        problems: list[RowProblem] = []
        width, counted = len(header), 0
        for number, values in data_rows(max(positions.values(), default=0) + 1):
            if is_csv and len(values) > width:
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
            if all(_blank(v) for v in values):
                continue
            counted += 1
            if max_rows is not None and counted > max_rows:
                raise _refuse(
                    Message(N_("more than %(count)s rows: split the file"), {"count": max_rows}),
                    row=number,
                )
            cells = {
                name: values[index] if index < len(values) else None
                for name, index in positions.items()
            }
            if all(_blank(v) for v in cells.values()):
                continue
            rows.append(Row(number, cells))
    if problems:
        raise TableError(problems)
    return rows


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _positions(header, columns, required) -> dict[str, int]:
    lookup = {
        normalise_header(alias): name
        for name, aliases in columns.items()
        for alias in (name, *aliases)
    }
    positions: dict[str, int] = {}
    problems = []
    for index, title in enumerate(header):
        name = lookup.get(normalise_header(title)) if title is not None else None
        if name is None:
            continue
        if name in positions:
            problems.append(RowProblem(1, str(title), Message(N_("this column appears twice"))))
        positions[name] = index
    for name in required:
        if name not in positions:
            problems.append(
                RowProblem(
                    1,
                    name,
                    Message(
                        N_("required column is missing (accepted headers: %(headers)s)"),
                        {"headers": ", ".join((name, *columns[name]))},
                    ),
                )
            )
    if problems:
        raise TableError(problems)
    return positions


def _not_utf8(path: Path) -> TableError:
    return _refuse(
        Message(
            N_("%(name)s is not UTF-8 text; save it as “CSV UTF-8” or as .xlsx"),
            {"name": path.name},
        )
    )


def _empty() -> TableError:
    return _refuse(Message(N_("the file is empty")))


@contextmanager
def _csv_table(path: Path):
    """(header, rows) where rows(width) streams (row number, fields) from row 2 on."""
    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        try:
            first_line = handle.readline(_SNIFF_CHARS)
        except UnicodeDecodeError:
            raise _not_utf8(path) from None
        handle.seek(0)
        delimiter = max((",", ";", "\t"), key=first_line.count)
        reader = csv.reader(handle, delimiter=delimiter)
        records = _csv_records(path, reader)
        header = next(records, None)
        if header is None:
            raise _empty()

        def rows(width: int) -> Iterator[tuple[int, list]]:
            return records

        yield header[1], rows


def _csv_records(path: Path, reader) -> Iterator[tuple[int, list[str]]]:
    try:
        yield from enumerate(reader, start=1)
    except UnicodeDecodeError:
        raise _not_utf8(path) from None
    except csv.Error as exc:
        raise _refuse(
            Message(
                N_("%(name)s is not a readable CSV file: %(reason)s"),
                {"name": path.name, "reason": str(exc)},
            ),
            row=reader.line_num or None,
        ) from None


@contextmanager
def _xlsx_table(path: Path):
    """(header, rows) of the first sheet; rows(width) streams (row number, cells) from row 2,
    keeping only the first `width` columns."""
    problem = xlsx_problem(path)
    if problem is not None:
        raise _refuse(problem)
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise _damaged(path, exc) from None
    try:
        if not book.worksheets:
            raise _empty()
        sheet = book.worksheets[0]
        header = next(
            _guarded(
                path, sheet.iter_rows(max_row=1, max_col=MAX_HEADER_COLUMNS, values_only=True)
            ),
            None,
        )
        if header is None:
            raise _empty()

        def rows(width: int) -> Iterator[tuple[int, list]]:
            values = sheet.iter_rows(
                min_row=2, max_row=EXCEL_MAX_ROWS, max_col=width, values_only=True
            )
            return enumerate(_guarded(path, values), start=2)

        yield list(header), rows
    finally:
        book.close()


def _guarded(path: Path, values) -> Iterator[list]:
    """The rows openpyxl yields; a damaged sheet (bad XML, a bad cell) becomes a TableError."""
    try:
        for row in values:
            yield list(row)
    except Exception as exc:  # any parse error of a damaged sheet
        raise _damaged(path, exc) from None


def _damaged(path: Path, exc: Exception) -> TableError:
    return _refuse(
        Message(
            N_("%(name)s cannot be read as an Excel file: %(reason)s"),
            {"name": path.name, "reason": str(exc) or type(exc).__name__},
        )
    )
