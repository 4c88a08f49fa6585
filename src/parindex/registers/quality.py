"""The data-quality report of the dossier register: what looks wrong in the rows as they were
imported — never fixed, never a reason to refuse the file, always shown (after an import, in
`parindex registers quality`, on the registers page).

Each rule is a condition on the stored rows, counted in the database in one pass (a few more
queries for the rules that compare rows with each other or with the calendar), per import
(`batch`) or per unit and year. A finding gives the rule, how many dossiers break it and the
first few of them (unit, dossier code, column, value).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import partial

from django.db.models import Count, Exists, F, OuterRef, Q

from parindex.domain import calendar as cal
from parindex.domain.i18n import Message
from parindex.domain.i18n import gettext_noop as N_
from parindex.registers import apart
from parindex.registers.models import Dossier, Status, TimeLimitUnit

EXAMPLES = 5
OPEN = (Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT, Status.PAYMENT)

# Rules on single rows: code → (condition, the column to show, message).
ROW_RULES = {
    "due_before_received": (
        Q(due_at__lt=F("received_at")),
        "due_at",
        N_("due date before the reception"),
    ),
    "ended_before_received": (
        Q(finished_at__lt=F("received_at")) | Q(returned_at__lt=F("received_at")),
        "finished_at",
        N_("end of processing or return before the reception"),
    ),
    "returned_before_finished": (
        Q(returned_at__lt=F("finished_at")),
        "returned_at",
        N_("result returned before processing finished"),
    ),
    "open_with_end": (
        Q(status__in=OPEN) & (Q(finished_at__isnull=False) | Q(returned_at__isnull=False)),
        "status",
        N_("an open status (received, processing, supplement, fees) with an end date"),
    ),
    "resolved_without_end": (
        Q(status__in=(Status.RESOLVED, Status.RETURNED), finished_at__isnull=True)
        & Q(returned_at__isnull=True),
        "status",
        N_("resolved (status 9 or 10) without an end date: counted as pending"),
    ),
    "returned_without_date": (
        Q(status=Status.RETURNED, returned_at__isnull=True),
        "returned_at",
        N_("status 10 (result returned) without the date it was returned"),
    ),
    "ended_without_date": (
        Q(status__in=(Status.WITHDRAWN, Status.STOPPED), ended_at__isnull=True),
        "status",
        N_("withdrawn or stopped (status 7 or 8) without a date: counted as pending"),
    ),
    "apology_without_date": (
        Q(apology=True, apology_at__isnull=True),
        "apology_at",
        N_("an apology letter without its date: counted as sent in time"),
    ),
}
MESSAGES = {code: message for code, (_q, _column, message) in ROW_RULES.items()}
MESSAGES["due_not_calendar"] = N_(
    "due date that the procedure's time limit and the working-day calendar cannot give"
)
MESSAGES["code_in_other_units"] = N_("dossier code also in the register of another unit")


@dataclass(frozen=True)
class Finding:
    code: str
    count: int
    examples: tuple[dict, ...] = field(default_factory=tuple)

    @property
    def message(self) -> Message:
        return Message(MESSAGES[self.code])

    def as_dict(self) -> dict:
        from parindex.messages import render

        return {
            "code": self.code,
            "count": self.count,
            "message": render(self.message),
            "examples": list(self.examples),
        }


def _scope(unit_ids=None, year: int | None = None, batch=None):
    rows = Dossier.objects.all()
    if unit_ids is not None:
        rows = rows.filter(unit_id__in=list(unit_ids))
    if year is not None:
        rows = rows.filter(year=year)
    if batch is not None:
        rows = rows.filter(batch_id=getattr(batch, "pk", batch))
    return rows


def _value(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "astimezone"):
        from django.utils import timezone

        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _examples(rows, column: str) -> tuple[dict, ...]:
    found = rows.order_by("unit__code", "code").values_list("unit__code", "code", column)
    return tuple(
        {"unit": unit, "dossier": code, "column": column, "value": _value(value)}
        for unit, code, value in found[:EXAMPLES]
    )


def check_dossiers(unit_ids=None, year: int | None = None, batch=None, calendar=None):
    """Every finding on the dossiers of `unit_ids` (None: all) and `year` (None: all), or of
    one import (`batch`); rules without a finding are left out. The three kinds of check read
    side by side when they can (`apart`)."""
    rows = _scope(unit_ids, year, batch)
    if calendar is None:
        from parindex.registers.calendar import working_calendar

        calendar = working_calendar()
    checks = [_row_rules, partial(_due_dates, calendar=calendar), _shared_codes]
    found = apart.side_by_side([partial(check, rows) for check in checks])
    return [finding for findings in found for finding in findings]


def _row_rules(rows) -> list[Finding]:
    counts = rows.aggregate(
        **{code: Count("id", filter=condition) for code, (condition, *_r) in ROW_RULES.items()}
    )
    return [
        Finding(code, counts[code], _examples(rows.filter(ROW_RULES[code][0]), ROW_RULES[code][1]))
        for code in ROW_RULES
        if counts[code]
    ]


def _expected(calendar, received: date, limit, unit: str) -> set[date]:
    """The due dates a dossier received on `received` may have: counted from that day, or
    from the next working day when it came after the office closed."""
    kind = {TimeLimitUnit.WORKING_DAYS: cal.WORKING_DAYS, TimeLimitUnit.DAYS: cal.DAYS}.get(
        unit, cal.HOURS
    )
    starts = {received}
    if calendar.is_working_day(received):
        starts.add(calendar.add_working_days(received, 1))  # received after the close
    return {calendar.due_date(start, limit, kind) for start in starts}


def _due_dates(rows, calendar) -> list[Finding]:
    """Due dates checked against the calendar, once per distinct (reception day, time limit,
    unit of time, due day): a few thousand combinations for a year, whatever the rows."""
    combos = (
        rows.filter(time_limit__isnull=False, time_limit__gt=0, due_on__isnull=False)
        .exclude(time_limit_unit="")
        .values_list("received_on", "time_limit", "time_limit_unit", "due_on")
        .order_by()
        .annotate(n=Count("id"))
    )
    wrong: list[Q] = []
    count = 0
    for received, limit, unit, due, n in combos:
        try:
            expected = _expected(calendar, received, limit, unit)
        except ValueError:
            continue
        if due not in expected:
            count += n
            if len(wrong) < EXAMPLES:  # enough to name examples; the count goes on
                wrong.append(
                    Q(received_on=received, time_limit=limit, time_limit_unit=unit, due_on=due)
                )
    if not count:
        return []
    condition = Q(pk__in=[])
    for one in wrong:
        condition |= one
    return [Finding("due_not_calendar", count, _examples(rows.filter(condition), "due_on"))]


def _shared_codes(rows) -> list[Finding]:
    """Codes found in the registers of several units (a dossier code is national): for each
    dossier in scope, one look into the index on (code, unit)."""
    elsewhere = Dossier.objects.filter(code=OuterRef("code")).exclude(unit_id=OuterRef("unit_id"))
    shared = rows.filter(Exists(elsewhere)).values("code").order_by().distinct()
    count = shared.count()
    if not count:
        return []
    first = list(shared.order_by("code").values_list("code", flat=True)[:EXAMPLES])
    examples = tuple(
        {"unit": unit, "dossier": code, "column": "ma_ho_so", "value": code}
        for unit, code in Dossier.objects.filter(code__in=first)
        .order_by("code", "unit__code")
        .values_list("unit__code", "code")[: EXAMPLES * 2]
    )
    return [Finding("code_in_other_units", count, examples)]
