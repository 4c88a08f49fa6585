"""The scoring grid as an Excel sheet: download, fill in offline, upload back.

One worksheet, its header on row 1 in the user's language (docs/data-files.md, "The grid
sheet"): Mã đơn vị | Mã tiêu chí | Tên tiêu chí | Điểm tối đa | Cách chấm | Điểm tự chấm (or
Điểm thẩm định …: the user's stage) | Điểm được tính | Số liệu | Giải trình (or Ý kiến thẩm
định) | Phiên bản | Mã số liệu (hidden). First the named inputs, a row each ("Số liệu 1", …)
with its title and unit, whose figures the data-driven criteria are computed from — the
input's name, which people need not read, only in the hidden technical column; then every
area with its subtotal and its criteria; then the total.

For the reader, Excel does the arithmetic of typed points: "Điểm được tính" is a formula per
typed criterion (the typed points, a dropdown label turned into its points, else what the
criterion gets without them) and a capped sum per area, recomputed as the user types. A
criterion computed from figures shows its score as of the download, said so (the rules are
not Excel formulas: a formula would ignore figures typed offline and look live); the upload
recomputes it. The upload computes nothing from formulas: it reads codes (a figure row's
input name from the technical column, or from the code column of older sheets), points,
figures, explanations and versions, ignores area and total rows, and goes through the same
score gate as every other writer — all rows or none, each problem with its row, column and
reason, the role's stage only, stale rows refused. The explanation column is the criterion's
explanation (or the appraiser's comment), written with the points in one transaction,
through the criterion page's own function.

Only the points, figure and explanation cells are unlocked; the sheet is protected without a
password (Excel: Review › Unprotect Sheet), so that codes, versions and input names are not
changed by mistake.
"""

from __future__ import annotations

import hashlib
import io
import re
import tempfile
import unicodedata
from decimal import Decimal
from pathlib import Path

import xlsxwriter
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from parindex.assessments.access import Access
from parindex.assessments.criteria import ANY_VERSION, PART_NOTE, set_note
from parindex.assessments.errors import ActionRefused
from parindex.assessments.models import CriterionNote, ScoreEntry, Source, Stage
from parindex.assessments.scores import (
    FileInfo,
    Item,
    KeyIndex,
    Writer,
    WriteRefused,
    WriteReport,
    write_entries,
)
from parindex.assessments.services import SCORE_COLUMNS
from parindex.domain import workflow
from parindex.domain.framework import SURVEY, Node
from parindex.domain.i18n import Message
from parindex.domain.i18n import gettext_noop as N_
from parindex.domain.numbers import format_number, plain
from parindex.domain.rules import COUNT, FLAG, RATIO, SCORED, Levels, Manual, PassFail
from parindex.domain.scoring import STAGES, score_unit, stage_data
from parindex.messages import render
from parindex.tables import RowProblem, read_table

# What an upload may cost, checked before it is parsed (a grid has a few hundred rows).
SHEET_MAX_ROWS = 5000
SHEET_MAX_BYTES = 5 * 1024 * 1024

# The columns, in order (canonical names: those of the scores file where they are read back).
COLUMNS = (
    "unit",
    "criterion",
    "title",
    "max",
    "rule",
    "points",
    "counted",
    "value",
    "note",
    "version",
    "input_key",
)
UNIT, CODE, TITLE, MAX, RULE, POINTS, COUNTED, VALUE, NOTE, VERSION, INPUT_KEY = range(len(COLUMNS))
WIDTHS = (9, 12, 52, 8, 46, 15, 10, 13, 40, 9, 24)

HEADERS = {
    "unit": gettext_noop("Unit code"),
    "criterion": gettext_noop("Criterion code"),
    "title": gettext_noop("Criterion title"),
    "max": gettext_noop("Max points"),
    "rule": gettext_noop("How it is scored"),
    "counted": gettext_noop("Counted points"),
    "value": gettext_noop("Figure"),
    "version": gettext_noop("Version"),
    # A figure row's input name: what the upload reads; people read the "Figure n" code.
    "input_key": gettext_noop("Figure key (technical, do not change)"),
}
# The points column is named after the stage the user enters, the explanation column after
# the note it writes (the unit's explanation, the appraiser's comment).
POINTS_HEADERS = {
    Stage.SELF: gettext_noop("Self-assessment points"),
    Stage.APPRAISAL: gettext_noop("Appraisal points"),
    Stage.APPRAISAL2: gettext_noop("Second appraisal points"),
    Stage.FINAL: gettext_noop("Final points"),
}
NOTE_HEADERS = {
    CriterionNote.Kind.EXPLANATION: gettext_noop("Explanation"),
    CriterionNote.Kind.ANSWER: gettext_noop("Answer to the appraisal"),
    CriterionNote.Kind.COMMENT: gettext_noop("Appraisal comment"),
    CriterionNote.Kind.COMMENT2: gettext_noop("Second appraisal comment"),
}
# Words of the pass/fail and yes/no dropdowns (both languages are read back).
MET, NOT_MET = gettext_noop("Met"), gettext_noop("Not met")
YES, NO = gettext_noop("Yes"), gettext_noop("No")
# What "Counted points" means on a data-driven criterion's row: the score of the download.
COMPUTED_LABEL = gettext_noop(
    "Score computed from the figures at download: %(points)s (recomputed on upload)"
)
OVERRIDE_LABEL = gettext_noop(
    "Score at download: %(points)s, the typed points overriding the figures (recomputed on upload)"
)
COMPUTED_NOTE = gettext_noop(
    "Score computed from the figures at download. Figures or points changed in this sheet do "
    "not update this cell: the score is recomputed on upload."
)
COUNTED_NOTE = gettext_noop(
    "Typed and chosen points update this column as you type. For criteria computed from "
    "figures it shows the score at download: changed figures are recomputed on upload."
)
COMMENT_SIZE = {"x_scale": 2, "y_scale": 1.5}
LISTS_SHEET = "danh-sach"  # the dropdowns' words (hidden); a Vietnamese name, as the rest


def _refusal(msgid: str, **params) -> ActionRefused:
    return ActionRefused(Message(msgid, params))


def _both_languages(msgid: str) -> set[str]:
    found = {msgid}
    for language in ("en", "vi"):
        with translation.override(language):
            found.add(_(msgid))
    return found


def sheet_columns() -> dict[str, tuple[str, ...]]:
    """The headers an upload accepts for each column read back: the scores file's (English
    and Vietnamese, as older sheets have them) and this sheet's own, in both languages."""
    own = {
        "unit": [HEADERS["unit"]],
        "criterion": [HEADERS["criterion"]],
        "points": list(POINTS_HEADERS.values()),
        "value": [HEADERS["value"]],
        "note": list(NOTE_HEADERS.values()),
        "version": [HEADERS["version"]],
        "input_key": [HEADERS["input_key"]],
    }
    columns = {}
    for name, msgids in own.items():
        aliases = set(SCORE_COLUMNS.get(name, ()))
        for msgid in msgids:
            aliases |= _both_languages(msgid)
        columns[name] = tuple(sorted(aliases - {name}))
    return columns


def _words(msgid: str) -> set[str]:
    return {_key(word) for word in _both_languages(msgid)}


def _key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() if value is not None else ""


def _formula_text(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


# --- download --------------------------------------------------------------------------------


class _Book:
    """The workbook's formats and its hidden sheet of dropdown lists."""

    def __init__(self, book):
        self.book = book
        base = {"valign": "top", "border": 1, "border_color": "#D0D7E5"}
        self.head = book.add_format(
            {**base, "bold": True, "bg_color": "#DDEBF7", "text_wrap": True}
        )
        self.section = book.add_format({**base, "bold": True, "bg_color": "#E2EFDA"})
        self.area = book.add_format({**base, "bold": True, "bg_color": "#F2F2F2"})
        self.area_text = book.add_format(
            {**base, "bold": True, "bg_color": "#F2F2F2", "text_wrap": True}
        )
        self.area_number = book.add_format(
            {**base, "bold": True, "bg_color": "#F2F2F2", "num_format": "0.00#"}
        )
        self.locked = book.add_format({**base, "font_color": "#444444", "text_wrap": True})
        self.number = book.add_format({**base, "font_color": "#444444", "num_format": "0.00#"})
        self.computed = book.add_format(
            {**base, "font_color": "#444444", "italic": True, "num_format": "0.00#"}
        )
        editable = {**base, "bg_color": "#FFF9DB", "locked": False}
        self.points = book.add_format({**editable, "num_format": "0.00##"})
        self.note = book.add_format({**editable, "text_wrap": True})
        self.count = book.add_format({**editable, "num_format": "#,##0"})
        self.ratio = book.add_format({**editable, "num_format": "0.##%"})
        self.figure = book.add_format({**editable, "num_format": "0.######"})
        self.lists = book.add_worksheet(LISTS_SHEET)
        self.lists.hide()
        self.lists.protect()
        self._lists: dict[tuple[str, ...], str] = {}

    def list_range(self, words: tuple[str, ...]) -> str:
        """A range of the hidden sheet holding `words`: a dropdown's source (labels may hold
        commas, which a literal list cannot)."""
        found = self._lists.get(words)
        if found is None:
            column = len(self._lists)
            for row, word in enumerate(words):
                self.lists.write_string(row, column, word)
            letter = xlsxwriter.utility.xl_col_to_name(column)
            found = f"='{LISTS_SHEET}'!${letter}$1:${letter}${len(words)}"
            self._lists[words] = found
        return found


def grid_workbook(access: Access) -> bytes:
    """The unit's inputs and criteria with what the user's stage holds (or the self stage, for
    a reader). Each row carries the version of the entry it shows: an upload of the sheet then
    knows, row by row, whether someone changed the value since (see the score gate)."""
    assessment = access.assessment
    stage = access.points_stage or Stage.SELF
    kind = PART_NOTE.get(access.part or "", CriterionNote.Kind.EXPLANATION)
    framework = assessment.framework.domain
    entries = list(
        ScoreEntry.objects.filter(
            framework_id=assessment.framework_id, unit_id=assessment.unit_id
        ).only("stage", "key", "points", "value", "version")
    )
    at_stage = {e.key: e for e in entries if e.stage == stage}
    notes = dict(
        CriterionNote.objects.filter(assessment=assessment, kind=kind).values_list("code", "text")
    )
    # What counts now, and what each criterion gets when its points cell is left empty (the
    # figures, or an earlier stage): the formulas' fallbacks and cached values.
    upto = set(STAGES[: STAGES.index(stage) + 1])
    rows = [(e.stage, e.key, e.points, e.value) for e in entries if e.stage in upto]
    now = score_unit(framework, stage_data(rows))
    untyped = [r for r in rows if not (r[0] == stage and r[2] is not None)]
    without = score_unit(framework, stage_data(untyped))

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    # Sheet names cannot hold []:*?/\ ; unit codes are restricted, but a name is not a code.
    name = re.sub(r"[\[\]:*?/\\]", "-", assessment.unit.code)[:31] or "grid"
    sheet = book.add_worksheet(name)
    sheet.activate()
    formats = _Book(book)
    headers = [_(HEADERS[c]) if c in HEADERS else "" for c in COLUMNS]
    headers[POINTS] = _(POINTS_HEADERS[stage])
    headers[NOTE] = _(NOTE_HEADERS[kind])
    sheet.write_row(0, 0, headers, formats.head)
    sheet.write_comment(0, COUNTED, _(COUNTED_NOTE), COMMENT_SIZE)
    sheet.set_row(0, 30)
    writer = _Writer(sheet, formats, assessment.unit.code, now)

    keys = KeyIndex.of(framework)
    inputs = [info for name, info in framework.inputs_info.items() if name not in keys.survey_only]
    if inputs:
        readers: dict[str, list[str]] = {}
        for leaf in framework.leaves():
            for input_name in leaf.effective_rule.inputs():
                readers.setdefault(input_name, []).append(leaf.code)
        writer.section(_("Figures the criteria are computed from"))
        for number, info in enumerate(inputs, start=1):
            writer.input_row(number, info, at_stage.get(info.name), readers.get(info.name, []))
        writer.section(_("Criteria and points"))
    areas = [node for node in framework.nodes if node.effective_kind != SURVEY]
    top = [writer.node_rows(node, at_stage, notes, without) for node in areas]
    writer.total(top, sum((now.nodes[node.code].score for node in areas), Decimal(0)))

    for column, width in enumerate(WIDTHS):
        sheet.set_column(column, column, width)
    # The input names are for the upload, not for people: hidden (and locked, as every key).
    sheet.set_column(INPUT_KEY, INPUT_KEY, WIDTHS[INPUT_KEY], None, {"hidden": True})
    sheet.freeze_panes(1, 3)  # the header, and each row's unit, code and title, stay in view
    sheet.protect(
        "",
        {
            "format_columns": True,
            "format_rows": True,
            "select_locked_cells": True,
            "select_unlocked_cells": True,
        },
    )
    book.close()
    return buffer.getvalue()


class _Writer:
    def __init__(self, sheet, formats: _Book, unit: str, now):
        self.sheet, self.f, self.unit, self.now = sheet, formats, unit, now
        self.row = 1

    def _cell(self, row: int, column: int) -> str:
        return xlsxwriter.utility.xl_rowcol_to_cell(row, column)

    def section(self, title: str) -> None:
        for column in range(len(COLUMNS)):
            self.sheet.write_blank(self.row, column, None, self.f.section)
        self.sheet.write_string(self.row, TITLE, title, self.f.section)
        self.row += 1

    def total(self, rows: list[int], points: Decimal) -> None:
        """The sum of the areas (the survey, bonus and penalty are the officer's, not here)."""
        for column in range(len(COLUMNS)):
            self.sheet.write_blank(self.row, column, None, self.f.area)
        self.sheet.write_string(
            self.row, TITLE, _("Total, without the survey, bonus and penalty"), self.f.area
        )
        cells = ",".join(self._cell(r, COUNTED) for r in rows)
        self.sheet.write_formula(
            self.row, COUNTED, f"=SUM({cells})", self.f.area_number, float(points)
        )
        self.row += 1

    def input_row(self, number: int, info, entry, read_by: list[str]) -> None:
        sheet, f, row = self.sheet, self.f, self.row
        title = f"{info.title} ({info.unit})" if info.unit else info.title
        sheet.write_string(row, UNIT, self.unit, f.locked)
        sheet.write_string(row, CODE, _("Figure %(number)s") % {"number": number}, f.locked)
        sheet.write_string(row, INPUT_KEY, info.name, f.locked)
        sheet.write_string(row, TITLE, title, f.locked)
        sheet.write_blank(row, MAX, None, f.locked)
        sheet.write_string(
            row, RULE, _("used for %(codes)s") % {"codes": ", ".join(read_by)}, f.locked
        )
        sheet.write_blank(row, POINTS, None, f.locked)
        sheet.write_blank(row, COUNTED, None, f.locked)
        value = entry.value if entry is not None else None
        if info.kind == FLAG:
            words = (_(YES), _(NO))
            cell_format = f.note
            if value is not None:
                sheet.write_string(row, VALUE, words[0] if value >= 1 else words[1], cell_format)
            else:
                sheet.write_blank(row, VALUE, None, cell_format)
            sheet.data_validation(
                row, VALUE, row, VALUE, {"validate": "list", "source": f.list_range(words)}
            )
        else:
            cell_format = {COUNT: f.count, RATIO: f.ratio}.get(info.kind, f.figure)
            if value is not None:
                sheet.write_number(row, VALUE, float(value), cell_format)
            else:
                sheet.write_blank(row, VALUE, None, cell_format)
            sheet.data_validation(row, VALUE, row, VALUE, _figure_validation(info.kind))
        sheet.write_blank(row, NOTE, None, f.note)
        sheet.write_number(row, VERSION, entry.version if entry is not None else 0, f.locked)
        self.row += 1

    def node_rows(self, node: Node, at_stage, notes, without) -> int:
        """The node's row and its children's; returns the node's row."""
        sheet, f, row = self.sheet, self.f, self.row
        self.row += 1
        sheet.write_string(row, UNIT, self.unit, f.area if not node.is_leaf else f.locked)
        if not node.is_leaf:
            sheet.write_string(row, CODE, node.code, f.area)
            sheet.write_string(row, TITLE, node.title, f.area_text)
            sheet.write_number(row, MAX, float(node.effective_max), f.area_number)
            for column in (RULE, POINTS, VALUE, NOTE, VERSION, INPUT_KEY):
                sheet.write_blank(row, column, None, f.area)
            children = [self.node_rows(child, at_stage, notes, without) for child in node.children]
            cells = ",".join(self._cell(r, COUNTED) for r in children)
            sheet.write_formula(
                row,
                COUNTED,
                f"=MIN({plain(node.effective_max)},SUM({cells}))",
                f.area_number,
                float(self.now.nodes[node.code].score),
            )
            return row
        entry = at_stage.get(node.code)
        typed = entry.points if entry is not None and entry.points is not None else None
        rule = node.effective_rule
        sheet.write_string(row, CODE, node.code, f.locked)
        sheet.write_string(row, TITLE, node.title, f.locked)
        sheet.write_number(row, MAX, float(node.effective_max), f.number)
        score = self.now.nodes[node.code].score
        described = render(node.describe())
        if rule.data_driven:
            described += "\n" + _(COMPUTED_LABEL if typed is None else OVERRIDE_LABEL) % {
                "points": _number(score)
            }
        sheet.write_string(row, RULE, described, f.locked)
        shown = _label(rule, node, typed)
        if shown is not None:
            sheet.write_string(row, POINTS, shown, f.points)
        elif typed is not None:
            sheet.write_number(row, POINTS, float(typed), f.points)
        else:
            sheet.write_blank(row, POINTS, None, f.points)
        sheet.data_validation(row, POINTS, row, POINTS, self._points_validation(node, row))
        if rule.data_driven:
            # The engine's rules are not Excel formulas: a formula here would ignore the
            # figures typed offline and look live. The score as of the download, said so.
            sheet.write_number(row, COUNTED, float(score), f.computed)
            sheet.write_comment(row, COUNTED, _(COMPUTED_NOTE), COMMENT_SIZE)
        else:
            fallback = without.leaves[node.code].outcome
            fallback_points = fallback.points if fallback.status == SCORED else Decimal(0)
            sheet.write_formula(
                row,
                COUNTED,
                "=" + _counted_formula(self._cell(row, POINTS), node, fallback_points),
                f.number,
                float(score),
            )
        sheet.write_blank(row, VALUE, None, f.locked)
        note = notes.get(node.code)
        if note:
            sheet.write_string(row, NOTE, note, f.note)
        else:
            sheet.write_blank(row, NOTE, None, f.note)
        sheet.write_number(row, VERSION, entry.version if entry is not None else 0, f.locked)
        sheet.write_blank(row, INPUT_KEY, None, f.locked)
        return row

    def _points_validation(self, node: Node, row: int) -> dict:
        rule, top = node.effective_rule, node.effective_max
        if isinstance(rule, Levels):
            words = tuple(level.label for level in rule.levels)
            return {"validate": "list", "source": self.f.list_range(words)}
        if isinstance(rule, PassFail):
            return {"validate": "list", "source": self.f.list_range((_(MET), _(NOT_MET)))}
        low, high = rule.bounds(top)
        check = {
            "validate": "decimal",
            "criteria": "between",
            "minimum": float(low),
            "maximum": float(high),
            "error_title": _("Points"),
            "error_message": _("Points from %(low)s to %(high)s") % _range(low, high),
        }
        if isinstance(rule, Manual) and rule.step:
            # A multiple of the step, compared in ten-thousandths (points have 4 decimals).
            cell = self._cell(row, POINTS)
            check = {
                **check,
                "validate": "custom",
                "value": (
                    f"=AND(ISNUMBER({cell}),{cell}>={plain(low)},{cell}<={plain(high)},"
                    f"MOD(ROUND({cell}*10000,0),{plain(rule.step * 10000)})=0)"
                ),
                "error_message": _("Points from %(low)s to %(high)s, in steps of %(step)s")
                % {**_range(low, high), "step": _number(rule.step)},
            }
            for key in ("criteria", "minimum", "maximum"):
                check.pop(key)
        if rule.data_driven:
            check["input_title"] = _("Computed from figures")[:32]
            check["input_message"] = _(
                "Points typed here override what the figures give and need an explanation."
            )[:255]
        return check


def _range(low: Decimal, high: Decimal) -> dict:
    return {"low": _number(low), "high": _number(high)}


def _number(value: Decimal) -> str:
    return format_number(value, 4)


def _figure_validation(kind: str) -> dict:
    if kind == COUNT:
        return {
            "validate": "integer",
            "criteria": ">=",
            "value": 0,
            "error_message": _("A whole number, 0 or more"),
        }
    if kind == RATIO:
        return {
            "validate": "decimal",
            "criteria": "between",
            "minimum": 0,
            "maximum": 1,
            "error_message": _("A share between 0 and 1, or a percentage"),
        }
    return {"validate": "decimal", "criteria": "between", "minimum": -1e14, "maximum": 1e14}


def _label(rule, node: Node, points: Decimal | None) -> str | None:
    """The dropdown word a levels or pass/fail criterion shows for its points, if any."""
    if points is None:
        return None
    if isinstance(rule, Levels):
        level = rule.level_for(points)
        return level.label if level is not None else None
    if isinstance(rule, PassFail):
        if points == rule.passed(node.effective_max):
            return _(MET)
        if points == rule.fail_points:
            return _(NOT_MET)
    return None


def _counted_formula(cell: str, node: Node, fallback: Decimal) -> str:
    """The points a criterion's row counts: typed (a number, or a dropdown word and its
    points), else `fallback` (what the figures or an earlier stage give)."""
    rule = node.effective_rule
    formula = f"IF(ISNUMBER({cell}),{cell},{plain(fallback)})"
    choices: list[tuple[str, Decimal]] = []
    if isinstance(rule, Levels):
        choices = [(level.label, level.points) for level in rule.levels]
    elif isinstance(rule, PassFail):
        choices = [(_(MET), rule.passed(node.effective_max)), (_(NOT_MET), rule.fail_points)]
    for word, points in reversed(choices):
        formula = f"IF({cell}={_formula_text(word)},{plain(points)},{formula})"
    return formula


# --- upload ----------------------------------------------------------------------------------


def _version(raw) -> int | None:
    """The entry version a downloaded sheet recorded for the row (0: none), if it says."""
    if raw is None:
        return None
    text = _text(raw)
    return int(text) if text.isdigit() else None


def _points(node: Node | None, raw):
    """A dropdown word (a level's label, met / not met) as its points; anything else as is
    (the gate reads and checks it)."""
    if node is None or not isinstance(raw, str):
        return raw
    rule, word = node.effective_rule, _key(raw)
    if isinstance(rule, Levels):
        for level in rule.levels:
            if _key(level.label) == word:
                return level.points
    if isinstance(rule, PassFail):
        if word in _words(MET) | {"đạt"}:
            return rule.passed(node.effective_max)
        if word in _words(NOT_MET) | {"không đạt"}:
            return rule.fail_points
    return raw


def import_grid_sheet(access: Access, upload, *, overwrite: bool = False) -> WriteReport:
    """Points, figures and explanations from a filled-in sheet (or a CSV of the scores-file
    columns), at the stage the user edits, through the score gate; blank cells are skipped
    (a blank explanation leaves the stored one). Rows without a version (a CSV, a column
    deleted) may replace existing values only with `overwrite`. The explanations are written
    with the points, all or nothing."""
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
        rows = read_table(path, sheet_columns(), ("unit", "criterion"), max_rows=SHEET_MAX_ROWS)

    assessment = access.assessment
    framework = assessment.framework
    nodes = framework.domain.node_map()
    inputs = framework.domain.inputs()
    own = assessment.unit.code
    items: list[Item] = []
    explanations: dict[str, tuple[int, str]] = {}
    problems: list[RowProblem] = []
    for row in rows:
        # A figure row names its input in the technical column; older sheets (and CSV files
        # of the scores-file columns) in the code column.
        key = _text(row.get("input_key")) or _text(row.get("criterion"))
        node = nodes.get(key)
        if node is not None and not node.is_leaf:
            continue  # an area's subtotal: a formula for the reader, never read back
        unit = _text(row.get("unit"))
        points, value = _points(node, row.get("points")), row.get("value")
        explanation = _text(row.get("note"))
        if points is not None or value is not None:
            items.append(
                Item(
                    unit=unit,
                    key=key,
                    points=points,
                    value=value,
                    reason=explanation,
                    version=_version(row.get("version")),
                    row=row.number,
                )
            )
        if not explanation or key in inputs:
            continue  # a figure's explanation is the reason of its change (audit trail)
        if node is None:
            if key and points is None and value is None:
                problems.append(
                    RowProblem(
                        row.number,
                        "criterion",
                        Message(
                            N_(
                                "“%(key)s” is neither a criterion of %(framework)s "
                                "nor one of its named inputs"
                            ),
                            {"key": key, "framework": framework.code},
                        ),
                    )
                )
            continue
        if unit != own:
            if points is None:  # a row with points gets the gate's own refusal
                problems.append(
                    RowProblem(
                        row.number,
                        "unit",
                        Message(N_("this sheet is for %(code)s only"), {"code": own}),
                    )
                )
            continue
        explanations[key] = (row.number, explanation)

    kind = PART_NOTE.get(access.part or "")
    stored = dict(
        CriterionNote.objects.filter(assessment=assessment, kind=kind).values_list("code", "text")
    )
    changed = {code: text for code, (_n, text) in explanations.items() if stored.get(code) != text}
    with transaction.atomic():
        try:
            report = write_entries(
                Writer.person(access.user, Source.UPLOAD),
                framework,
                items,
                overwrite=overwrite,
                only_unit=own,
                access=access,
                file=FileInfo(upload.name, digest.hexdigest()),
            )
        except WriteRefused as exc:
            both = sorted([*exc.problems, *problems], key=lambda p: p.row or 0)
            raise WriteRefused(both, conflict=exc.conflict) from None
        if problems:
            raise WriteRefused(problems)
        for code, text in changed.items():
            set_note(access, code, text, expected_version=ANY_VERSION, source=Source.UPLOAD)
        report.notes = len(changed)
    return report
