"""The registers' indicators per unit and period, counted in the database.

`class_decisions` is the one definition of the dossier classes of a period (`domain.indicators
.CLASSES`): the counts (`compute`: how many dossiers of each unit have each profile, a class
and the flags of `flag_conditions` in one integer) and the lists behind them (`dossiers_in`,
the registers pages' drill-down) derive from the same conditions, so a number and its list
can never disagree. A handful of queries in all, whatever the number of units: one per
register.

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
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from parindex.domain import indicators as ind
from parindex.domain import plans as plan_rules
from parindex.domain.indicators import NATIONAL, Figure, Options
from parindex.registers import apart, facts
from parindex.registers.models import (
    DirectiveTask,
    Dossier,
    Feedback,
    PlanTask,
    RegisterKind,
    RequiredReport,
    Status,
)
from parindex.units.models import Unit


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


def class_decisions(start: date, end: date, options: Options = NATIONAL) -> list[tuple[str, Q]]:
    """The classes as an ordered decision, within `base_condition`: a dossier is in the first
    class whose test it passes (the last test passes always). The one definition of the
    classes: `class_conditions` and the counts both derive from it."""
    if options.compare == "datetime":
        ended, due = "ended_at", "due_at"
        overdue_at_end = Q(due_at__lt=_end_of_day(end))
    else:
        ended, due = "ended_on", "due_on"
        overdue_at_end = Q(due_on__lt=end)
    pending = Q(ended_on__isnull=True) | Q(ended_on__gt=end)
    over = overdue_at_end & ~Q(status=Status.SUPPLEMENT)
    late = Q(**{f"{due}__isnull": False, f"{ended}__gt": F(due)})
    if options.supplements_over_one_late:
        over |= Q(supplement_count__gt=1)
        late |= Q(supplement_count__gt=1)
    early_test = f"{ended}__lte" if options.early_includes_due else f"{ended}__lt"
    return [
        # Not pending: ended, and (base_condition) not before the period.
        (ind.WITHDRAWN, Q(ended_on__lte=end, status=Status.WITHDRAWN)),
        (ind.PENDING_OVER, pending & over),
        (ind.PENDING_WITHIN, pending),
        # Resolved in the period from here on.
        (ind.LATE, late),
        (ind.EARLY, Q(**{f"{due}__isnull": False, early_test: F(due)})),
        (ind.ON_TIME, Q()),  # no due date, or ended on it
    ]


def class_conditions(start: date, end: date, options: Options = NATIONAL) -> dict[str, Q]:
    """Each class of `domain.indicators.CLASSES` as a condition of its own (within
    `base_condition`): its test in `class_decisions`, and none of the tests before it."""
    found: dict[str, Q] = {}
    earlier = Q()
    for cls, test in class_decisions(start, end, options):
        found[cls] = earlier & test
        earlier &= ~test
    return {cls: found[cls] for cls in ind.CLASSES}


def flag_conditions(start: date, end: date) -> dict[str, Q]:
    """Facts of a dossier that the lists and counts combine with its class: the two that
    depend on the period, then those its own row decides, stored as bits (`registers.facts`,
    in that order: `_profile` reads them as one column)."""
    period = {
        "in_period": Q(received_on__gte=start),
        "returned": Q(returned_at__isnull=False) & Q(ended_on__lte=end),
    }
    return period | {name: facts.has(name) for name in facts.FACTS}


def combinations(options: Options = NATIONAL) -> dict[str, tuple[tuple, tuple, tuple]]:
    """Every list and count besides the classes: (classes it is among, or () for any; flags
    it has; flags it has not)."""
    resolved = (ind.EARLY, ind.ON_TIME, ind.LATE)
    on_time = (ind.ON_TIME,)
    if options.withdrawn_on_time:
        resolved += (ind.WITHDRAWN,)
        on_time += (ind.WITHDRAWN,)
    overdue = (ind.LATE, ind.PENDING_OVER)
    return {
        "received_total": ((), (), ()),
        "received": ((), ("in_period",), ()),
        "received_online": ((), ("in_period", "online"), ()),
        "received_direct_postal": ((), ("in_period",), ("online",)),
        "carried_over": ((), (), ("in_period",)),
        "resolved": (resolved, (), ()),
        "on_time_06a": (on_time, (), ()),
        # The numerator of the on-time rate (dossiers.on_time: columns 8 and 9 of Biểu II.06a).
        "early_or_on_time": ((ind.EARLY, *on_time), (), ()),
        # The numerator of the 766 progress points: columns 8, 9 and 12, the withdrawn
        # dossiers always among them (in column 9, or added when column 9 leaves them out).
        "in_time_766": ((ind.EARLY, ind.ON_TIME, ind.WITHDRAWN, ind.PENDING_WITHIN), (), ()),
        "pending": ((ind.PENDING_WITHIN, ind.PENDING_OVER), (), ()),
        "overdue": (overdue, (), ()),
        "apologised": ((ind.LATE,), ("apology_in_time",), ()),
        "overdue_apologised": (overdue, ("apology_in_time",), ()),
        "postal": ((), ("in_period", "postal_any"), ()),
        "postal_received": ((), ("in_period", "postal_channel"), ()),
        "returned": ((), ("returned",), ()),
        "postal_returned": ((), ("returned", "return_postal"), ()),
        "digitised": ((), ("in_period", "digitised"), ()),
        "electronic_results": (resolved, ("electronic",), ()),
        "fee_payable": ((), ("in_period", "fee_payable"), ()),
        "paid_online": ((), ("in_period", "fee_payable", "paid_online"), ()),
        "disliked": ((), ("disliked",), ()),
    }


def drill_conditions(start: date, end: date, options: Options = NATIONAL) -> dict[str, Q]:
    """Every list a number of the registers pages links to: the classes, the 06a columns'
    groups (`domain.indicators.COLUMN_CLASSES`) and the counted indicators — each a
    combination of classes and flags (`combinations`), as `compute` counts them."""
    classes = class_conditions(start, end, options)
    flags = flag_conditions(start, end)
    found = dict(classes)
    for name, (among, has, has_not) in combinations(options).items():
        condition = Q()
        if among:
            either = Q(pk__in=[])
            for cls in among:
                either |= classes[cls]
            condition &= either
        for flag in has:
            condition &= flags[flag]
        for flag in has_not:
            condition &= ~flags[flag]
        found[name] = condition
    return found


# The counts `compute` takes from the dossiers (besides the classes).
_DOSSIER_COUNTS = ("received_online", "received_direct_postal", "carried_over", *ind.FLAGGED_COUNTS)

# A dossier's profile is one integer: its class's index in `domain.indicators.CLASSES` in the
# low bits, then one bit per flag of `flag_conditions`.
_CLASS_BITS = max(len(ind.CLASSES) - 1, 1).bit_length()
# The unit's id times this, plus the profile: one integer for both (a profile has fewer bits).
_UNIT_FACTOR = 1 << 32

# SQLite counts on one core; from this many dossiers on (an estimate: the span of their ids),
# the count is split into ranges of ids counted side by side, one connection each. Below it
# the threads cost more than they save. PostgreSQL runs its own parallel scans.
PARALLEL_FROM = 200_000


def _profile(start: date, end: date, options: Options) -> Case:
    """The SQL expression of a dossier's profile: its class (a CASE over `class_decisions`,
    first match wins), a bit per period flag set, and the row's stored facts above them (the
    bits `flag_conditions` tests, in its order)."""
    decisions = class_decisions(start, end, options)
    profile = Case(
        *(When(test, then=Value(ind.CLASSES.index(cls))) for cls, test in decisions[:-1]),
        default=Value(ind.CLASSES.index(decisions[-1][0])),
        output_field=IntegerField(),
    )
    flags = flag_conditions(start, end)
    period = len(flags) - len(facts.FACTS)
    for bit, condition in enumerate(list(flags.values())[:period]):
        profile += Case(
            When(condition, then=Value(1 << (_CLASS_BITS + bit))),
            default=Value(0),
            output_field=IntegerField(),
        )
    return profile + F("facts") * Value(1 << (_CLASS_BITS + period))


def _counts_of_profile(start: date, end: date, options: Options):
    """A function from a profile to the names (a class and the `_DOSSIER_COUNTS`) that a
    dossier with that profile adds one to: the decoding of `_profile`, through
    `combinations`."""
    flag_bit = {
        flag: 1 << (_CLASS_BITS + bit) for bit, flag in enumerate(flag_conditions(start, end))
    }
    combos = combinations(options)
    memo: dict[int, tuple[str, ...]] = {}

    def names(profile: int) -> tuple[str, ...]:
        if profile not in memo:
            cls = ind.CLASSES[profile & ((1 << _CLASS_BITS) - 1)]
            found = [cls]
            for name in _DOSSIER_COUNTS:
                among, has, has_not = combos[name]
                if (
                    (not among or cls in among)
                    and all(profile & flag_bit[flag] for flag in has)
                    and not any(profile & flag_bit[flag] for flag in has_not)
                ):
                    found.append(name)
            memo[profile] = tuple(found)
        return memo[profile]

    return names


def _dossier_counts(unit_ids, start: date, end: date, options: Options) -> dict[int, dict]:
    """The classes and `_DOSSIER_COUNTS` per unit, from one pass over the dossiers: each
    dossier's conditions are evaluated once, into its profile (`_profile`), and the database
    returns how many dossiers of each unit have each profile — some thousands of rows — which are
    added up here into every count."""
    dossiers = _unit_filter(Dossier.objects, unit_ids).filter(base_condition(start, end))
    profile = _profile(start, end, options)
    quote = connection.ops.quote_name

    def query(queryset) -> tuple[str, list]:
        inner = queryset.annotate(k_profile=profile).values("unit_id", "k_profile").order_by()
        sql, params = inner.query.sql_with_params()
        unit, code = quote("unit_id"), quote("k_profile")
        if connection.vendor != "sqlite":
            # PostgreSQL hashes the pair, and splits the scan over its parallel workers (a
            # fence such as OFFSET 0 would keep it on one; they need fresh statistics, which
            # a large import leaves: `loading.POSTGRESQL_ANALYZE_ROWS`).
            return (
                f"SELECT {unit}, {code}, COUNT(*) FROM ({sql}) AS counted GROUP BY {unit}, {code}",
                list(params),
            )
        # A fence (SQLite does not flatten a subquery with a LIMIT): grouped directly, SQLite
        # walks the unit index and reads each row at random (twice as slow as reading the
        # table in order and sorting the profiles), and would evaluate the profile again for
        # the output. It groups by sorting: one integer a row, the unit and the profile side
        # by side, sorts a quarter faster than the pair.
        key = f"{unit} * {_UNIT_FACTOR} + {code}"
        return (
            f"SELECT g / {_UNIT_FACTOR}, g % {_UNIT_FACTOR}, COUNT(*) FROM "
            f"(SELECT {key} AS g FROM ({sql} LIMIT -1) AS profiled) AS counted GROUP BY g",
            list(params),
        )

    rows = _run_split(dossiers, query, unit_ids)
    names = _counts_of_profile(start, end, options)
    empty = dict.fromkeys((*ind.CLASSES, *_DOSSIER_COUNTS), 0)
    counts: dict[int, dict[str, int]] = {}
    for unit_id, code, number in rows:
        unit_counts = counts.setdefault(unit_id, dict(empty))
        for name in names(code):
            unit_counts[name] += number
    return counts


def _id_span() -> tuple[int, int] | None:
    """The lowest and the highest dossier id, or None: two probes of the primary key (one
    query asking for both would read the whole table)."""
    ids = Dossier.objects.order_by().values_list("id", flat=True)
    low, high = ids.aggregate(n=Min("id"))["n"], ids.aggregate(n=Max("id"))["n"]
    return None if low is None else (low, high)


def _run_split(dossiers: QuerySet, query, unit_ids=None) -> list[tuple]:
    """The rows of `query(dossiers)`; on SQLite with many dossiers to read, the rows of the
    same query over consecutive ranges of ids, run side by side (`apart`): the caller adds
    them up, its counts being sums. How many: the span of the ids for every unit, the units'
    rows (counted in the key's index) for some."""
    span = _id_span() if apart.can_read_apart() else None
    if span is not None:
        low, high = span
        about = (
            high - low + 1
            if unit_ids is None
            else Dossier.objects.filter(unit_id__in=unit_ids).order_by().count()
        )
        if about < PARALLEL_FROM:
            span = None
    if span is None:
        return _fetch(query(dossiers))
    parts = apart.cores()
    step = (high - low) // parts + 1
    statements = [
        query(dossiers.filter(id__gte=low + n * step, id__lt=low + (n + 1) * step))
        for n in range(parts)
    ]
    found = apart.side_by_side([partial(_fetch, statement) for statement in statements])
    return [row for rows in found for row in rows]


def _fetch(statement: tuple[str, list]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(*statement)
        return cursor.fetchall()


def dossiers_in(unit, start: date, end: date, name: str, options: Options = NATIONAL) -> QuerySet:
    """The dossiers of `unit` behind a number (`name`: a key of `drill_conditions`); raises
    KeyError for an unknown name."""
    condition = drill_conditions(start, end, options)[name]
    return Dossier.objects.filter(unit=unit).filter(base_condition(start, end) & condition)


def _remediation_items(unit_ids):
    """The items of the units' approved remediation plans: tasks of the year's plan too."""
    from parindex.plans.models import RemediationItem

    items = RemediationItem.objects.filter(plan__state=plan_rules.APPROVED)
    return items if unit_ids is None else items.filter(plan__unit_id__in=unit_ids)


def _add_remediation(plan: dict, unit_ids, start: date, end: date) -> None:
    """Count the approved remediation items due in the period into the plan's tasks (the
    `plan.tasks` and `plan.tasks_done` a framework binds to), done if done by the period's end."""
    rows = (
        _remediation_items(unit_ids)
        .filter(deadline__range=(start, end))
        .values("plan__unit_id")
        .order_by()
        .annotate(
            tasks=Count("id"),
            tasks_done=Count("id", filter=Q(status=plan_rules.DONE, done_on__lte=end)),
        )
    )
    for row in rows:
        own = plan.setdefault(row["plan__unit_id"], {"tasks": 0, "tasks_done": 0})
        own["tasks"] = own.get("tasks", 0) + row["tasks"]
        own["tasks_done"] = own.get("tasks_done", 0) + row["tasks_done"]


def _kept_remediation(unit_ids) -> set[int]:
    rows = _remediation_items(unit_ids).order_by().values_list("plan__unit_id", flat=True)
    rows = rows.distinct()
    return set(rows)


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
    rows = (
        queryset.values("unit_id")
        .order_by()
        .annotate(**{f"n_{name}": aggregate for name, aggregate in aggregates.items()})
    )
    return {row.pop("unit_id"): {key[2:]: value for key, value in row.items()} for row in rows}


def _kept(model, unit_ids) -> set[int]:
    """Units that keep this register at all (a row at any date): the others have no data."""
    if model is not Dossier:
        rows = _unit_filter(model.objects, unit_ids)
        return set(rows.values_list("unit_id", flat=True).distinct())
    # A million dossiers: one index probe per unit, not a DISTINCT that reads them all.
    units = Unit.objects.all() if unit_ids is None else Unit.objects.filter(pk__in=unit_ids)
    return {
        pk
        for pk in units.values_list("pk", flat=True)
        if Dossier.objects.filter(unit_id=pk).order_by().exists()
    }


def dossier_years(unit_ids) -> dict[int, list[int]]:
    """The years of reception each unit's dossiers cover, newest first. A DISTINCT over the
    stored year would read every row of a million; this asks the index on (unit, received on)
    one question per unit and possible year (the years an import accepts), in one query."""
    from parindex.registers.dossiers import FIRST_YEAR

    years = range(FIRST_YEAR, timezone.localdate().year + 2)
    probes = {
        f"y{year}": Exists(
            Dossier.objects.filter(
                unit_id=OuterRef("pk"),
                received_on__gte=date(year, 1, 1),
                received_on__lt=date(year + 1, 1, 1),
            )
        )
        for year in years
    }
    rows = Unit.objects.filter(pk__in=list(unit_ids)).annotate(**probes)
    return {
        row["pk"]: [year for year in reversed(years) if row[f"y{year}"]]
        for row in rows.values("pk", *probes)
    }


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

    dossiers = _dossier_counts(unit_ids, start, end, options)

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
    _add_remediation(plan, unit_ids, start, end)
    kept = {
        ind.DOSSIERS: _kept(Dossier, unit_ids),
        ind.FEEDBACK: _kept(Feedback, unit_ids),
        ind.DIRECTIVES: _kept(DirectiveTask, unit_ids),
        ind.REPORTS: _kept(RequiredReport, unit_ids),
        ind.PLAN_TASKS: _kept(PlanTask, unit_ids) | _kept_remediation(unit_ids),
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
