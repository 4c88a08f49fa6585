"""A remediation plan as an Excel workbook (the kế hoạch khắc phục table the department
attaches to its plan): one row per lost point with its cause, solution, responsible and
supporting units, deadline, status, progress and evidence. Numbers and dates are cells of
their type (a reader sorts and filters them), shown the Vietnamese way by their formats."""

from __future__ import annotations

import io
import re
from datetime import date

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _

from parindex.assessments.ranking_sheet import _ascii, _number, _styles
from parindex.domain import plans as rules
from parindex.plans.models import RemediationPlan
from parindex.plans.services import completion, plan_items

DATE = "dd/mm/yyyy"


def plan_workbook(plan: RemediationPlan, today: date) -> bytes:
    items = list(plan_items(plan).prefetch_related("evidence"))
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    styles = _styles(book)
    styles["date"] = book.add_format({"num_format": DATE, "valign": "top"})
    styles["wrap"] = book.add_format({"text_wrap": True, "valign": "top"})
    styles["progress"] = book.add_format({"num_format": "0", "valign": "top"})
    sheet = book.add_worksheet(_("Remediation plan"))
    sheet.write_string(0, 0, plan.title, styles["title"])
    state = _(rules.STATE_LABELS[plan.state])
    if plan.state == rules.APPROVED and plan.approved_at:
        state = _("approved by %(who)s on %(date)s") % {
            "who": plan.approved_by.get_username() if plan.approved_by else "—",
            "date": timezone.localtime(plan.approved_at).strftime("%d/%m/%Y"),
        }
    sheet.write_string(
        1,
        0,
        _("%(unit)s · %(framework)s · %(state)s · made on %(date)s")
        % {
            "unit": f"{plan.unit.code} — {plan.unit.name}",
            "framework": plan.framework.title,
            "state": state,
            "date": today.strftime("%d/%m/%Y"),
        },
        styles["subtitle"],
    )
    done = completion(items, today)
    sheet.write_string(
        2,
        0,
        _("%(done)s of %(total)s items done, %(overdue)s overdue")
        % {"done": done.done, "total": done.total, "overdue": done.overdue},
        styles["subtitle"],
    )
    header_row = 4
    headers = [
        (_("No."), 5),
        (_("Criterion"), 9),
        (_("Title"), 36),
        (_("Area"), 7),
        (_("Points lost"), 9),
        (_("Cause"), 30),
        (_("Solution"), 36),
        (_("Responsible unit"), 16),
        (_("Supporting units"), 16),
        (_("Deadline"), 11),
        (_("Status"), 12),
        (_("Progress (%)"), 9),
        (_("Done on"), 11),
        (_("Overdue"), 8),
        (_("Evidence of completion"), 30),
        (_("Progress note"), 30),
    ]
    for col, (text, width) in enumerate(headers):
        sheet.write_string(header_row, col, text, styles["head"])
        sheet.set_column(col, col, width)
    sheet.set_row(header_row, 32)
    sheet.freeze_panes(header_row + 1, 3)
    for offset, item in enumerate(items, start=1):
        row = header_row + offset
        sheet.write_number(row, 0, offset, styles["rank"])
        sheet.write_string(row, 1, item.code, styles["text"])
        sheet.write_string(row, 2, item.title, styles["wrap"])
        sheet.write_string(row, 3, item.area, styles["text"])
        _number(sheet, row, 4, item.lost, styles["points"])
        sheet.write_string(row, 5, item.cause, styles["wrap"])
        sheet.write_string(row, 6, item.solution, styles["wrap"])
        sheet.write_string(
            row, 7, item.responsible.code if item.responsible else "", styles["text"]
        )
        supporting = ", ".join(sorted(u.code for u in item.supporting.all()))
        sheet.write_string(row, 8, supporting, styles["text"])
        _date(sheet, row, 9, item.deadline, styles)
        sheet.write_string(row, 10, _(rules.STATUS_LABELS[item.status]), styles["text"])
        sheet.write_number(row, 11, item.progress, styles["progress"])
        _date(sheet, row, 12, item.done_on, styles)
        overdue = rules.is_overdue(item.deadline, item.status, today)
        sheet.write_string(row, 13, _("overdue") if overdue else "", styles["warning"])
        titles = "; ".join(evidence.title for evidence in item.evidence.all())
        sheet.write_string(row, 14, titles, styles["wrap"])
        sheet.write_string(row, 15, item.progress_note, styles["wrap"])
    if items:
        sheet.autofilter(header_row, 0, header_row + len(items), len(headers) - 1)
    book.close()
    return buffer.getvalue()


def _date(sheet, row, col, value, styles):
    if value is None:
        sheet.write_blank(row, col, None, styles["date"])
    else:
        sheet.write_datetime(row, col, value, styles["date"])


def plan_filename(plan: RemediationPlan) -> str:
    """ASCII: ke-hoach-khac-phuc-SYT-so-2022.xlsx."""
    text = "-".join([_("remediation-plan"), plan.unit.code, plan.framework.code])
    text = re.sub(r"[^A-Za-z0-9._-]+", "-", _ascii(text)).strip("-")
    return f"{text or 'plan'}.xlsx"
