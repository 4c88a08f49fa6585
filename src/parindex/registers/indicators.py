"""The registers' indicators per unit and period, counted in the database.

`class_conditions` is the one definition of each dossier class of a period (`domain.indicators
.CLASSES`): the counts (`compute`, a conditional aggregate grouped by unit) and the lists
behind them (`dossiers_in`, the registers pages' drill-down) filter with the same conditions,
so a number and its list can never disagree. A handful of queries in all, whatever the number
of units: one per register.

A dossier counts for the period [start, end] unless it was never received (status 1 or 3),
was received after `end`, or ended before `start`. Then it is exactly one of:
- withdrawn: status 7, ended in the period;
- early / on time / late: ended in the period (statuses 8–10) before / on / after its due date
  (no due date: on time);
- pending within / over the deadline: not ended by `end` (still open, or ended later); over
  when its due date is before `end`, except while waiting for a supplement (status 5).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from parindex.domain import indicators as ind
from parindex.domain.indicators import NATIONAL, Figure, Options
from parindex.registers.models import (
    Channel,
    DirectiveTask,
    Dossier,
    Feedback,
    PlanTask,
    RegisterKind,
    RequiredReport,
    ReturnMethod,
    Status,
)

# A rating the 766 satisfaction index counts against the unit (danh_gia_hai_long).
DISLIKED = ("không hài lòng", "Không hài lòng", "KHÔNG HÀI LÒNG", "khong hai long", "unsatisfied")


def _end_of_day(day: date) -> datetime:
    """The first instant after `day`, local time (a snapshot taken at the end of `day`)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=zone)


def base_condition(start: date, end: date) -> Q:
    """The dossiers that count for the period at all."""
    return (
        ~Q(status__in=(Status.REGISTERED, Status.NOT_RECEIVED))
        & Q(received_on__lte=end)
        & (Q(ended_on__isnull=True) | Q(ended_on__gte=start))
    )


def class_conditions(start: date, end: date, options: Options = NATIONAL) -> dict[str, Q]:
    """Each class of `domain.indicators.CLASSES` as a condition, within `base_condition`."""
    if options.compare == "datetime":
        ended, due = "ended_at", "due_at"
        pending_over_due = Q(due_at__lt=_end_of_day(end))
    else:
        ended, due = "ended_on", "due_on"
        pending_over_due = Q(due_on__lt=end)
    ended_in = Q(ended_on__isnull=False, ended_on__lte=end)
    withdrawn = ended_in & Q(status=Status.WITHDRAWN)
    resolved = ended_in & ~Q(status=Status.WITHDRAWN)
    late = Q(**{f"{due}__isnull": False, f"{ended}__gt": F(due)})
    if options.supplements_over_one_late:
        late |= Q(supplement_count__gt=1)
    early_test = f"{ended}__lte" if options.early_includes_due else f"{ended}__lt"
    early = Q(**{f"{due}__isnull": False, early_test: F(due)}) & ~late
    pending = Q(ended_on__isnull=True) | Q(ended_on__gt=end)
    over = pending_over_due & ~Q(status=Status.SUPPLEMENT)
    if options.supplements_over_one_late:
        over |= Q(supplement_count__gt=1)
    return {
        ind.EARLY: resolved & early,
        ind.ON_TIME: resolved & ~early & ~late,
        ind.LATE: resolved & late,
        ind.WITHDRAWN: withdrawn,
        ind.PENDING_WITHIN: pending & ~over,
        ind.PENDING_OVER: pending & over,
    }


def drill_conditions(start: date, end: date, options: Options = NATIONAL) -> dict[str, Q]:
    """Every list a number of the registers pages links to: the classes, the 06a columns'
    groups (`domain.indicators.COLUMN_CLASSES`) and the counted indicators."""
    classes = class_conditions(start, end, options)
    in_period = Q(received_on__gte=start)
    resolved_06a = classes[ind.EARLY] | classes[ind.ON_TIME] | classes[ind.LATE]
    on_time_06a = classes[ind.ON_TIME]
    if options.withdrawn_on_time:
        resolved_06a |= classes[ind.WITHDRAWN]
        on_time_06a |= classes[ind.WITHDRAWN]
    overdue = classes[ind.LATE] | classes[ind.PENDING_OVER]
    apology_in_time = Q(apology=True) & (
        Q(apology_at__isnull=True) | Q(due_at__isnull=True) | Q(apology_at__lte=F("due_at"))
    )
    return {
        **classes,
        "received_total": Q(),
        "received": in_period,
        "received_online": in_period & Q(channel=Channel.ONLINE),
        "received_direct_postal": in_period & ~Q(channel=Channel.ONLINE),
        "carried_over": Q(received_on__lt=start),
        "resolved": resolved_06a,
        "on_time_06a": on_time_06a,
        "pending": classes[ind.PENDING_WITHIN] | classes[ind.PENDING_OVER],
        "overdue": overdue,
        "apologised": classes[ind.LATE] & apology_in_time,
        "overdue_apologised": overdue & apology_in_time,
        "postal": in_period & (Q(channel=Channel.POSTAL) | Q(return_method=ReturnMethod.POSTAL)),
        "postal_received": in_period & Q(channel=Channel.POSTAL),
        "returned": Q(returned_at__isnull=False) & Q(ended_on__lte=end),
        "postal_returned": Q(returned_at__isnull=False)
        & Q(ended_on__lte=end)
        & Q(return_method=ReturnMethod.POSTAL),
        "digitised": in_period & Q(digitised=True),
        "electronic_results": resolved_06a & Q(electronic_result=True),
        "fee_payable": in_period & Q(fee__gt=0) & ~Q(fee_exempt=True),
        "paid_online": in_period & Q(fee__gt=0) & ~Q(fee_exempt=True) & Q(paid_online=True),
        "disliked": Q(satisfaction__in=DISLIKED),
    }


# The counts `compute` takes from the dossiers (besides the classes).
_DOSSIER_COUNTS = (
    "received_online",
    "received_direct_postal",
    "carried_over",
    "apologised",
    "overdue_apologised",
    "postal",
    "postal_received",
    "returned",
    "postal_returned",
    "digitised",
    "electronic_results",
    "fee_payable",
    "paid_online",
    "disliked",
)


def dossiers_in(unit, start: date, end: date, name: str, options: Options = NATIONAL) -> QuerySet:
    """The dossiers of `unit` behind a number (`name`: a key of `drill_conditions`); raises
    KeyError for an unknown name."""
    condition = drill_conditions(start, end, options)[name]
    return Dossier.objects.filter(unit=unit).filter(base_condition(start, end) & condition)


@dataclass
class UnitIndicators:
    unit_id: int
    start: date
    end: date
    options: Options
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    has_data: dict[str, bool] = field(default_factory=dict)
    table_06a: dict[str, int] = field(default_factory=dict)
    figures: dict[str, Figure] = field(default_factory=dict)


def _unit_filter(queryset, unit_ids):
    return queryset if unit_ids is None else queryset.filter(unit_id__in=unit_ids)


def _grouped(queryset, aggregates: dict) -> dict[int, dict[str, int]]:
    # Prefixed: an aggregate named like a field (`satisfied`) would shadow it in the filters.
    rows = queryset.values("unit_id").order_by().annotate(
        **{f"n_{name}": aggregate for name, aggregate in aggregates.items()}
    )
    return {row.pop("unit_id"): {key[2:]: value for key, value in row.items()} for row in rows}


def _kept(model, unit_ids) -> set[int]:
    """Units that keep this register at all (a row at any date): the others have no data."""
    return set(_unit_filter(model.objects, unit_ids).values_list("unit_id", flat=True).distinct())


def compute(
    units=None, start: date | None = None, end: date | None = None, options: Options = NATIONAL
) -> dict[int, UnitIndicators]:
    """Indicators of `units` (Unit objects or ids; None: every unit with a register) for the
    period [start, end]."""
    if start is None or end is None:
        raise ValueError("a period is required")
    unit_ids = None
    if units is not None:
        unit_ids = [getattr(unit, "pk", unit) for unit in units]
    today = timezone.localdate()

    conditions = drill_conditions(start, end, options)
    aggregates = {name: Count("id", filter=conditions[name]) for name in ind.CLASSES}
    aggregates |= {name: Count("id", filter=conditions[name]) for name in _DOSSIER_COUNTS}
    dossiers = _grouped(
        _unit_filter(Dossier.objects, unit_ids).filter(base_condition(start, end)), aggregates
    )

    feedback_due = Q(due_on__isnull=True) | Q(handled_on__lte=F("due_on"))
    feedback = _grouped(
        _unit_filter(Feedback.objects, unit_ids).filter(received_on__range=(start, end)),
        {
            "received": Count("id"),
            "on_time": Count("id", filter=Q(handled_on__isnull=False) & feedback_due),
            "satisfied": Count("id", filter=Q(satisfied=True)),
            "unsatisfied": Count("id", filter=Q(satisfied=False)),
            "overdue": Count(
                "id",
                filter=Q(due_on__isnull=False)
                & (
                    Q(handled_on__gt=F("due_on"))
                    | Q(handled_on__isnull=True, due_on__lt=min(end, today))
                ),
            ),
        },
    )
    directives = _grouped(
        _unit_filter(DirectiveTask.objects, unit_ids)
        .filter(deadline__range=(start, end))
        .exclude(state=DirectiveTask.State.CANCELLED),
        {
            "total": Count("id"),
            "on_time": Count(
                "id", filter=Q(completed_on__isnull=False, completed_on__lte=F("deadline"))
            ),
        },
    )
    reports = _grouped(
        _unit_filter(RequiredReport.objects, unit_ids).filter(due_on__range=(start, end)),
        {
            "total": Count("id"),
            "on_time": Count("id", filter=Q(sent_on__isnull=False, sent_on__lte=F("due_on"))),
            "late": Count(
                "id",
                filter=Q(sent_on__gt=F("due_on"))
                | Q(sent_on__isnull=True, due_on__lt=min(end, today)),
            ),
        },
    )
    plan = _grouped(
        _unit_filter(PlanTask.objects, unit_ids)
        .filter(year__range=(start.year, end.year))
        .exclude(state=PlanTask.State.CANCELLED),
        {
            "tasks": Count("id"),
            "tasks_done": Count(
                "id",
                filter=Q(done_on__isnull=False, done_on__lte=end)
                | Q(done_on__isnull=True, state=PlanTask.State.DONE),
            ),
        },
    )
    kept = {
        ind.DOSSIERS: _kept(Dossier, unit_ids),
        ind.FEEDBACK: _kept(Feedback, unit_ids),
        ind.DIRECTIVES: _kept(DirectiveTask, unit_ids),
        ind.REPORTS: _kept(RequiredReport, unit_ids),
        ind.PLAN_TASKS: _kept(PlanTask, unit_ids),
    }
    counted = {
        ind.DOSSIERS: dossiers,
        ind.FEEDBACK: feedback,
        ind.DIRECTIVES: directives,
        ind.REPORTS: reports,
        ind.PLAN_TASKS: plan,
    }
    ids = set(unit_ids) if unit_ids is not None else set().union(*kept.values())
    result: dict[int, UnitIndicators] = {}
    for unit_id in sorted(ids):
        counts = {register: dict(rows.get(unit_id, {})) for register, rows in counted.items()}
        has_data = {register: unit_id in units_kept for register, units_kept in kept.items()}
        result[unit_id] = UnitIndicators(
            unit_id,
            start,
            end,
            options,
            counts,
            has_data,
            ind.table_06a(counts[ind.DOSSIERS], options) if has_data[ind.DOSSIERS] else {},
            ind.figures(counts, has_data, options),
        )
    return result


REGISTER_OF = {
    ind.DOSSIERS: RegisterKind.DOSSIERS,
    ind.FEEDBACK: RegisterKind.FEEDBACK,
    ind.DIRECTIVES: RegisterKind.DIRECTIVES,
    ind.REPORTS: RegisterKind.REPORTS,
    ind.PLAN_TASKS: RegisterKind.PLAN_TASKS,
}
