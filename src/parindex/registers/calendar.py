"""The working-day calendar of this installation: the `holidays` package's Vietnamese days
off with the override table (`CalendarOverride`) on top, and the import of overrides.

`working_calendar()` is built once and kept until an override changes (a counter bumped by
the model's signals, so every process sees its own changes at once and other processes within
a request)."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from pathlib import Path

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from parindex.domain import calendar as cal
from parindex.domain.i18n import Message
from parindex.domain.i18n import gettext_noop as N_
from parindex.registers.models import CalendarOverride
from parindex.tables import RowProblem, TableError, read_table

OVERRIDE_COLUMNS = {
    "date": ("ngày", "ngay"),
    "kind": ("loại", "loai", "loại ngày"),
    "legal_basis": ("căn cứ", "can cu", "căn cứ pháp lý", "văn bản"),
    "note": ("ghi chú", "ghi chu"),
}
MAX_OVERRIDE_ROWS = 5000

_cache: dict[str, cal.WorkingCalendar] = {}


@receiver(post_save, sender=CalendarOverride)
@receiver(post_delete, sender=CalendarOverride)
def _forget(**kwargs) -> None:
    _cache.clear()


def working_calendar() -> cal.WorkingCalendar:
    """The calendar with this installation's overrides."""
    calendar = _cache.get("calendar")
    if calendar is None:
        calendar = cal.WorkingCalendar(
            cal.Override(o.date, o.kind, o.legal_basis, o.note)
            for o in CalendarOverride.objects.all()
        )
        _cache["calendar"] = calendar
    return calendar


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(str(text).split())).lower()


def parse_day(raw) -> date | None:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = str(raw or "").strip()
    for form in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, form).date()
        except ValueError:
            continue
    return None


def _kind(raw) -> str | None:
    text = _fold(raw or "")
    if text.replace(" ", "_") in cal.KINDS:
        return text.replace(" ", "_")
    return cal.KIND_WORDS.get(text)


class OverridesReport:
    def __init__(self):
        self.created = self.updated = self.unchanged = 0


def import_overrides(path: str | Path, actor: str = "") -> OverridesReport:
    """Create or update overrides by date from CSV/XLSX (date, kind, legal_basis, note); all
    or nothing; the same file twice changes nothing."""
    rows = read_table(
        path, OVERRIDE_COLUMNS, ("date", "kind", "legal_basis"), max_rows=MAX_OVERRIDE_ROWS
    )
    problems: list[RowProblem] = []
    wanted: dict[date, dict] = {}
    seen: dict[date, int] = {}
    for row in rows:
        day = parse_day(row.get("date"))
        kind = _kind(row.get("kind"))
        basis = str(row.get("legal_basis") or "").strip()
        note = str(row.get("note") or "").strip()
        if day is None:
            problems.append(
                RowProblem(
                    row.number,
                    "date",
                    Message(
                        N_("“%(value)s” is not a date (dd/mm/yyyy)"),
                        {"value": row.get("date") or ""},
                    ),
                )
            )
        elif day in seen:
            problems.append(
                RowProblem(
                    row.number,
                    "date",
                    Message(N_("this date already appears on row %(row)s"), {"row": seen[day]}),
                )
            )
            continue
        if kind is None:
            problems.append(
                RowProblem(
                    row.number,
                    "kind",
                    Message(
                        N_("unknown kind “%(value)s”; one of %(kinds)s"),
                        {"value": row.get("kind") or "", "kinds": ", ".join(cal.KINDS)},
                    ),
                )
            )
        if not basis:
            problems.append(
                RowProblem(row.number, "legal_basis", Message(N_("the legal basis is required")))
            )
        elif len(basis) > 300 or len(note) > 300:
            problems.append(
                RowProblem(row.number, "legal_basis", Message(N_("at most 300 characters")))
            )
        if day is None or kind is None or not basis:
            continue
        seen[day] = row.number
        wanted[day] = {"kind": kind, "legal_basis": basis, "note": note[:300]}
    if problems:
        raise TableError(problems)
    report = OverridesReport()
    with transaction.atomic():
        existing = {o.date: o for o in CalendarOverride.objects.filter(date__in=list(wanted))}
        for day, values in wanted.items():
            current = existing.get(day)
            if current is None:
                CalendarOverride.objects.create(date=day, actor=actor, **values)
                report.created += 1
            elif any(getattr(current, key) != value for key, value in values.items()):
                for key, value in values.items():
                    setattr(current, key, value)
                current.actor = actor
                current.save()
                report.updated += 1
            else:
                report.unchanged += 1
    return report
