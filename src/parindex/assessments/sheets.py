"""The scoring grid as an Excel sheet: download, fill in offline, upload back.

The sheet has the columns of the scores file (`unit, criterion, points, note, version`) plus
columns for the reader (title, max, how it is scored) that the import ignores. An upload goes
through the same score gate as every other writer: all rows or none, each problem with its
row, column and reason, the role's stage only, stale rows refused.
"""

from __future__ import annotations

import hashlib
import io
import re
import tempfile
from pathlib import Path

import xlsxwriter

from parindex.assessments.access import Access
from parindex.assessments.errors import ActionRefused
from parindex.assessments.models import ScoreEntry, Source, Stage
from parindex.assessments.scores import FileInfo, Writer, WriteReport, write_entries
from parindex.assessments.services import SCORE_COLUMNS, row_items
from parindex.domain import workflow
from parindex.domain.framework import SURVEY
from parindex.domain.i18n import Message
from parindex.domain.i18n import gettext_noop as N_
from parindex.messages import render
from parindex.tables import read_table

HEADERS = ("unit", "criterion", "title", "max", "rule", "points", "note", "version")
# What an upload may cost, checked before it is parsed (a grid has a few hundred rows).
SHEET_MAX_ROWS = 5000
SHEET_MAX_BYTES = 5 * 1024 * 1024


def _refusal(msgid: str, **params) -> ActionRefused:
    return ActionRefused(Message(msgid, params))


def grid_workbook(access: Access) -> bytes:
    """The unit's criteria with the points at the stage the user edits (or the self scores).
    Each row carries the version of the entry it shows: an upload of the sheet then knows,
    row by row, whether someone changed the value since (see the score gate)."""
    assessment = access.assessment
    stage = access.points_stage or Stage.SELF
    framework = assessment.framework.domain
    entries = {
        entry.key: entry
        for entry in ScoreEntry.objects.filter(
            framework_id=assessment.framework_id,
            unit_id=assessment.unit_id,
            stage=stage,
            points__isnull=False,
        )
    }
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    locked = book.add_format({"font_color": "#555555", "text_wrap": True, "valign": "top"})
    editable = book.add_format({"bg_color": "#FFF9DB", "num_format": "0.00##"})
    # Sheet names cannot hold []:*?/\ ; unit codes are restricted, but a name is not a code.
    name = re.sub(r"[\[\]:*?/\\]", "-", assessment.unit.code)[:31] or "grid"
    sheet = book.add_worksheet(name)
    sheet.write_row(0, 0, HEADERS, head)
    sheet.freeze_panes(1, 0)
    row = 1
    for leaf in framework.leaves():
        if leaf.effective_kind == SURVEY:
            continue
        entry = entries.get(leaf.code)
        sheet.write_string(row, 0, assessment.unit.code, locked)
        sheet.write_string(row, 1, leaf.code, locked)
        sheet.write_string(row, 2, leaf.title, locked)
        sheet.write_number(row, 3, float(leaf.effective_max), locked)
        sheet.write_string(row, 4, render(leaf.effective_rule.describe(leaf.effective_max)), locked)
        if entry is not None:
            sheet.write_number(row, 5, float(entry.points), editable)
        else:
            sheet.write_blank(row, 5, None, editable)
        sheet.write_blank(row, 6, None, editable)
        sheet.write_number(row, 7, entry.version if entry is not None else 0, locked)
        row += 1
    for column, width in enumerate((10, 9, 60, 7, 50, 9, 40, 8)):
        sheet.set_column(column, column, width)
    book.close()
    return buffer.getvalue()


def import_grid_sheet(access: Access, upload, *, overwrite: bool = False) -> WriteReport:
    """Points from a filled-in sheet (or a CSV of the scores-file columns), at the stage the
    user edits, through the score gate; rows left blank are skipped. Rows without a version
    (a CSV, a column deleted) may replace existing values only with `overwrite`."""
    if access.points_stage is None:
        raise _refusal(
            N_("you cannot change this assessment while it is %(state)s"),
            state=Message(workflow.STATE_LABELS[access.state]),
        )
    if upload.size > SHEET_MAX_BYTES:
        raise _refusal(
            N_("%(name)s is larger than %(limit)s MB; a grid sheet is far smaller"),
            name=upload.name,
            limit=SHEET_MAX_BYTES // 2**20,
        )
    digest = hashlib.sha256()
    with tempfile.TemporaryDirectory() as folder:
        # The user's own file name (messages name it), without any folder part.
        name = Path(str(upload.name).replace("\\", "/")).name or "upload"
        path = Path(folder) / (Path(name).stem[:100] + Path(name).suffix.lower())
        with path.open("wb") as target:
            for chunk in upload.chunks():
                digest.update(chunk)
                target.write(chunk)
        rows = read_table(path, SCORE_COLUMNS, ("unit", "criterion"), max_rows=SHEET_MAX_ROWS)
    rows = [r for r in rows if r.get("points") is not None or r.get("value") is not None]
    return write_entries(
        Writer.person(access.user, Source.UPLOAD),
        access.assessment.framework,
        row_items(rows),
        overwrite=overwrite,
        only_unit=access.assessment.unit.code,
        access=access,
        file=FileInfo(upload.name, digest.hexdigest()),
    )
