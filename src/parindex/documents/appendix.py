"""The self-assessment report's appendix workbook: every criterion with its maximum, the
unit's self score, its explanation and the evidence attached, under the areas' subtotals."""

from __future__ import annotations

import io

import xlsxwriter
from django.utils.translation import pgettext

from parindex.assessments.ranking_sheet import _number, _styles
from parindex.documents.context import self_assessment_rows


def self_assessment_workbook(framework, unit) -> bytes:
    rows = self_assessment_rows(framework, unit)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    styles = _styles(book)
    styles["wrap"] = book.add_format({"text_wrap": True, "valign": "top"})
    sheet = book.add_worksheet(pgettext("document", "Appendix"))
    sheet.write_string(
        0,
        0,
        pgettext("document", "Appendix: self-assessment of the PAR Index %(year)s — %(unit)s")
        % {"year": framework.year, "unit": unit.name},
        styles["title"],
    )
    sheet.write_string(1, 0, framework.title, styles["subtitle"])
    headers = [
        (pgettext("document", "Code"), 8),
        (pgettext("document", "Criterion"), 50),
        (pgettext("document", "Maximum"), 10),
        (pgettext("document", "Self score"), 10),
        (pgettext("document", "Explanation"), 45),
        (pgettext("document", "Evidence"), 45),
    ]
    head = 3
    for col, (text, width) in enumerate(headers):
        sheet.write_string(head, col, text, styles["head"])
        sheet.set_column(col, col, width)
    sheet.freeze_panes(head + 1, 2)
    row = head
    for criterion in rows["criteria"]:
        row += 1
        sheet.write_string(row, 0, criterion["code"], styles["text"])
        sheet.write_string(row, 1, criterion["title"], styles["wrap"])
        _number(sheet, row, 2, criterion["max"], styles["points"])
        _number(sheet, row, 3, criterion["points"], styles["points"])
        sheet.write_string(row, 4, criterion["explanation"], styles["wrap"])
        sheet.write_string(row, 5, "; ".join(criterion["evidence"]), styles["wrap"])
    row += 2
    sheet.write_string(row, 1, pgettext("document", "Self-assessed total"), styles["head"])
    _number(sheet, row, 2, rows["max"], styles["points"])
    _number(sheet, row, 3, rows["total"], styles["points"])
    sheet.autofilter(head, 0, head + len(rows["criteria"]), len(headers) - 1)
    book.close()
    return buffer.getvalue()
