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

import polars as pl
from django.db.models import Count, Exists, F, OuterRef, Q

from parindex.domain import calendar as cal
from parindex.domain.i18n import Message
from parindex.domain.i18n import gettext_noop as N_
from parindex.registers import apart
from parindex.registers.models import Dossier, Status, TimeLimitUnit
from parindex.units.models import Unit

EXAMPLES = 5
OPEN = (Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT, Status.PAYMENT)


@dataclass(frozen=True)
class Test:
    """A test on a dossier's columns, written once and read two ways: in SQL on the stored
    rows (`q`) and in Polars on an import's rows before they are written (`expr`, the columns
    named as the model's fields). Both follow SQL's logic of missing values: a comparison
    with a missing date finds nothing."""

    q: Q
    expr: pl.Expr

    def __and__(self, other: Test) -> Test:
        return Test(self.q & other.q, self.expr & other.expr)

    def __or__(self, other: Test) -> Test:
        return Test(self.q | other.q, self.expr | other.expr)


def before(column: str, other: str) -> Test:
    return Test(Q(**{f"{column}__lt": F(other)}), pl.col(column) < pl.col(other))


def given(column: str) -> Test:
    return Test(Q(**{f"{column}__isnull": False}), pl.col(column).is_not_null())


def missing(column: str) -> Test:
    return Test(Q(**{f"{column}__isnull": True}), pl.col(column).is_null())


def among(column: str, values) -> Test:
    values = [int(value) for value in values]
    return Test(Q(**{f"{column}__in": values}), pl.col(column).is_in(values))


def yes(column: str) -> Test:
    return Test(Q(**{column: True}), pl.col(column).eq(True))


# Rules on single rows: code → (test, the column to show, message).
ROW_RULES = {
    "due_before_received": (
        before("due_at", "received_at"),
        "due_at",
        N_("due date before the reception"),
    ),
    "ended_before_received": (
        before("finished_at", "received_at") | before("returned_at", "received_at"),
        "finished_at",
        N_("end of processing or return before the reception"),
    ),
    "returned_before_finished": (
        before("returned_at", "finished_at"),
        "returned_at",
        N_("result returned before processing finished"),
    ),
    "open_with_end": (
        among("status", OPEN) & (given("finished_at") | given("returned_at")),
        "status",
        N_("an open status (received, processing, supplement, fees) with an end date"),
    ),
    "resolved_without_end": (
        among("status", (Status.RESOLVED, Status.RETURNED))
        & missing("finished_at")
        & missing("returned_at"),
        "status",
        N_("resolved (status 9 or 10) without an end date: counted as pending"),
    ),
    "returned_without_date": (
        among("status", (Status.RETURNED,)) & missing("returned_at"),
        "returned_at",
        N_("status 10 (result returned) without the date it was returned"),
    ),
    "ended_without_date": (
        among("status", (Status.WITHDRAWN, Status.STOPPED)) & missing("ended_at"),
        "status",
        N_("withdrawn or stopped (status 7 or 8) without a date: counted as pending"),
    ),
    "apology_without_date": (
        yes("apology") & missing("apology_at"),
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
        {"unit": unit, "dossier": code, "column": _file_column(column), "value": _value(value)}
        for unit, code, value in found[:EXAMPLES]
    )


def check_dossiers(unit_ids=None, year: int | None = None, batch=None, calendar=None):
    """Every finding on the dossiers of `unit_ids` (None: all) and `year` (None: all), or of
    one import (`batch`); rules without a finding are left out. The three kinds of check read
    side by side when they can (`apart`)."""
    rows = _scope(unit_ids, year, batch)
    calendar = calendar or _calendar()
    checks = [_row_rules, partial(_due_dates, calendar=calendar), _shared_codes]
    found = apart.side_by_side([partial(check, rows) for check in checks])
    return [finding for findings in found for finding in findings]


def check_rows(frame: pl.DataFrame, calendar=None) -> list[Finding]:
    """The row rules and the due dates on an import's rows before they are written: the tests
    of `check_dossiers`, in Polars on `frame` (the table's columns, instants in UTC). The
    codes shared with other units need the stored rows: `check_shared_codes`."""
    if frame.height == 0:
        return []
    units = dict(
        Unit.objects.filter(pk__in=frame["unit_id"].unique().to_list()).values_list("pk", "code")
    )
    frame = frame.with_columns(
        pl.col("unit_id").replace_strict(units, default="", return_dtype=pl.String).alias(UNIT)
    )
    counts = frame.select(
        test.expr.fill_null(False).sum().alias(code) for code, (test, *_r) in ROW_RULES.items()
    ).row(0, named=True)
    findings = [
        Finding(
            code,
            counts[code],
            _frame_examples(frame.filter(ROW_RULES[code][0].expr), ROW_RULES[code][1]),
        )
        for code in ROW_RULES
        if counts[code]
    ]
    combos = (
        frame.filter(
            pl.col("time_limit") > 0,
            pl.col("due_on").is_not_null(),
            pl.col("time_limit_unit").fill_null("") != "",
        )
        .group_by(DUE_COMBINATION)
        .len()
        .sort(DUE_COMBINATION)
    )
    count, wrong = _wrong_due_dates(combos.iter_rows(), calendar or _calendar())
    if count:
        shown = frame.join(
            pl.DataFrame(wrong, schema=combos.select(DUE_COMBINATION).schema, orient="row"),
            on=DUE_COMBINATION,
            how="semi",
        )
        findings.append(Finding("due_not_calendar", count, _frame_examples(shown, "due_on")))
    return findings


def check_shared_codes(batch) -> list[Finding]:
    """The codes of one import's written rows (new or changed) also in another unit's
    register."""
    return _shared_codes(_scope(batch=batch))


# The unit's code beside an import's rows (`check_rows`), for the examples.
UNIT = "__unit_code"


def _frame_examples(rows: pl.DataFrame, column: str) -> tuple[dict, ...]:
    first = rows.sort(UNIT, "code").head(EXAMPLES).select(UNIT, "code", column)
    return tuple(
        {"unit": unit, "dossier": code, "column": _file_column(column), "value": _value(value)}
        for unit, code, value in first.iter_rows()
    )


def _file_column(field: str) -> str:
    """The column of the register's file format (docs/registers-format.md) that a field was
    read from: what a person finds in the file, whichever way the rows were read."""
    from parindex.registers.dossiers import FIELDS

    field = {"due_on": "due_at", "received_on": "received_at"}.get(field, field)
    return next((column for column, name in FIELDS.items() if name == field), field)


def _calendar():
    from parindex.registers.calendar import working_calendar

    return working_calendar()


def _row_rules(rows) -> list[Finding]:
    counts = rows.aggregate(
        **{code: Count("id", filter=test.q) for code, (test, *_r) in ROW_RULES.items()}
    )
    return [
        Finding(
            code, counts[code], _examples(rows.filter(ROW_RULES[code][0].q), ROW_RULES[code][1])
        )
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


# A due date is checked once per distinct (reception day, time limit, unit of time, due day):
# a few thousand combinations for a year, whatever the rows. In this order, so that the
# examples come from the same first wrong combinations, whichever way the rows are read.
DUE_COMBINATION = ["received_on", "time_limit", "time_limit_unit", "due_on"]


def _wrong_due_dates(combinations, calendar) -> tuple[int, list[tuple]]:
    """From (reception day, limit, unit, due day, number of dossiers): how many dossiers have a
    due date the calendar cannot give, and the first few such combinations."""
    wrong: list[tuple] = []
    count = 0
    for received, limit, unit, due, n in combinations:
        try:
            expected = _expected(calendar, received, limit, unit)
        except ValueError:
            continue
        if due not in expected:
            count += n
            if len(wrong) < EXAMPLES:  # enough to name examples; the count goes on
                wrong.append((received, limit, unit, due))
    return count, wrong


def _due_dates(rows, calendar) -> list[Finding]:
    """Due dates checked against the calendar (`_wrong_due_dates`)."""
    combos = (
        rows.filter(time_limit__isnull=False, time_limit__gt=0, due_on__isnull=False)
        .exclude(time_limit_unit="")
        .values_list(*DUE_COMBINATION)
        .order_by(*DUE_COMBINATION)
        .annotate(n=Count("id"))
    )
    count, wrong = _wrong_due_dates(combos, calendar)
    if not count:
        return []
    condition = Q(pk__in=[])
    for values in wrong:
        condition |= Q(**dict(zip(DUE_COMBINATION, values, strict=True)))
    return [Finding("due_not_calendar", count, _examples(rows.filter(condition), "due_on"))]


def _shared_codes(rows) -> list[Finding]:
    """Codes found in the registers of several units (a dossier code is national): for each
    dossier in scope, one look into the key, which the code leads (code, unit, year)."""
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
