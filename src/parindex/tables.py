"""Reading small tabular files (CSV or XLSX) with English or Vietnamese headers.

Rows keep their spreadsheet row number (the header is row 1) so that every problem can name
the row, the column and the reason. CSV may be UTF-8 with or without BOM and separated by commas,
semicolons (what a Vietnamese Excel writes, since its decimal separator is the comma) or tabs.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from parindex.domain.i18n import Message
from parindex.domain.i18n import gettext_noop as N_


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


class TableError(Exception):
    """The whole file is refused: every problem found is listed."""

    def __init__(self, problems: list[RowProblem]):
        super().__init__("; ".join(str(p.message) for p in problems))
        self.problems = problems


def normalise_header(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", str(text)).strip().lower().split())


def read_table(
    path: str | Path, columns: Mapping[str, tuple[str, ...]], required: tuple[str, ...]
) -> list[Row]:
    """Rows of the file keyed by canonical column names.

    `columns` maps each canonical name to the headers accepted for it (both languages).
    Unknown columns are ignored (sheets often carry a title column for people).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        header, raw_rows = _read_xlsx(path)
    elif suffix in (".csv", ".txt", ".tsv"):
        header, raw_rows = _read_csv(path)
    else:
        raise TableError(
            [
                RowProblem(
                    None,
                    None,
                    Message(
                        N_("%(name)s: only .csv and .xlsx files are read"), {"name": path.name}
                    ),
                )
            ]
        )
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
    rows = []
    for number, values in raw_rows:
        cells = {
            name: values[index] if index < len(values) else None
            for name, index in positions.items()
        }
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells.values()):
            continue
        rows.append(Row(number, cells))
    return rows


def _read_csv(path: Path):
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TableError(
            [
                RowProblem(
                    None,
                    None,
                    Message(
                        N_("%(name)s is not UTF-8 text; save it as “CSV UTF-8” or as .xlsx"),
                        {"name": path.name},
                    ),
                )
            ]
        ) from None
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = list(reader)
    if not rows:
        raise TableError([RowProblem(None, None, Message(N_("the file is empty")))])
    return rows[0], [(number, row) for number, row in enumerate(rows[1:], start=2)]


def _read_xlsx(path: Path):
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise TableError(
            [
                RowProblem(
                    None,
                    None,
                    Message(
                        N_("%(name)s cannot be read as an Excel file: %(reason)s"),
                        {"name": path.name, "reason": str(exc)},
                    ),
                )
            ]
        ) from None
    try:
        sheet = book.worksheets[0]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    if not rows:
        raise TableError([RowProblem(None, None, Message(N_("the file is empty")))])
    return rows[0], [(number, row) for number, row in enumerate(rows[1:], start=2)]
