"""The one gate for every number that can change a result.

Typed points and input figures (the grid, the criterion page), survey points, bonus and
penalty, a filled-in sheet, `parindex scores import`, the demo — and later registers, surveys
and the API — all write through `write_entries`. It decides, from the one table of the domain
(`workflow.WRITABLE`: role × assessment state × kind of key → stages), which stage each row may
go to, and refuses everything else with a reason per row. It then:

- validates every figure the same way whatever the path (rule bounds, steps, caps, kinds of
  inputs, storage limits, numerators not above their denominators);
- refuses a stale row: a writer who says which version it saw must have seen the current one,
  and a row that does not say may not replace an existing value unless the writer asked to
  overwrite; a row equal to what is stored is a no-op;
- asks the appraisal for a reason whenever a write lowers a criterion's points;
- asks for an explanation whenever typed points override a criterion computed from figures
  (one score per criterion: the figures' unless someone says why not), and whenever a person's
  figure differs from the one the registers compute for a bound input (`registers.bindings`);
- writes all rows or none, records each value's provenance (source and import batch) and
  audits every change (who, when, old, new, why).

A published assessment refuses every write; a unit has at most one assessment per framework,
and results recorded outside a round (no assessment) are published figures that only the
operator's file import writes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from parindex.assessments.access import Access
from parindex.assessments.models import (
    AuditEntry,
    CriterionNote,
    ImportBatch,
    ScoreEntry,
    Source,
    Stage,
    UnitAssessment,
)
from parindex.domain import workflow
from parindex.domain.framework import BONUS, PENALTY, RESERVED_CODES, SURVEY
from parindex.domain.i18n import Message
from parindex.domain.i18n import gettext_noop as N_
from parindex.domain.numbers import NumberError, format_number, parse_decimal
from parindex.domain.rules import COUNT, FLAG, NOT_APPLICABLE, RATIO, SCORED
from parindex.domain.scoring import (
    APPRAISAL,
    APPRAISAL2,
    SELF,
    StageData,
    plan,
    score_unit,
    stage_data,
)
from parindex.frameworks.models import Framework
from parindex.tables import RowProblem, TableError
from parindex.units.models import Unit


def _storage(name: str) -> tuple[int, Decimal]:
    """Decimals and the (excluded) upper bound a ScoreEntry column stores."""
    column = ScoreEntry._meta.get_field(name)
    return column.decimal_places, Decimal(10) ** (column.max_digits - column.decimal_places)


POINTS_PLACES, MAX_POINTS = _storage("points")
VALUE_PLACES, MAX_VALUE = _storage("value")

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


# --- who writes, and what ---------------------------------------------------------------------


@dataclass(frozen=True)
class Writer:
    """Who writes: a person (through an access object) or the system, named for the record."""

    name: str
    source: str
    user: object | None = None

    @classmethod
    def person(cls, user, source: str = Source.TYPED) -> Writer:
        return cls(user.get_username(), source, user)

    @classmethod
    def system(cls, name: str, source: str = Source.IMPORT) -> Writer:
        return cls(name, source, None)

    @property
    def is_system(self) -> bool:
        return self.user is None


@dataclass(frozen=True)
class Item:
    """One value to write. `points`/`value` are raw (text as typed, or a number); `clear` asks
    to delete the entry. `version`: the entry's version the writer saw (0: none), or None when
    the writer does not say (a file without a version column). `note`: None keeps the stored
    note; `reason` goes to the audit trail (a file row's note is both)."""

    unit: str
    key: str
    points: object = None
    value: object = None
    note: str | None = None
    reason: str = ""
    version: int | None = None
    row: int | None = None
    clear: bool = False


@dataclass(frozen=True)
class FileInfo:
    """The file a batch came from."""

    name: str
    sha256: str = ""

    @classmethod
    def of_bytes(cls, name: str, data: bytes) -> FileInfo:
        return cls(name, hashlib.sha256(data).hexdigest())


@dataclass
class WriteReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    batch: ImportBatch | None = None
    entries: dict[tuple[str, str, str], ScoreEntry | None] = field(default_factory=dict)
    # A person's write: every entry of the assessment as it stands after the write (the
    # page redraws from them without reading them again).
    unit_entries: list[ScoreEntry] | None = None
    notes: int = 0  # explanations written with the values (a sheet's explanation column)


class WriteRefused(TableError):
    """Nothing was written; every problem found is listed. `conflict`: some row was stale."""

    def __init__(self, problems: list[RowProblem], *, conflict: bool = False):
        super().__init__(problems)
        self.conflict = conflict


@dataclass
class _Parsed:
    item: Item
    unit_id: int
    stage: str
    field: str  # points | value
    number: Decimal | None  # None: delete


# --- reading figures --------------------------------------------------------------------------


class ValueRefused(ValueError):
    def __init__(self, message: Message):
        super().__init__(str(message))
        self.message = message


def _places(number: Decimal) -> int:
    exponent = number.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


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
    if abs(value) >= MAX_VALUE:
        problem = Message(N_("too large"))
    elif _places(value) > VALUE_PLACES:
        problem = Message(N_("at most %(places)s decimals"), {"places": VALUE_PLACES})
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


def read_points(key: str, raw, framework, nodes: dict | None = None) -> Decimal:
    """Points for a criterion, BONUS or PENALTY, checked against the rule; raises ValueRefused.
    `nodes`: the framework's node map, when the caller has it already."""
    try:
        points = parse_decimal(raw, percent=False)
    except NumberError as exc:
        raise ValueRefused(
            Message(N_("not a number: %(reason)s"), {"reason": Message(exc.msgid, exc.params)})
        ) from None
    if abs(points) >= MAX_POINTS:
        raise ValueRefused(Message(N_("too large")))
    if _places(points) > POINTS_PLACES:
        raise ValueRefused(Message(N_("at most %(places)s decimals"), {"places": POINTS_PLACES}))
    if key in (BONUS, PENALTY):
        cap = framework.bonus_max if key == BONUS else framework.penalty_max
        if points < 0:
            raise ValueRefused(Message(N_("%(key)s is entered as a positive number"), {"key": key}))
        if points > cap:
            raise ValueRefused(
                Message(
                    N_("%(points)s is above the cap of %(cap)s for %(key)s"),
                    {"points": format_number(points), "cap": format_number(cap), "key": key},
                )
            )
        return points
    node = (nodes if nodes is not None else framework.node_map())[key]
    reason = node.effective_rule.check_points(points, node.effective_max)
    if reason is not None:
        raise ValueRefused(
            Message(
                N_("%(key)s (max %(max)s): %(reason)s"),
                {"key": key, "max": format_number(node.effective_max), "reason": reason},
            )
        )
    return points


@dataclass(frozen=True)
class KeyIndex:
    """What a framework's keys are, worked out once per write (not once per row: a file
    holds thousands of rows and every look-up below walks the tree)."""

    framework: object  # the domain framework
    nodes: dict
    inputs: dict[str, str]  # named input → its kind (count, ratio, flag …)
    survey_only: frozenset[str]  # inputs that only survey criteria read

    @classmethod
    def of(cls, framework) -> KeyIndex:
        inputs = framework.inputs()
        read_by_others = {
            name
            for leaf in framework.leaves()
            if leaf.effective_kind != SURVEY
            for name in leaf.effective_rule.inputs()
        }
        return cls(framework, framework.node_map(), inputs, frozenset(inputs) - read_by_others)

    def kind(self, key: str) -> str | None:
        """The kind of key (workflow.CRITERION, INPUT, SURVEY, ADJUSTMENT), or None if
        unknown. Inner nodes are not keys: their points are the sum of their criteria."""
        if key in RESERVED_CODES:
            return workflow.ADJUSTMENT
        node = self.nodes.get(key)
        if node is not None:
            if not node.is_leaf:
                return None
            return workflow.SURVEY if node.effective_kind == SURVEY else workflow.CRITERION
        if key in self.inputs:
            return workflow.SURVEY if key in self.survey_only else workflow.INPUT
        return None


# --- the gate ---------------------------------------------------------------------------------


def write_entries(
    writer: Writer,
    framework: Framework,
    items: list[Item],
    *,
    stage: str | None = None,
    overwrite: bool = False,
    only_unit: str | None = None,
    access: Access | None = None,
    file: FileInfo | None = None,
) -> WriteReport:
    """Validate every item, then write all of them or none (see the module's docstring).

    `stage`: the stage a file names (the operator's import); people's writes go to the stage
    the table gives their role. `access`: the writer's access object on the one assessment it
    writes (people write one assessment at a time). `overwrite`: rows that do not say which
    version they saw may replace existing values. Raises `WriteRefused`.
    """
    if stage is not None and stage not in Stage.values:
        raise WriteRefused(
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
    if not writer.is_system and access is None:
        raise ValueError("a person writes through an access object")
    with transaction.atomic():
        parsed, problems = _validate(writer, framework, items, stage, only_unit, access)
        conflict = False
        report = WriteReport(rows=len(parsed))
        if not problems:
            problems, conflict = _write(
                writer, framework, parsed, overwrite, file, report, whole_unit=access is not None
            )
        if problems:
            problems.sort(key=lambda p: p.row or 0)
            raise WriteRefused(problems, conflict=conflict)
    return report


def _validate(writer, framework, items, stage, only_unit, access):
    domain = framework.domain
    keys = KeyIndex.of(domain)
    problems: list[RowProblem] = []

    def refuse(item: Item, column: str | None, message: Message) -> None:
        problems.append(RowProblem(item.row, column, message))

    # Units, their assessments (locked: a state cannot move under the write) and roles.
    if access is not None:
        assessment = (
            UnitAssessment.objects.select_for_update()
            .only("id", "state", "unit_id")
            .get(pk=access.assessment.pk)
        )
        units = {access.assessment.unit.code: access.assessment.unit_id}
        states = {access.assessment.unit_id: assessment.state}
        roles_by_unit = {access.assessment.unit_id: access.roles}
    else:
        codes = {item.unit for item in items}
        units = dict(Unit.objects.filter(code__in=codes).values_list("code", "id"))
        states = dict(
            UnitAssessment.objects.select_for_update()
            .filter(framework=framework, unit_id__in=units.values())
            .values_list("unit_id", "state")
        )
        roles_by_unit = {}
    system_roles = frozenset({workflow.SYSTEM})

    seen: dict[tuple[str, str], int | None] = {}
    parsed: list[_Parsed] = []
    for item in items:
        unit_id = units.get(item.unit)
        if not item.unit:
            refuse(item, "unit", Message(N_("a unit code is required")))
        elif unit_id is None:
            own = only_unit or (access.assessment.unit.code if access is not None else None)
            if own is not None:
                message = Message(N_("this sheet is for %(code)s only"), {"code": own})
            else:
                message = Message(N_("unit “%(code)s” does not exist"), {"code": item.unit})
            refuse(item, "unit", message)
        elif only_unit is not None and item.unit != only_unit:
            message = Message(N_("this sheet is for %(code)s only"), {"code": only_unit})
            refuse(item, "unit", message)
            unit_id = None
        if not item.key:
            refuse(item, "criterion", Message(N_("a criterion code is required")))
            continue
        if (item.unit, item.key) in seen:
            refuse(
                item,
                "criterion",
                Message(
                    N_("%(unit)s %(key)s already appears on row %(other)s"),
                    {"unit": item.unit, "key": item.key, "other": seen[(item.unit, item.key)]},
                ),
            )
            continue
        seen[(item.unit, item.key)] = item.row
        kind = keys.kind(item.key)
        if kind is None:
            if keys.nodes.get(item.key) is not None:
                message = Message(
                    N_("%(key)s is an area or group: its points are the sum of its criteria"),
                    {"key": item.key},
                )
            else:
                message = Message(
                    N_(
                        "“%(key)s” is neither a criterion of %(framework)s "
                        "nor one of its named inputs"
                    ),
                    {"key": item.key, "framework": framework.code},
                )
            refuse(item, "criterion", message)
            continue
        if kind == workflow.SURVEY and stage == SELF:
            is_input = item.key in keys.inputs
            refuse(
                item,
                "criterion",
                Message(
                    N_("%(key)s feeds survey criteria only: it is not self-scored")
                    if is_input
                    else N_("%(key)s is a survey criterion: it is not self-scored"),
                    {"key": item.key},
                ),
            )
            continue
        field_name = "value" if item.key in keys.inputs else "points"
        number = _number(item, field_name, keys, refuse)
        if unit_id is None:
            continue
        # Who may write this kind of key, at which stage, in this state: the one table.
        state = states.get(unit_id, workflow.RECORDED)
        roles = system_roles if writer.is_system else roles_by_unit.get(unit_id, frozenset())
        target, refusal = workflow.write_refusal(roles, state, kind, stage)
        if refusal is not None:
            if state == workflow.PUBLISHED:
                refusal = Message(
                    N_("the results of %(code)s are published and can no longer change"),
                    {"code": item.unit},
                )
            refuse(item, "unit" if state == workflow.PUBLISHED else "criterion", refusal)
            continue
        if number is not None or item.clear:
            parsed.append(_Parsed(item, unit_id, target, field_name, number))
    _check_fractions(parsed, domain, refuse)
    return parsed, problems


def _number(item: Item, field_name: str, keys: KeyIndex, refuse) -> Decimal | None:
    """The item's figure read and checked, or None (cleared, or refused)."""
    if item.points is not None and item.value is not None:
        refuse(item, "value", Message(N_("give points or a value, not both")))
        return None
    if item.clear:
        return None
    if field_name == "value":
        if item.points is not None:
            refuse(
                item,
                "points",
                Message(
                    N_("%(key)s is a named input: put its figure in the value column"),
                    {"key": item.key},
                ),
            )
            return None
        if item.value is None:
            refuse(item, "value", Message(N_("the value is missing")))
            return None
        try:
            return read_input_value(item.key, keys.inputs[item.key], item.value)
        except ValueRefused as exc:
            refuse(item, "value", exc.message)
            return None
    if item.value is not None:
        refuse(
            item,
            "value",
            Message(
                N_("%(key)s takes points; the value column is for named inputs"), {"key": item.key}
            ),
        )
        return None
    if item.points is None:
        refuse(item, "points", Message(N_("the points are missing")))
        return None
    try:
        return read_points(item.key, item.points, keys.framework, keys.nodes)
    except ValueRefused as exc:
        refuse(item, "points", exc.message)
        return None


def _check_fractions(parsed: list[_Parsed], domain, refuse) -> None:
    """A numerator above its denominator in the same write is a slip worth stopping for."""
    pairs = {pair for leaf in domain.leaves() for pair in leaf.effective_rule.fractions()}
    if not pairs:
        return
    values = {
        (p.unit_id, p.stage, p.item.key): p
        for p in parsed
        if p.field == "value" and p.number is not None
    }
    for numerator, denominator in pairs:
        for (unit_id, stage, key), item in values.items():
            if key != numerator:
                continue
            other = values.get((unit_id, stage, denominator))
            if other is not None and item.number > other.number:
                refuse(
                    item.item,
                    "value",
                    Message(
                        N_(
                            "%(numerator)s (%(n)s) is greater than %(denominator)s "
                            "(%(d)s, row %(row)s)"
                        ),
                        {
                            "numerator": numerator,
                            "n": format_number(item.number),
                            "denominator": denominator,
                            "d": format_number(other.number),
                            "row": other.item.row,
                        },
                    ),
                )


def _stale(entry: ScoreEntry, current) -> Message:
    return Message(
        N_(
            "%(code)s was changed by %(who)s at %(when)s (now: %(now)s) after you read it; "
            "reload and try again"
        ),
        {
            "code": entry.key,
            "who": entry.updated_by or "—",
            "when": timezone.localtime(entry.updated_at).strftime("%d/%m/%Y %H:%M"),
            "now": format_number(current) if current is not None else "—",
        },
    )


def _write(
    writer, framework, parsed, overwrite, file, report, *, whole_unit: bool
) -> tuple[list[RowProblem], bool]:
    problems: list[RowProblem] = []
    conflict = False
    unit_ids = {p.unit_id for p in parsed}
    if whole_unit:
        # One assessment: read all of it (a few hundred rows) — the staleness check, the
        # reason for lowering and the redrawn page all use it.
        loaded = list(
            # of=self: PostgreSQL cannot lock the nullable side of the join to the batch.
            ScoreEntry.objects.select_for_update(of=("self",))
            .filter(framework=framework, unit_id__in=unit_ids)
            .select_related("batch")
        )
    else:
        loaded = list(
            ScoreEntry.objects.select_for_update().filter(
                framework=framework,
                unit_id__in=unit_ids,
                stage__in={p.stage for p in parsed},
                key__in={p.item.key for p in parsed},
            )
        )
    existing = {(entry.unit_id, entry.stage, entry.key): entry for entry in loaded}
    changes: list[tuple[_Parsed, ScoreEntry | None, Decimal | None]] = []
    for p in parsed:
        entry = existing.get((p.unit_id, p.stage, p.item.key))
        current = getattr(entry, p.field) if entry is not None else None
        same_note = p.item.note is None or (entry is not None and entry.note == p.item.note)
        if current == p.number and (entry is None or same_note):
            report.unchanged += 1
            report.entries[(p.item.unit, p.stage, p.item.key)] = entry
            continue
        told = p.item.version
        if told is not None and told != (entry.version if entry is not None else 0):
            conflict = True
            if entry is None:
                message = Message(
                    N_("someone else cleared %(code)s after you read it; reload and try again"),
                    {"code": p.item.key},
                )
            else:
                message = _stale(entry, current)
            problems.append(RowProblem(p.item.row, "points", message))
            continue
        if told is None and entry is not None and current is not None and not overwrite:
            problems.append(
                RowProblem(
                    p.item.row,
                    "points",
                    Message(
                        N_(
                            "%(code)s already has %(now)s (entered by %(who)s); this row does "
                            "not say which version it replaces: download the sheet again, or "
                            "tick “overwrite”"
                        ),
                        {
                            "code": p.item.key,
                            "now": format_number(current),
                            "who": entry.updated_by or "—",
                        },
                    ),
                )
            )
            continue
        changes.append((p, entry, current))
    if problems:
        return problems, conflict
    problems = _reasons_for_lowering(writer, framework, changes, loaded if whole_unit else None)
    problems += _unexplained_overrides(framework, changes, loaded if whole_unit else None)
    problems += _unexplained_register_overrides(writer, framework, changes)
    if problems:
        return problems, False
    created = _apply(writer, framework, changes, file, report)
    if whole_unit:  # changed entries were updated in place; deleted ones drop out
        gone = {id(entry) for p, entry, _c in changes if p.number is None and entry is not None}
        report.unit_entries = [e for e in loaded if id(e) not in gone] + created
    return [], False


def _reasons_for_lowering(writer, framework, changes, loaded=None) -> list[RowProblem]:
    """An appraiser who lowers a criterion's points says why (the row's note, or the reason).
    `loaded`: every entry of the units concerned, when already read."""
    if writer.is_system:
        return []
    asking = [
        (p, entry, current)
        for p, entry, current in changes
        if p.stage in workflow.LOWERING_NEEDS_A_REASON
        and not (p.item.reason or p.item.note or "").strip()
    ]
    if not asking:
        return []
    domain = framework.domain
    unit_ids = {p.unit_id for p, _e, _c in asking}
    if loaded is None:
        loaded = ScoreEntry.objects.filter(framework=framework, unit_id__in=unit_ids)
    rows: dict[int, list] = {}
    for e in loaded:
        rows.setdefault(e.unit_id, []).append((e.stage, e.key, e.points, e.value))
    problems = []
    steps = plan(domain)
    nodes = domain.node_map()
    for unit_id in unit_ids:
        now = stage_data(rows.get(unit_id, ()))
        after = _after(rows, changes, unit_id)
        old, new = score_unit(domain, now, steps), score_unit(domain, after, steps)
        lowered = {
            code: (old.nodes[code].score, new.nodes[code].score)
            for code in new.leaves
            if new.nodes[code].score < old.nodes[code].score
        }
        for p, _entry, _current in asking:
            if p.unit_id != unit_id:
                continue
            codes = [
                code
                for code in lowered
                if code == p.item.key or p.item.key in nodes[code].effective_rule.inputs()
            ]
            if codes:
                problems.append(
                    RowProblem(
                        p.item.row,
                        "note",
                        Message(
                            N_("%(codes)s goes down from %(old)s to %(new)s: give the reason"),
                            {
                                "codes": ", ".join(codes),
                                "old": format_number(lowered[codes[0]][0]),
                                "new": format_number(lowered[codes[0]][1]),
                            },
                        ),
                    )
                )
    return problems


# The criterion's note that explains an override, by the stage the points go to: the unit's
# explanation (giải trình) of its self-assessment, the appraiser's comment of each round.
OVERRIDE_NOTES = {
    SELF: CriterionNote.Kind.EXPLANATION,
    APPRAISAL: CriterionNote.Kind.COMMENT,
    APPRAISAL2: CriterionNote.Kind.COMMENT2,
}


def _after(rows: dict[int, list], changes, unit_id: int) -> dict[str, StageData]:
    """A unit's stage data as it will be once `changes` are written."""
    after = stage_data(rows.get(unit_id, ()))
    for p, _entry, _current in changes:
        if p.unit_id != unit_id:
            continue
        data = after.setdefault(p.stage, StageData())
        target = data.values if p.field == "value" else data.points
        if p.number is None:
            target.pop(p.item.key, None)
        else:
            target[p.item.key] = p.number
    return after


def _unexplained_overrides(framework, changes, loaded=None) -> list[RowProblem]:
    """Points typed for a criterion that its figures compute replace the computation: the
    writer explains why — the row's reason or note, the note already stored with those points,
    or the criterion's written note of the stage (the unit's explanation for the
    self-assessment, the appraiser's comment in an appraisal round). Points the rule asks for
    (an empty denominator with the `manual` policy) are not an override."""
    domain = framework.domain
    nodes = domain.node_map()
    asking = [
        p
        for p, entry, _current in changes
        if p.field == "points"
        and p.number is not None
        and p.item.key in nodes
        and nodes[p.item.key].effective_rule.data_driven
        and not (p.item.reason or p.item.note or "").strip()
        and not (p.item.note is None and entry is not None and entry.note.strip())
    ]
    if not asking:
        return []
    unit_ids = {p.unit_id for p in asking}
    noted = set(
        CriterionNote.objects.filter(
            assessment__framework=framework,
            assessment__unit_id__in=unit_ids,
            code__in={p.item.key for p in asking},
        )
        .exclude(text="")
        .values_list("assessment__unit_id", "code", "kind")
    )
    asking = [
        p for p in asking if (p.unit_id, p.item.key, OVERRIDE_NOTES.get(p.stage)) not in noted
    ]
    if not asking:
        return []
    if loaded is None:
        loaded = ScoreEntry.objects.filter(framework=framework, unit_id__in=unit_ids)
    rows: dict[int, list] = {}
    for e in loaded:
        rows.setdefault(e.unit_id, []).append((e.stage, e.key, e.points, e.value))
    steps = plan(domain)
    problems = []
    for unit_id in unit_ids:
        score = score_unit(domain, _after(rows, changes, unit_id), steps)
        for p in asking:
            leaf = score.leaves[p.item.key] if p.unit_id == unit_id else None
            if leaf is None or not leaf.override or leaf.stage != p.stage:
                continue
            problems.append(
                RowProblem(
                    p.item.row,
                    "note",
                    Message(
                        N_(
                            "%(code)s is computed from its figures (%(computed)s): typed "
                            "points override that only with an explanation; write the "
                            "criterion's explanation or give a reason"
                        )
                        if p.stage == SELF
                        # The appraisers do not explain (giải trình): they give an opinion.
                        else N_(
                            "%(code)s is computed from its figures (%(computed)s): typed "
                            "points override that only with the appraisal's reason; write "
                            "the criterion's appraisal comment or give a reason"
                        ),
                        {
                            "code": p.item.key,
                            "computed": computed_text(
                                leaf.computed, nodes[p.item.key].effective_max
                            ),
                        },
                    ),
                )
            )
    return problems


def _unexplained_register_overrides(writer, framework, changes) -> list[RowProblem]:
    """A person's figure for an input the registers compute (`registers.bindings`) that
    differs from their count overrides it: the writer explains why, as for typed points over a
    computed criterion — the row's reason or note, the note already stored with the figure, or
    the written note of the stage on a criterion that reads the input."""
    bound = framework.domain.bindings
    if writer.is_system or not bound:
        return []
    asking = [
        p
        for p, entry, _current in changes
        if p.field == "value"
        and p.number is not None
        and p.item.key in bound
        and not (p.item.reason or p.item.note or "").strip()
        and not (p.item.note is None and entry is not None and entry.note.strip())
    ]
    if not asking:
        return []
    from parindex.registers.computed import ComputedValue

    unit_ids = {p.unit_id for p in asking}
    computed = {
        (unit_id, key): value
        for unit_id, key, value in ComputedValue.objects.filter(
            framework=framework,
            unit_id__in=unit_ids,
            key__in={p.item.key for p in asking},
            value__isnull=False,
        ).values_list("unit_id", "key", "value")
    }
    asking = [p for p in asking if computed.get((p.unit_id, p.item.key)) not in (None, p.number)]
    if not asking:
        return []
    domain = framework.domain
    readers: dict[str, list[str]] = {}
    for leaf in domain.leaves():
        for name in leaf.effective_rule.inputs():
            readers.setdefault(name, []).append(leaf.code)
    noted = set(
        CriterionNote.objects.filter(
            assessment__framework=framework,
            assessment__unit_id__in=unit_ids,
            code__in={code for p in asking for code in readers.get(p.item.key, ())},
        )
        .exclude(text="")
        .values_list("assessment__unit_id", "code", "kind")
    )
    problems = []
    for p in asking:
        kind = OVERRIDE_NOTES.get(p.stage)
        if any((p.unit_id, code, kind) in noted for code in readers.get(p.item.key, ())):
            continue
        problems.append(
            RowProblem(
                p.item.row,
                "note",
                Message(
                    N_(
                        "%(name)s is computed from the registers (%(computed)s): a different "
                        "figure overrides it only with an explanation; give a reason or "
                        "write the criterion's explanation"
                    ),
                    {
                        "name": domain.input_title(p.item.key),
                        "computed": format_number(computed[(p.unit_id, p.item.key)], 6),
                    },
                ),
            )
        )
    return problems


def computed_text(outcome, node_max: Decimal) -> Message:
    """What a criterion's figures give, in words ("1,5 of 2 points", "not applicable",
    "figures not entered yet"): `LeafScore.computed` of an override, for messages and pages."""
    if outcome is not None and outcome.status == SCORED:
        return Message(
            N_("%(points)s of %(max)s points"),
            {"points": format_number(outcome.points), "max": format_number(node_max)},
        )
    if outcome is not None and outcome.status == NOT_APPLICABLE:
        return Message(N_("not applicable"))
    return Message(N_("figures not entered yet"))


def _apply(writer, framework, changes, file, report) -> list[ScoreEntry]:
    """Write the changes (validated, not stale) with their audit rows and, for a file, its
    batch. Returns the entries created (changed ones are updated in place)."""
    now = timezone.now()
    new_entries, changed_entries, deleted, audit = [], [], [], []
    for p, entry, current in changes:
        key = (p.item.unit, p.stage, p.item.key)
        if current != p.number:
            audit.append(
                AuditEntry(
                    framework=framework,
                    unit_id=p.unit_id,
                    stage=p.stage,
                    key=p.item.key,
                    field=p.field,
                    old=current,
                    new=p.number,
                    actor=writer.name[:150],
                    user=writer.user,
                    reason=p.item.reason or p.item.note or (file.name if file else ""),
                    source=writer.source,
                )
            )
        if p.number is None:
            if entry is not None:
                deleted.append(entry.pk)
                report.deleted += 1
            report.entries[key] = None
            continue
        if entry is None:
            entry = ScoreEntry(
                framework=framework, unit_id=p.unit_id, stage=p.stage, key=p.item.key
            )
            new_entries.append(entry)
            report.created += 1
        else:
            entry.version += 1  # an open page or sheet then sees it changed (optimistic lock)
            changed_entries.append(entry)
            report.updated += 1
        entry.points = p.number if p.field == "points" else None
        entry.value = p.number if p.field == "value" else None
        if p.item.note is not None:
            entry.note = p.item.note
        entry.updated_by = writer.name[:150]
        entry.updated_at = now  # bulk_update does not apply auto_now
        entry.source = writer.source
        report.entries[key] = entry
    if file is not None and changes:
        report.batch = ImportBatch.objects.create(
            framework=framework,
            source=writer.source,
            stage=",".join(sorted({p.stage for p, _e, _c in changes})),
            name=file.name[:255],
            sha256=file.sha256,
            actor=writer.name[:150],
            user=writer.user,
            rows=report.rows,
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
        )
    for item in (*new_entries, *changed_entries, *audit):
        item.batch = report.batch  # None unless the values came from a file
    if deleted:
        ScoreEntry.objects.filter(pk__in=deleted).delete()
    ScoreEntry.objects.bulk_create(new_entries, batch_size=2000)
    if changed_entries:
        ScoreEntry.objects.bulk_update(
            changed_entries,
            ["points", "value", "note", "updated_by", "updated_at", "version", "source", "batch"],
            batch_size=2000,
        )
    AuditEntry.objects.bulk_create(audit, batch_size=2000)
    return new_entries


def write_one(
    access: Access,
    key: str,
    *,
    points=None,
    value=None,
    clear: bool = False,
    expected_version: int | None,
    reason: str = "",
) -> ScoreEntry | None:
    """A value typed by a person on the grid or the criterion page. `expected_version`: the
    entry's version the page showed (None: there was none)."""
    assessment = access.assessment
    # An appraiser's reason for the points stays with them (the entry's note, as a sheet's
    # row note does), so that the grid shows the unit why; the page sends it back each time.
    keeps_reason = value is None and access.points_stage in (APPRAISAL, APPRAISAL2)
    # So does the reason for a figure that differs from the registers' count: the grid shows
    # it beside the override.
    keeps_reason = keeps_reason or (
        value is not None and bool(reason.strip()) and key in assessment.framework.domain.bindings
    )
    item = Item(
        unit=assessment.unit.code,
        key=key,
        points=points,
        value=value,
        note=reason.strip() if keeps_reason else None,
        reason=reason,
        version=expected_version or 0,
        clear=clear,
    )
    report = write_entries(Writer.person(access.user), assessment.framework, [item], access=access)
    if report.unit_entries is not None:
        access.cache["entries"] = report.unit_entries  # the answering page redraws from them
    return next(iter(report.entries.values()), None)
