"""Indicators of the operational registers: what they are called, how they are built from
counts, and the choices that differ between reporting systems. Pure: no Django.

The counting itself happens in the database (`parindex.registers.indicators`), where each
dossier of a period falls in exactly one class (`CLASSES`); this module turns those counts into
the national one-stop table (Biểu II.06a, `TABLE_06A`), the rates with their numerator and
denominator, and the 766/QĐ-TTg points (par-methodology §5).

Classification choices (`Options`) default to the national report's (Biểu II.06a as the
Government Office's reporting system fills it, onestop-and-documents.md §3.1):
- dates are compared as calendar dates, not instants (`compare="date"`);
- "early" means ended strictly before the due date; ended on it is "on time";
- a withdrawn dossier (status 7) counts as resolved on time;
- the number of supplement requests does not matter (766/QĐ-TTg counts more than one as late:
  `supplements_over_one_late=True`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import date
from decimal import Decimal

from parindex.domain.i18n import Message
from parindex.domain.i18n import gettext_noop as N_

# Each dossier counted for a period is in exactly one class.
EARLY = "early"
ON_TIME = "on_time"
LATE = "late"
WITHDRAWN = "withdrawn"
PENDING_WITHIN = "pending_within"
PENDING_OVER = "pending_over"
CLASSES = (EARLY, ON_TIME, LATE, WITHDRAWN, PENDING_WITHIN, PENDING_OVER)

CLASS_LABELS = {
    EARLY: N_("resolved early"),
    ON_TIME: N_("resolved on time"),
    LATE: N_("resolved late"),
    WITHDRAWN: N_("withdrawn"),
    PENDING_WITHIN: N_("pending, within the deadline"),
    PENDING_OVER: N_("pending, overdue"),
}

# The counts of the dossier register besides the classes and the 06a columns: each is the
# indicator `dossiers.<name>` and a list behind it (`registers.indicators.combinations`).
FLAGGED_COUNTS = (
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

COUNT = "count"
RATIO = "ratio"
POINTS = "points"

DOSSIERS = "dossiers"
FEEDBACK = "feedback"
DIRECTIVES = "directives"
REPORTS = "reports"
PLAN_TASKS = "plan-tasks"


@dataclass(frozen=True)
class Options:
    """Classification choices that differ between systems; defaults: the national report."""

    compare: str = "date"  # "date" or "datetime"
    early_includes_due: bool = False
    withdrawn_on_time: bool = True
    supplements_over_one_late: bool = False

    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def parse(cls, pairs: Iterable[str]) -> Options:
        """Options from `name=value` texts (the CLI's --option); raises ValueError with a
        Message as its argument."""
        options = cls()
        names = {f.name: f for f in fields(cls)}
        for pair in pairs:
            name, _sep, raw = pair.partition("=")
            name, raw = name.strip().replace("-", "_"), raw.strip().lower()
            if name not in names:
                raise ValueError(
                    Message(
                        N_("unknown option “%(name)s”; one of %(names)s"),
                        {"name": name, "names": ", ".join(names)},
                    )
                )
            if name == "compare":
                if raw not in ("date", "datetime"):
                    raise ValueError(Message(N_("compare is date or datetime")))
                value: object = raw
            elif raw in ("1", "true", "yes", "có", ""):
                value = True
            elif raw in ("0", "false", "no", "không"):
                value = False
            else:
                raise ValueError(
                    Message(
                        N_("%(name)s is true or false, not “%(value)s”"),
                        {"name": name, "value": raw},
                    )
                )
            options = replace(options, **{name: value})
        return options


# The national report's choices: the default everywhere.
NATIONAL = Options()

OPTION_HELP = {
    "compare": N_("compare dates (national report) or date and time"),
    "early_includes_due": N_("“early” includes a dossier ended on its due date"),
    "withdrawn_on_time": N_("withdrawn dossiers count as resolved on time (national report)"),
    "supplements_over_one_late": N_("more than one supplement request counts as late (766/QĐ-TTg)"),
}


@dataclass(frozen=True)
class Figure:
    """One indicator of one unit and period. `value` None: no data (the register holds nothing
    for the unit), or a rate whose denominator is 0 (then numerator and denominator are 0)."""

    name: str
    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None

    @property
    def has_value(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class IndicatorInfo:
    name: str
    title: str  # msgid
    unit: str  # msgid: what is counted (hồ sơ …) or "%" or "điểm"
    kind: str  # count | ratio | points
    register: str
    numerator: str = ""  # for a ratio: the count indicators it divides
    denominator: str = ""
    maximum: Decimal | None = None  # for points


def _count(name, title, unit, register):
    return IndicatorInfo(name, title, unit, COUNT, register)


def _ratio(name, title, register, numerator, denominator):
    return IndicatorInfo(name, title, "%", RATIO, register, numerator, denominator)


def _points(name, title, maximum):
    return IndicatorInfo(name, title, N_("points"), POINTS, DOSSIERS, maximum=Decimal(maximum))


_D = N_("dossiers")
_F = N_("feedback items")
_T = N_("tasks")
_R = N_("reports")

_CATALOGUE = (
    # The counts that frameworks bind to their named inputs (the library uses these names).
    _count("dossiers.received", N_("Dossiers received in the period"), _D, DOSSIERS),
    _count("dossiers.resolved", N_("Dossiers resolved"), _D, DOSSIERS),
    _count("dossiers.on_time", N_("Dossiers resolved early or on time"), _D, DOSSIERS),
    _count("dossiers.late", N_("Dossiers resolved late"), _D, DOSSIERS),
    _count(
        "dossiers.overdue", N_("Overdue dossiers (resolved late or pending overdue)"), _D, DOSSIERS
    ),
    _count(
        "dossiers.apologised",
        N_("Late dossiers with an apology letter sent by the due date"),
        _D,
        DOSSIERS,
    ),
    _count(
        "dossiers.overdue_apologised",
        N_("Overdue dossiers with an apology letter sent by the due date"),
        _D,
        DOSSIERS,
    ),
    _count(
        "dossiers.postal",
        N_("Dossiers received or returned by public postal service"),
        _D,
        DOSSIERS,
    ),
    _count(
        "dossiers.postal_received", N_("Dossiers received by public postal service"), _D, DOSSIERS
    ),
    _count("dossiers.returned", N_("Results returned"), _D, DOSSIERS),
    _count(
        "dossiers.postal_returned", N_("Results returned by public postal service"), _D, DOSSIERS
    ),
    _count("dossiers.online", N_("Dossiers received online"), _D, DOSSIERS),
    _count("dossiers.digitised", N_("Dossiers received that were digitised"), _D, DOSSIERS),
    _count(
        "dossiers.electronic_results",
        N_("Dossiers resolved with an electronic result"),
        _D,
        DOSSIERS,
    ),
    _count("dossiers.fee_payable", N_("Dossiers received with a fee to pay"), _D, DOSSIERS),
    _count("dossiers.paid_online", N_("Dossiers whose fee was paid online"), _D, DOSSIERS),
    _count("dossiers.disliked", N_("Dossiers rated unsatisfied"), _D, DOSSIERS),
    _count("dossiers.total", N_("Dossiers to handle (received and carried over)"), _D, DOSSIERS),
    _count("feedback.received", N_("Feedback items received in the period"), _F, FEEDBACK),
    _count("feedback.on_time", N_("Feedback items handled by their due date"), _F, FEEDBACK),
    _count("feedback.satisfied", N_("Feedback items whose sender was satisfied"), _F, FEEDBACK),
    _count(
        "feedback.unsatisfied", N_("Feedback items whose sender was not satisfied"), _F, FEEDBACK
    ),
    _count("feedback.overdue", N_("Feedback items handled late or overdue"), _F, FEEDBACK),
    _count("directives.total", N_("Assigned tasks due in the period"), _T, DIRECTIVES),
    _count("directives.on_time", N_("Assigned tasks completed by their deadline"), _T, DIRECTIVES),
    _count("reports.total", N_("Reports due in the period"), _R, REPORTS),
    _count("reports.on_time", N_("Reports sent by their due date"), _R, REPORTS),
    _count("reports.late", N_("Reports sent late or overdue"), _R, REPORTS),
    _count("plan.tasks", N_("Tasks of the year's CCHC plan"), _T, PLAN_TASKS),
    _count("plan.tasks_done", N_("Plan tasks done"), _T, PLAN_TASKS),
    # Rates.
    _ratio(
        "dossiers.on_time_rate",
        N_("Share of dossiers resolved early or on time"),
        DOSSIERS,
        "dossiers.on_time",
        "dossiers.resolved",
    ),
    _ratio(
        "dossiers.online_share",
        N_("Share of dossiers received online"),
        DOSSIERS,
        "dossiers.online",
        "dossiers.received",
    ),
    _ratio(
        "dossiers.postal_share",
        N_("Share of dossiers received or returned by post"),
        DOSSIERS,
        "dossiers.postal",
        "dossiers.received",
    ),
    _ratio(
        "dossiers.postal_received_share",
        N_("Share of dossiers received by post"),
        DOSSIERS,
        "dossiers.postal_received",
        "dossiers.received",
    ),
    _ratio(
        "dossiers.postal_return_share",
        N_("Share of results returned by post"),
        DOSSIERS,
        "dossiers.postal_returned",
        "dossiers.returned",
    ),
    _ratio(
        "dossiers.apology_rate",
        N_("Overdue dossiers with an apology letter in time"),
        DOSSIERS,
        "dossiers.overdue_apologised",
        "dossiers.overdue",
    ),
    _ratio(
        "dossiers.digitised_share",
        N_("Share of dossiers digitised"),
        DOSSIERS,
        "dossiers.digitised",
        "dossiers.received",
    ),
    _ratio(
        "feedback.on_time_rate",
        N_("Share of feedback handled on time"),
        FEEDBACK,
        "feedback.on_time",
        "feedback.received",
    ),
    _ratio(
        "directives.on_time_rate",
        N_("Share of assigned tasks completed on time"),
        DIRECTIVES,
        "directives.on_time",
        "directives.total",
    ),
    _ratio(
        "reports.on_time_rate",
        N_("Share of reports sent on time"),
        REPORTS,
        "reports.on_time",
        "reports.total",
    ),
    _ratio("plan.completion", N_("Plan completion"), PLAN_TASKS, "plan.tasks_done", "plan.tasks"),
    # 766/QĐ-TTg points (par-methodology §5.2–5.3).
    _points("766.progress", N_("766: progress and results (on time, incl. pending within)"), 20),
    _points("766.online", N_("766: dossiers received online (full at 50 %)"), 6),
    _points("766.online_payment", N_("766: fees paid online"), 6),
    _points("766.electronic_results", N_("766: electronic results"), 6),
    _points("766.feedback_on_time", N_("766: feedback handled on time"), 6),
    _points("766.feedback_satisfaction", N_("766: satisfaction with feedback handling"), 6),
    _points("766.satisfaction", N_("766: satisfaction with dossier handling (full at 90 %)"), 6),
)
INDICATORS: dict[str, IndicatorInfo] = {info.name: info for info in _CATALOGUE}

# Biểu II.06a: (key, group msgid, column msgid); col3 = col4 + col5 + col6, col7 = col8 +
# col9 + col10, col11 = col12 + col13.
RECEIVED = N_("Received")
RESOLVED = N_("Resolved")
PENDING = N_("Being resolved")
TABLE_06A = (
    ("col3", RECEIVED, N_("Total number")),
    ("col4", RECEIVED, N_("Online, in the period")),
    ("col5", RECEIVED, N_("At the desk or by post, in the period")),
    ("col6", RECEIVED, N_("Carried over")),
    ("col7", RESOLVED, N_("Total number")),
    ("col8", RESOLVED, N_("Early")),
    ("col9", RESOLVED, N_("On time")),
    ("col10", RESOLVED, N_("Late")),
    ("col11", PENDING, N_("Total number")),
    ("col12", PENDING, N_("Within the deadline")),
    ("col13", PENDING, N_("Overdue")),
)
# The drill-down class behind each column (a name of `registers.indicators.drill_conditions`).
COLUMN_CLASSES = {
    "col3": "received_total",
    "col4": "received_online",
    "col5": "received_direct_postal",
    "col6": "carried_over",
    "col7": "resolved",
    "col8": EARLY,
    "col9": "on_time_06a",
    "col10": LATE,
    "col11": "pending",
    "col12": PENDING_WITHIN,
    "col13": PENDING_OVER,
}


def period_of_year(year: int) -> tuple[date, date]:
    """The reporting period of a year: the calendar year (national statistics, 766)."""
    return date(year, 1, 1), date(year, 12, 31)


def table_06a(counts: Mapping[str, int], options: Options = NATIONAL) -> dict[str, int]:
    """The 13 numbers of Biểu II.06a from the class counts (`counts` keys: the CLASSES and
    received_online, received_direct_postal, carried_over)."""
    c = {
        name: int(counts.get(name, 0))
        for name in (*CLASSES, "received_online", "received_direct_postal", "carried_over")
    }
    withdrawn = c[WITHDRAWN] if options.withdrawn_on_time else 0
    table = {
        "col4": c["received_online"],
        "col5": c["received_direct_postal"],
        "col6": c["carried_over"],
        "col8": c[EARLY],
        "col9": c[ON_TIME] + withdrawn,
        "col10": c[LATE],
        "col12": c[PENDING_WITHIN],
        "col13": c[PENDING_OVER],
    }
    table["col3"] = table["col4"] + table["col5"] + table["col6"]
    table["col7"] = table["col8"] + table["col9"] + table["col10"]
    table["col11"] = table["col12"] + table["col13"]
    return {key: table[key] for key, _group, _label in TABLE_06A}


def _dec(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(int(value))


def ratio(name: str, numerator, denominator) -> Figure:
    """A rate with its parts; value None when the denominator is 0."""
    n, d = _dec(numerator), _dec(denominator)
    return Figure(name, (n / d) if d else None, n, d)


def maximum_of(name: str) -> Decimal | None:
    """The most points a 766 indicator gives (its catalogue entry: the one definition its
    formula and the pages read); None for an indicator without a maximum."""
    return INDICATORS[name].maximum


def _capped(name: str, share: Decimal | None, target: str = "1") -> Decimal | None:
    """The points of the 766 indicator `name`: its maximum × share / target, at most the
    maximum."""
    if share is None:
        return None
    maximum = maximum_of(name)
    return min(maximum, maximum * share / Decimal(target))


def figures(
    counts: Mapping[str, Mapping[str, int]],
    has_data: Mapping[str, bool],
    options: Options = NATIONAL,
) -> dict[str, Figure]:
    """Every indicator of one unit from its counts per register (`counts[register][name]`).
    A register without data gives None values for all its indicators."""
    result: dict[str, Figure] = {}

    def put(name: str, value) -> None:
        result[name] = Figure(name, None if value is None else _dec(value))

    d = counts.get(DOSSIERS, {})
    if has_data.get(DOSSIERS):
        table = table_06a(d, options)
        withdrawn = int(d.get(WITHDRAWN, 0))
        counted = {
            "dossiers.received": table["col4"] + table["col5"],
            "dossiers.total": table["col3"],
            "dossiers.resolved": table["col7"],
            "dossiers.on_time": table["col8"] + table["col9"],
            "dossiers.late": table["col10"],
            "dossiers.overdue": table["col10"] + table["col13"],
            "dossiers.online": table["col4"],
        }
        for name in FLAGGED_COUNTS:
            counted[f"dossiers.{name}"] = int(d.get(name, 0))
        for name, value in counted.items():
            put(name, value)
        on_time_766 = table["col8"] + table["col9"] + table["col12"]
        if not options.withdrawn_on_time:
            on_time_766 += withdrawn
        progress = ratio("766.progress", on_time_766, table["col3"])
        result["766.progress"] = replace(progress, value=_capped("766.progress", progress.value))
        online = ratio("766.online", counted["dossiers.online"], counted["dossiers.received"])
        result["766.online"] = replace(online, value=_capped("766.online", online.value, "0.5"))
        paid = ratio(
            "766.online_payment", counted["dossiers.paid_online"], counted["dossiers.fee_payable"]
        )
        result["766.online_payment"] = replace(
            paid, value=_capped("766.online_payment", paid.value)
        )
        electronic = ratio(
            "766.electronic_results", counted["dossiers.electronic_results"], table["col7"]
        )
        result["766.electronic_results"] = replace(
            electronic, value=_capped("766.electronic_results", electronic.value)
        )
        # 5.4: 100 % − (overdue rate + share of dossiers rated unsatisfied); 0 when nothing.
        total = table["col3"]
        if total:
            unhappy = min(total, counted["dossiers.overdue"] + counted["dossiers.disliked"])
            satisfied = ratio("766.satisfaction", total - unhappy, total)
            result["766.satisfaction"] = replace(
                satisfied, value=_capped("766.satisfaction", satisfied.value, "0.9")
            )
        else:
            result["766.satisfaction"] = Figure(
                "766.satisfaction", Decimal(0), Decimal(0), Decimal(0)
            )
    else:
        for info in _CATALOGUE:
            if info.register == DOSSIERS:
                put(info.name, None)

    f = counts.get(FEEDBACK, {})
    feedback_names = ("received", "on_time", "satisfied", "unsatisfied", "overdue")
    for name in feedback_names:
        put(f"feedback.{name}", int(f.get(name, 0)) if has_data.get(FEEDBACK) else None)
    if has_data.get(FEEDBACK):
        received = int(f.get("received", 0))
        # 5.2 and 5.3: the maximum (6) × rate, the full maximum when there was no feedback.
        on_time = ratio("766.feedback_on_time", f.get("on_time", 0), received)
        result["766.feedback_on_time"] = replace(
            on_time,
            value=maximum_of("766.feedback_on_time")
            if not received
            else _capped("766.feedback_on_time", on_time.value),
        )
        unhappy = min(received, int(f.get("unsatisfied", 0)) + int(f.get("overdue", 0)))
        happy = ratio("766.feedback_satisfaction", received - unhappy, received)
        result["766.feedback_satisfaction"] = replace(
            happy,
            value=maximum_of("766.feedback_satisfaction")
            if not received
            else _capped("766.feedback_satisfaction", happy.value),
        )
    else:
        put("766.feedback_on_time", None)
        put("766.feedback_satisfaction", None)

    for register, names in (
        (DIRECTIVES, ("directives.total", "directives.on_time")),
        (REPORTS, ("reports.total", "reports.on_time", "reports.late")),
        (PLAN_TASKS, ("plan.tasks", "plan.tasks_done")),
    ):
        own = counts.get(register, {})
        for name in names:
            put(name, int(own.get(name.split(".", 1)[1], 0)) if has_data.get(register) else None)

    for info in _CATALOGUE:
        if info.kind != RATIO:
            continue
        numerator, denominator = result[info.numerator], result[info.denominator]
        if numerator.value is None or denominator.value is None:
            result[info.name] = Figure(info.name, None)
        else:
            result[info.name] = ratio(info.name, numerator.value, denominator.value)
    return {info.name: result[info.name] for info in _CATALOGUE}
