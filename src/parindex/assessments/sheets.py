"""The scoring grid as an Excel sheet: download, fill in offline, upload back.

The sheet has the columns of the scores file (`unit, criterion, points, note`) plus columns
for the reader (title, max, how it is scored) that the import ignores, so an upload is
checked exactly like `parindex scores import`: all rows or none, each problem with its row,
column and reason.
"""

from __future__ import annotations

import io
import tempfile
from datetime import datetime
from pathlib import Path

import xlsxwriter
from django.utils import timezone

from parindex.assessments.actions import ActionRefused, roles_of
from parindex.assessments.criteria import PART_STAGE
from parindex.assessments.models import ScoreEntry, UnitAssessment
from parindex.assessments.services import SCORE_COLUMNS, ScoresReport, import_score_rows
from parindex.domain import workflow
from parindex.domain.framework import SURVEY
from parindex.domain.i18n import Message
from parindex.domain.i18n import gettext_noop as N_
from parindex.messages import render
from parindex.tables import RowProblem, TableError, read_table

HEADERS = ("unit", "criterion", "title", "max", "rule", "points", "note")
INFO_SHEET = "info"


def _stage(user, assessment: UnitAssessment) -> str | None:
    part = workflow.editable_part(assessment.state, roles_of(user, assessment))
    return PART_STAGE.get(part) if part else None


def grid_workbook(user, assessment: UnitAssessment) -> bytes:
    """The unit's criteria with the points at the stage the user edits (or the self scores)."""
    stage = _stage(user, assessment) or "self"
    framework = assessment.round.framework.domain
    points = dict(
        ScoreEntry.objects.filter(
            framework_id=assessment.round.framework_id, unit_id=assessment.unit_id, stage=stage
        )
        .exclude(points=None)
        .values_list("key", "points")
    )
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    locked = book.add_format({"font_color": "#555555", "text_wrap": True, "valign": "top"})
    editable = book.add_format({"bg_color": "#FFF9DB", "num_format": "0.00##"})
    sheet = book.add_worksheet(assessment.unit.code[:31])
    sheet.write_row(0, 0, HEADERS, head)
    sheet.freeze_panes(1, 0)
    row = 1
    for leaf in framework.leaves():
        if leaf.effective_kind == SURVEY:
            continue
        sheet.write_string(row, 0, assessment.unit.code, locked)
        sheet.write_string(row, 1, leaf.code, locked)
        sheet.write_string(row, 2, leaf.title, locked)
        sheet.write_number(row, 3, float(leaf.effective_max), locked)
        sheet.write_string(row, 4, render(leaf.effective_rule.describe(leaf.effective_max)), locked)
        if leaf.code in points:
            sheet.write_number(row, 5, float(points[leaf.code]), editable)
        else:
            sheet.write_blank(row, 5, None, editable)
        sheet.write_blank(row, 6, None, editable)
        row += 1
    for column, width in enumerate((10, 9, 60, 7, 50, 9, 40)):
        sheet.set_column(column, column, width)
    # When the sheet was taken: an upload refuses rows changed by someone else since then.
    info = book.add_worksheet(INFO_SHEET)
    info.write_row(0, 0, ("key", "value"), head)
    info.write_row(1, 0, ("downloaded_at", timezone.now().isoformat()))
    info.write_row(2, 0, ("stage", stage))
    info.hide()
    book.close()
    return buffer.getvalue()


def import_grid_sheet(user, assessment: UnitAssessment, upload) -> ScoresReport:
    """Points from a filled-in sheet, at the stage the user edits; rows left blank are skipped."""
    stage = _stage(user, assessment)
    if stage is None:
        raise ActionRefused(
            Message(
                N_("you cannot change this assessment while it is %(state)s"),
                {"state": Message(workflow.STATE_LABELS[assessment.state])},
            )
        )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ("upload" + Path(upload.name).suffix.lower())
        with path.open("wb") as target:
            for chunk in upload.chunks():
                target.write(chunk)
        rows = read_table(path, SCORE_COLUMNS, ("unit", "criterion"))
        taken = _downloaded_at(path)
    rows = [r for r in rows if r.get("points") is not None or r.get("value") is not None]
    if taken is not None:
        _refuse_changed_since(assessment, stage, rows, taken)
    return import_score_rows(
        rows,
        assessment.round.framework.code,
        stage,
        actor=user.get_username(),
        reason=upload.name,
        user=user,
        only_unit=assessment.unit.code,
    )


def _downloaded_at(path: Path) -> datetime | None:
    if path.suffix.lower() != ".xlsx":
        return None
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    try:
        if INFO_SHEET not in book.sheetnames:
            return None
        values = {
            row[0]: row[1]
            for row in book[INFO_SHEET].iter_rows(values_only=True)
            if row and len(row) > 1
        }
    finally:
        book.close()
    try:
        return datetime.fromisoformat(str(values.get("downloaded_at")))
    except ValueError:
        return None


def _refuse_changed_since(assessment, stage, rows, taken: datetime) -> None:
    """Rows whose criterion someone else changed after the sheet was downloaded."""
    changed = {
        entry.key: entry
        for entry in ScoreEntry.objects.filter(
            framework_id=assessment.round.framework_id,
            unit_id=assessment.unit_id,
            stage=stage,
            updated_at__gt=taken,
        )
    }
    problems = []
    for row in rows:
        entry = changed.get(str(row.get("criterion") or "").strip())
        if entry is not None:
            problems.append(
                RowProblem(
                    row.number,
                    "points",
                    Message(
                        N_(
                            "%(code)s was changed by %(who)s at %(when)s, after this sheet was "
                            "downloaded; download it again"
                        ),
                        {
                            "code": entry.key,
                            "who": entry.updated_by,
                            "when": timezone.localtime(entry.updated_at).strftime("%H:%M %d/%m/%Y"),
                        },
                    ),
                )
            )
    if problems:
        raise TableError(problems)
