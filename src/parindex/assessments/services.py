"""Scores files (CSV/XLSX) read into the score gate (`parindex.assessments.scores`)."""

from __future__ import annotations

from pathlib import Path

from parindex.assessments.models import Source
from parindex.assessments.scores import FileInfo, Item, Writer, WriteReport, write_entries
from parindex.domain.i18n import Message
from parindex.domain.i18n import gettext_noop as N_
from parindex.frameworks.models import Framework
from parindex.tables import Row, RowProblem, TableError, read_table

ScoresReport = WriteReport

SCORE_COLUMNS = {
    "unit": ("đơn vị", "mã đơn vị", "don vi"),
    "criterion": ("tiêu chí", "mã tiêu chí", "tieu chi", "key"),
    "points": ("điểm", "diem"),
    "value": ("giá trị", "gia tri"),
    "note": ("ghi chú", "ghi chu"),
    "version": ("phiên bản", "phien ban"),
}


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() if value is not None else ""


def _version(row: Row) -> int | None:
    """The entry version a downloaded sheet recorded for the row (0: none), if it says."""
    raw = row.get("version")
    if raw is None:
        return None
    text = _text(raw)
    return int(text) if text.isdigit() else None


def row_items(rows: list[Row], reason: str = "") -> list[Item]:
    """Rows of a scores file as the gate's items (a row's note is also its reason, else
    `reason`)."""
    items = []
    for row in rows:
        note = _text(row.get("note"))
        items.append(
            Item(
                unit=_text(row.get("unit")),
                key=_text(row.get("criterion")),
                points=row.get("points"),
                value=row.get("value"),
                note=note,
                reason=note or reason,
                version=_version(row),
                row=row.number,
            )
        )
    return items


def import_scores(
    path: str | Path, framework_code: str, stage: str, *, actor: str, reason: str = ""
) -> ScoresReport:
    """`parindex scores import`: the operator's file, written through the gate as a named
    system actor (the file is the authority: its rows replace what is stored)."""
    path = Path(path)
    rows = read_table(path, SCORE_COLUMNS, ("unit", "criterion"))
    return import_score_rows(
        rows,
        framework_code,
        stage,
        actor=actor,
        reason=reason or path.name,
        file=FileInfo.of_bytes(path.name, path.read_bytes()),
    )


def import_score_rows(
    rows: list[Row],
    framework_code: str,
    stage: str,
    *,
    actor: str,
    reason: str,
    source: str = Source.IMPORT,
    file: FileInfo | None = None,
) -> ScoresReport:
    """Validate every row, then write all of them or none, as the system actor `actor`.

    Re-importing the same rows changes nothing and leaves no audit entry.
    """
    framework = Framework.objects.filter(code=framework_code).first()
    if framework is None:
        raise TableError(
            [
                RowProblem(
                    None,
                    None,
                    Message(N_("framework “%(code)s” does not exist"), {"code": framework_code}),
                )
            ]
        )
    return write_entries(
        Writer.system(actor, source),
        framework,
        row_items(rows, reason),
        stage=stage,
        overwrite=True,
        file=file or FileInfo(reason),
    )
