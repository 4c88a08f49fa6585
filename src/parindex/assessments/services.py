"""Importing scores by stage, and the audit trail of every change they make."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from parindex.assessments.models import AuditEntry, ScoreEntry, Stage, UnitAssessment
from parindex.domain.framework import BONUS, PENALTY, RESERVED_CODES, SURVEY
from parindex.domain.i18n import Message
from parindex.domain.i18n import gettext_noop as N_
from parindex.domain.numbers import NumberError, format_number, parse_decimal
from parindex.domain.rules import COUNT, FLAG, RATIO
from parindex.domain.workflow import PUBLISHED
from parindex.frameworks.models import Framework
from parindex.tables import Row, RowProblem, TableError, read_table
from parindex.units.models import Unit

SCORE_COLUMNS = {
    "unit": ("đơn vị", "mã đơn vị", "don vi"),
    "criterion": ("tiêu chí", "mã tiêu chí", "tieu chi", "key"),
    "points": ("điểm", "diem"),
    "value": ("giá trị", "gia tri"),
    "note": ("ghi chú", "ghi chu"),
}
POINTS_PLACES = 4
VALUE_PLACES = 6
MAX_VALUE = Decimal(10) ** 14  # what ScoreEntry.value stores

_FLAG_WORDS = {
    "1": 1,
    "0": 0,
    "true": 1,
    "false": 0,
    "có": 1,
    "không": 0,
    "đạt": 1,
    "không đạt": 0,
    "yes": 1,
    "no": 0,
    "x": 1,
}


@dataclass
class ScoresReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class _Parsed:
    row: Row
    unit_id: int
    key: str
    field: str  # points | value
    number: Decimal
    note: str


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() if value is not None else ""


def _places(number: Decimal) -> int:
    exponent = number.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def import_scores(
    path: str | Path, framework_code: str, stage: str, *, actor: str, reason: str = ""
) -> ScoresReport:
    rows = read_table(path, SCORE_COLUMNS, ("unit", "criterion"))
    return import_score_rows(
        rows, framework_code, stage, actor=actor, reason=reason or Path(path).name
    )


def import_score_rows(
    rows: list[Row],
    framework_code: str,
    stage: str,
    *,
    actor: str,
    reason: str,
    user=None,
    only_unit: str | None = None,
) -> ScoresReport:
    """Validate every row, then write all of them or none.

    Re-importing the same rows changes nothing and leaves no audit entry.
    """
    framework = Framework.objects.filter(code=framework_code).first()
    if framework is None:
        raise TableError(
            [
                RowProblem(
                    None,
                    None,
                    Message(N_("framework “%(code)s” does not exist"), {"code": framework_code}),
                )
            ]
        )
    if stage not in Stage.values:
        raise TableError(
            [
                RowProblem(
                    None,
                    None,
                    Message(
                        N_("unknown stage “%(stage)s”; one of %(stages)s"),
                        {"stage": stage, "stages": ", ".join(Stage.values)},
                    ),
                )
            ]
        )
    parsed = _validate(rows, framework, stage, only_unit)
    report = ScoresReport(rows=len(parsed))
    with transaction.atomic():
        existing = {
            (entry.unit_id, entry.key): entry
            for entry in ScoreEntry.objects.select_for_update().filter(
                framework=framework,
                stage=stage,
                unit_id__in={p.unit_id for p in parsed},
                key__in={p.key for p in parsed},
            )
        }
        new_entries, changed_entries, changes = [], [], []
        for item in parsed:
            entry = existing.get((item.unit_id, item.key))
            old = None if entry is None else getattr(entry, item.field)
            if entry is not None and old == item.number and (entry.note == item.note):
                report.unchanged += 1
                continue
            if entry is None:
                entry = ScoreEntry(
                    framework=framework, unit_id=item.unit_id, stage=stage, key=item.key
                )
                new_entries.append(entry)
                report.created += 1
            else:
                changed_entries.append(entry)
                entry.version += 1  # an open editing page then sees it changed (optimistic lock)
                report.updated += 1
            entry.points = item.number if item.field == "points" else None
            entry.value = item.number if item.field == "value" else None
            entry.note = item.note
            entry.updated_by = actor
            entry.updated_at = timezone.now()  # bulk_update does not apply auto_now
            if old != item.number:
                changes.append(
                    AuditEntry(
                        framework=framework,
                        unit_id=item.unit_id,
                        stage=stage,
                        key=item.key,
                        field=item.field,
                        old=old,
                        new=item.number,
                        actor=actor,
                        user=user,
                        reason=item.note or reason,
                    )
                )
        ScoreEntry.objects.bulk_create(new_entries, batch_size=2000)
        ScoreEntry.objects.bulk_update(
            changed_entries,
            ["points", "value", "note", "updated_by", "updated_at", "version"],
            batch_size=2000,
        )
        AuditEntry.objects.bulk_create(changes, batch_size=2000)
    return report


def _validate(
    rows: list[Row], framework: Framework, stage: str, only_unit: str | None = None
) -> list[_Parsed]:
    domain = framework.domain
    nodes = domain.node_map()
    inputs = domain.inputs()
    survey_inputs = set(inputs) - {
        name
        for leaf in domain.leaves()
        if leaf.effective_kind != SURVEY
        for name in leaf.effective_rule.inputs()
    }
    codes = {_text(row.get("unit")) for row in rows}
    units = dict(Unit.objects.filter(code__in=codes).values_list("code", "id"))
    # Published results never change (every round of this framework that published a unit).
    published = set(
        UnitAssessment.objects.filter(
            round__framework=framework, state=PUBLISHED, unit__code__in=codes
        ).values_list("unit__code", flat=True)
    )
    problems: list[RowProblem] = []

    def refuse(row: Row, column: str, msgid: str, /, **params):
        problems.append(RowProblem(row.number, column, Message(msgid, params)))

    seen: dict[tuple[str, str], int] = {}
    parsed: list[_Parsed] = []
    for row in rows:
        unit_code, key = _text(row.get("unit")), _text(row.get("criterion"))
        raw_points, raw_value = row.get("points"), row.get("value")
        note = _text(row.get("note"))
        if not unit_code:
            refuse(row, "unit", N_("a unit code is required"))
        elif unit_code not in units:
            refuse(row, "unit", N_("unit “%(code)s” does not exist"), code=unit_code)
        elif only_unit is not None and unit_code != only_unit:
            refuse(row, "unit", N_("this sheet is for %(code)s only"), code=only_unit)
        elif unit_code in published:
            refuse(
                row,
                "unit",
                N_("the results of %(code)s are published and can no longer change"),
                code=unit_code,
            )
        if not key:
            refuse(row, "criterion", N_("a criterion code is required"))
            continue
        if (unit_code, key) in seen:
            refuse(
                row,
                "criterion",
                N_("%(unit)s %(key)s already appears on row %(other)s"),
                unit=unit_code,
                key=key,
                other=seen[(unit_code, key)],
            )
            continue
        seen[(unit_code, key)] = row.number
        if raw_points is not None and raw_value is not None:
            refuse(row, "value", N_("give points or a value, not both"))
            continue

        if key in inputs:
            if stage == Stage.SELF and key in survey_inputs:
                refuse(
                    row,
                    "criterion",
                    N_("%(key)s feeds survey criteria only: it is not self-scored"),
                    key=key,
                )
                continue
            if raw_points is not None:
                refuse(
                    row,
                    "points",
                    N_("%(key)s is a named input: put its figure in the value column"),
                    key=key,
                )
                continue
            if raw_value is None:
                refuse(row, "value", N_("the value is missing"))
                continue
            number = _input_value(row, key, inputs[key], raw_value, refuse)
            field = "value"
        else:
            if key in nodes:
                node = nodes[key]
                if not node.is_leaf:
                    refuse(
                        row,
                        "criterion",
                        N_("%(key)s is an area or group: its points are the sum of its criteria"),
                        key=key,
                    )
                    continue
                if node.effective_kind == SURVEY and stage == Stage.SELF:
                    refuse(
                        row,
                        "criterion",
                        N_("%(key)s is a survey criterion: it is not self-scored"),
                        key=key,
                    )
                    continue
            elif key not in RESERVED_CODES:
                refuse(
                    row,
                    "criterion",
                    N_(
                        "“%(key)s” is neither a criterion of %(framework)s "
                        "nor one of its named inputs"
                    ),
                    key=key,
                    framework=framework.code,
                )
                continue
            if raw_value is not None:
                refuse(
                    row,
                    "value",
                    N_("%(key)s takes points; the value column is for named inputs"),
                    key=key,
                )
                continue
            if raw_points is None:
                refuse(row, "points", N_("the points are missing"))
                continue
            number = _points(row, key, raw_points, domain, nodes, refuse)
            field = "points"
        if number is not None and unit_code in units:
            parsed.append(_Parsed(row, units[unit_code], key, field, number, note))

    _check_fractions(parsed, domain, refuse)
    if problems:
        problems.sort(key=lambda p: p.row or 0)
        raise TableError(problems)
    return parsed


def _points(row, key, raw, domain, nodes, refuse) -> Decimal | None:
    try:
        points = parse_decimal(raw, percent=False)
    except NumberError as exc:
        refuse(row, "points", N_("not a number: %(reason)s"), reason=Message(exc.msgid, exc.params))
        return None
    if _places(points) > POINTS_PLACES:
        refuse(row, "points", N_("at most %(places)s decimals"), places=POINTS_PLACES)
        return None
    if key in (BONUS, PENALTY):
        cap = domain.bonus_max if key == BONUS else domain.penalty_max
        if points < 0:
            refuse(row, "points", N_("%(key)s is entered as a positive number"), key=key)
            return None
        if points > cap:
            refuse(
                row,
                "points",
                N_("%(points)s is above the cap of %(cap)s for %(key)s"),
                points=format_number(points),
                cap=format_number(cap),
                key=key,
            )
            return None
        return points
    node = nodes[key]
    reason = node.effective_rule.check_points(points, node.effective_max)
    if reason is not None:
        refuse(
            row,
            "points",
            N_("%(key)s (max %(max)s): %(reason)s"),
            key=key,
            max=format_number(node.effective_max),
            reason=reason,
        )
        return None
    return points


class ValueRefused(ValueError):
    def __init__(self, message: Message):
        super().__init__(str(message))
        self.message = message


def read_input_value(key: str, kind: str, raw) -> Decimal:
    """The figure of a named input, checked against its kind; raises ValueRefused."""
    if kind == FLAG and isinstance(raw, str) and raw.strip().lower() in _FLAG_WORDS:
        return Decimal(_FLAG_WORDS[raw.strip().lower()])
    try:
        value = parse_decimal(raw, integer=kind == COUNT, percent=kind != COUNT)
    except NumberError as exc:
        raise ValueRefused(
            Message(N_("not a number: %(reason)s"), {"reason": Message(exc.msgid, exc.params)})
        ) from None
    problem = None
    if _places(value) > VALUE_PLACES:
        problem = Message(N_("at most %(places)s decimals"), {"places": VALUE_PLACES})
    elif abs(value) >= MAX_VALUE:
        problem = Message(N_("too large"))
    elif kind == RATIO and not 0 <= value <= 1:
        problem = Message(
            N_("%(key)s is a share: between 0 and 1 (or 0%% and 100%%)"), {"key": key}
        )
    elif kind == COUNT and value < 0:
        problem = Message(N_("%(key)s is a count: a whole number, 0 or more"), {"key": key})
    elif kind == FLAG and value not in (0, 1):
        problem = Message(N_("%(key)s is met (1) or not met (0)"), {"key": key})
    if problem is not None:
        raise ValueRefused(problem)
    return value


def _input_value(row, key, kind, raw, refuse) -> Decimal | None:
    try:
        return read_input_value(key, kind, raw)
    except ValueRefused as exc:
        refuse(row, "value", exc.message.msgid, **exc.message.params)
        return None


def _check_fractions(parsed: list[_Parsed], domain, refuse) -> None:
    """A numerator above its denominator in the same file is a slip worth stopping for."""
    pairs = {pair for leaf in domain.leaves() for pair in leaf.effective_rule.fractions()}
    if not pairs:
        return
    values = {(p.unit_id, p.key): p for p in parsed if p.field == "value"}
    for numerator, denominator in pairs:
        for (unit_id, key), item in values.items():
            if key != numerator:
                continue
            other = values.get((unit_id, denominator))
            if other is not None and item.number > other.number:
                refuse(
                    item.row,
                    "value",
                    N_(
                        "%(numerator)s (%(n)s) is greater than %(denominator)s (%(d)s, row %(row)s)"
                    ),
                    numerator=numerator,
                    n=format_number(item.number),
                    denominator=denominator,
                    d=format_number(other.number),
                    row=other.row.number,
                )
