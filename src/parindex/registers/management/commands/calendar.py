"""`parindex calendar`: the working-day calendar — a due date, the days off of a year, and the
override table (extra days off, swapped working days, each with its legal basis)."""

import argparse
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parindex.commands import (
    CREATE,
    NO_DATABASE,
    SHOW,
    ParindexCommand,
    emit_json,
    refuse_table,
    table,
)
from parindex.domain import calendar as cal
from parindex.domain.i18n import Message
from parindex.messages import render
from parindex.tables import TableError

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


def instant(text: str) -> datetime:
    """An argparse type: a day, optionally with a time (dd/mm/yyyy [HH:MM] or ISO)."""
    text = " ".join(text.replace("T", " ").split())
    for form in (
        "%d/%m/%Y %H:%M",
        "%d/%m/%Y %H:%M:%S",
        "%d/%m/%Y",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d",
    ):
        try:
            return datetime.strptime(text, form)
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(
        _("“%(value)s” is not a date (dd/mm/yyyy, optionally with HH:MM)") % {"value": text}
    )


def count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 10000:
        raise argparse.ArgumentTypeError(
            _("“%(value)s” is not a number of working days (0 to 10000)") % {"value": text}
        )
    return value


def year_value(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1900 <= value <= 2200:
        raise argparse.ArgumentTypeError(_("“%(value)s” is not a year") % {"value": text})
    return value


def _day(day) -> str:
    return f"{WEEKDAYS[day.weekday()]} {day.strftime('%d/%m/%Y')}"


class Command(ParindexCommand):
    help = gettext_lazy(
        "The working-day calendar: due dates in working days, the days off of a year, and the "
        "overrides (extra days off, swapped working days) with their legal basis."
    )
    summary = gettext_lazy("Working days: due dates, days off, overrides")
    # `due` and `days` work without a database (the package's days only) and create none.
    database_use = {None: NO_DATABASE, "due": NO_DATABASE, "days": NO_DATABASE, "overrides": CREATE}
    empty_json = {}

    def database_use_for(self, options: dict):
        if options.get("action") == "overrides" and options.get("overrides_action") == "list":
            return SHOW
        return super().database_use_for(options)

    def add_arguments(self, parser):
        actions = self.add_actions(parser)
        due = self.add_action(
            actions, "due", _("The date N working days after DATE (the office-hours rule).")
        )
        due.add_argument("date", type=instant, help=_("the day received (dd/mm/yyyy [HH:MM])"))
        due.add_argument("n", type=count, help=_("the number of working days"))
        self.add_json(due)
        days = self.add_action(actions, "days", _("Every day off of a year, with its reason."))
        days.add_argument("--year", type=year_value, required=True, help=_("the year"))
        self.add_json(days)
        overrides = self.add_action(
            actions, "overrides", _("The override table: import a file, list it.")
        )
        sub = overrides.add_subparsers(dest="overrides_action", metavar="import|list")
        sub.required = True
        imp = sub.add_parser("import", help=_("Create or update overrides from CSV or XLSX."))
        self.add_file(imp, _("the file (.csv or .xlsx): date, kind, legal_basis, note"))
        listing = sub.add_parser("list", help=_("List the overrides."))
        self.add_json(listing)

    def handle(self, *args, **options):
        self.handle_action(options, "calendar")

    def _calendar(self):
        from parindex.commands import database_missing

        if database_missing():  # read only: the package's days without overrides
            return cal.WorkingCalendar()
        from parindex.registers.calendar import working_calendar

        return working_calendar()

    def handle_due(self, date, n, json=False, **options):
        calendar = self._calendar()
        due = calendar.add_working_days(date, n)
        start = calendar.start_day(date)
        skipped = [
            (day, reason)
            for day, reason, _kind in (
                item for year in range(date.year, due.year + 1) for item in calendar.days_off(year)
            )
            if date.date() <= day <= due and not calendar.is_working_day(day)
        ]
        if json:
            emit_json(
                self,
                {
                    "start": date.isoformat(),
                    "n": n,
                    "counting_from": start.isoformat(),
                    "due": due.isoformat(),
                    "days_off": [{"date": d.isoformat(), "reason": r} for d, r in skipped],
                },
            )
            return
        self.stdout.write(_day(due))
        if start != date.date():
            self.stdout.write(_("counting from %(day)s") % {"day": _day(start)})
        for day, reason in skipped:
            self.stdout.write(f"  {_day(day)}: {reason}")

    def handle_days(self, year, json=False, **options):
        calendar = self._calendar()
        found = calendar.days_off(year)
        if json:
            emit_json(
                self,
                {
                    "year": year,
                    "days": [
                        {
                            "date": day.isoformat(),
                            "reason": reason,
                            "kind": kind,
                            "working": calendar.is_working_day(day),
                            "source": "override" if day in calendar.overrides else "holidays",
                        }
                        for day, reason, kind in found
                    ],
                },
            )
            return
        rows = [
            [_day(day), reason, render(Message(cal.KIND_LABELS[kind]))]
            for day, reason, kind in found
        ]
        self.stdout.write(table([_("Day"), _("Reason"), _("Kind")], rows))

    def handle_overrides(self, overrides_action=None, file=None, json=False, **options):
        from parindex.registers.calendar import import_overrides
        from parindex.registers.models import CalendarOverride

        if overrides_action == "import":
            try:
                report = import_overrides(file)
            except TableError as exc:
                refuse_table(self, exc)
            self.stdout.write(
                _(
                    "calendar overrides: %(created)s created, %(updated)s updated, "
                    "%(unchanged)s unchanged"
                )
                % {
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                }
            )
            return
        data = [
            {
                "date": o.date.isoformat(),
                "kind": o.kind,
                "legal_basis": o.legal_basis,
                "note": o.note,
            }
            for o in CalendarOverride.objects.all()
        ]
        if json:
            emit_json(self, data)
            return
        rows = [
            [_day(o.date), render(Message(cal.KIND_LABELS[o.kind])), o.legal_basis, o.note]
            for o in CalendarOverride.objects.all()
        ]
        self.stdout.write(table([_("Day"), _("Kind"), _("Legal basis"), _("Note")], rows))
