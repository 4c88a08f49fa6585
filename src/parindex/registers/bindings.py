"""Criteria scored from the registers.

A framework binds some of its named inputs to register indicators (`inputs: {name: {title,
unit, indicator}}`, `Framework.bindings`). For every assessment still being drafted (after its
submission the values freeze) the indicators are computed over the framework's period — the
calendar year of the framework — by the one engine (`registers.indicators.compute`), and the
bound inputs are written through the one score gate (`assessments.scores.write_entries`) as
the system writer "registers" with the provenance `register`, one import batch per framework
named after the register import that caused it.

- A person's value is never clobbered: when the self-assessment's entry of an input was typed
  or uploaded, it stays (an override, which the gate takes only with an explanation) and only
  the stored computed figure (`ComputedValue`) changes.
- No data in the register for the unit and period: nothing is written, a value the registers
  wrote before is removed, and the criterion says it has no figures — never a silent 0.

`refresh` runs when a register changes (`registers_changed`, after the writer's transaction
commits) and when an assessment is created (a new round starts with the computed figures).
The grid shows a computed value marked as such with its numbers as explanation
(`explanation`): "2.279 hồ sơ, 250 qua bưu chính = 10,97 %".
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from parindex.assessments.models import ScoreEntry, Source, UnitAssessment
from parindex.assessments.scores import FileInfo, Item, Writer, WriteRefused, write_entries
from parindex.domain import workflow
from parindex.domain.i18n import Message
from parindex.domain.i18n import gettext_noop as N_
from parindex.domain.numbers import format_number
from parindex.domain.rules import RATIO
from parindex.domain.scoring import SELF
from parindex.frameworks.models import Framework
from parindex.registers.computed import ComputedValue

logger = logging.getLogger(__name__)

ACTOR = "registers"
WRITER = Writer.system(ACTOR, Source.REGISTER)
# The figures the gate stores have 6 decimals; a share computed from counts has more.
PLACES = Decimal("0.000001")


def period(framework) -> tuple[date, date]:
    """The period a framework's indicators are computed over: its calendar year."""
    from parindex.domain.indicators import period_of_year

    return period_of_year(framework.year)


@dataclass
class RefreshReport:
    """What a refresh did, over every framework with bindings."""

    assessments: int = 0  # draft assessments looked at
    written: int = 0  # register values created or changed
    cleared: int = 0  # register values removed: the data disappeared
    unchanged: int = 0
    kept: int = 0  # a person's value left as it is (an override)
    missing: int = 0  # bound inputs without data in the registers
    batches: list = field(default_factory=list)  # the ImportBatch of each framework written
    problems: list[str] = field(default_factory=list)  # rows the gate refused, in words


def _frameworks(frameworks) -> list[int] | None:
    if frameworks is None:
        return None
    ids, codes = [], []
    for item in frameworks:
        if isinstance(item, Framework):
            ids.append(item.pk)
        elif isinstance(item, int):
            ids.append(item)
        else:
            codes.append(str(item))
    if codes:
        ids += list(Framework.objects.filter(code__in=codes).values_list("pk", flat=True))
    return ids


def refresh(unit_ids=None, frameworks=None, *, batch=None) -> RefreshReport:
    """Compute the bound inputs of every draft assessment (of `unit_ids`, of `frameworks`:
    models, ids or codes; None: all) and write them through the score gate. `batch`: the
    RegisterImport that caused the refresh, which names the score batch."""
    report = RefreshReport()
    assessments = UnitAssessment.objects.filter(state=workflow.DRAFT)
    if unit_ids is not None:
        assessments = assessments.filter(unit_id__in=list(unit_ids))
    framework_ids = _frameworks(frameworks)
    if framework_ids is not None:
        assessments = assessments.filter(framework_id__in=framework_ids)
    by_framework: dict[int, set[int]] = {}
    for framework_id, unit_id in assessments.values_list("framework_id", "unit_id"):
        by_framework.setdefault(framework_id, set()).add(unit_id)
    for framework in Framework.objects.filter(pk__in=by_framework).order_by("pk"):
        if not framework.domain.bindings:
            continue
        _refresh_framework(framework, by_framework[framework.pk], batch, report)
    return report


def _batch_name(batch) -> str:
    if batch is None:
        return ACTOR
    return f"{ACTOR}: {batch.name or batch.kind} (#{batch.pk})"[:255]


def _refresh_framework(framework: Framework, unit_ids: set[int], batch, report) -> None:
    domain = framework.domain
    bindings = domain.bindings
    start, end = period(domain)
    with transaction.atomic():
        # Locked: a submission cannot slip between the state read here and the write.
        assessments = list(
            UnitAssessment.objects.select_for_update(of=("self",))
            .filter(framework=framework, unit_id__in=unit_ids, state=workflow.DRAFT)
            .select_related("unit")
        )
        if not assessments:
            return
        report.assessments += len(assessments)
        units = [a.unit for a in assessments]
        from parindex.registers.indicators import compute

        results = compute(units, start, end)
        figures = {
            unit.pk: {
                name: _figure(results.get(unit.pk), indicator)
                for name, indicator in bindings.items()
            }
            for unit in units
        }
        _store_computed(framework, units, bindings, figures, start, end, batch)
        _write(framework, units, bindings, figures, batch, report)


def _write(framework, units, bindings, figures, batch, report) -> None:
    """The bound inputs through the gate, as one batch. A stale row (someone typed a value
    meanwhile) is read again; a row the gate refuses (figures it finds inconsistent) is left
    out, reported, and the rest written."""
    skip: set[tuple[str, str]] = set()
    for _attempt in range(3):
        items, counts = _items(framework, units, bindings, figures, skip)
        if not items:
            break
        try:
            written = write_entries(
                WRITER,
                framework,
                items,
                stage=SELF,
                file=FileInfo(_batch_name(batch), batch.sha256 if batch is not None else ""),
            )
        except WriteRefused as exc:
            if not exc.conflict:
                rows = {p.row for p in exc.problems}
                skip |= {(item.unit, item.key) for item in items if item.row in rows}
                report.problems += [
                    f"{framework.code}: {items[p.row - 1].unit} {items[p.row - 1].key}: {p.message}"
                    for p in exc.problems
                    if p.row
                ]
            continue
        report.written += written.created + written.updated
        report.cleared += written.deleted
        if written.batch is not None:
            report.batches.append(written.batch)
        break
    report.kept += counts["kept"]
    report.missing += counts["missing"]
    report.unchanged += counts["unchanged"]


def _figure(indicators, name: str) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    """(value, numerator, denominator) of an indicator for a unit; value None: no data."""
    if indicators is None:
        return None, None, None
    figure = indicators.figures.get(name)
    if figure is None or figure.value is None:
        return None, None, None
    return figure.value, figure.numerator, figure.denominator


def _quantize(value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value).quantize(PLACES)


def _items(framework, units, bindings, figures, skip) -> tuple[list[Item], dict[str, int]]:
    """What the gate is asked to write: every bound input whose self-assessment entry is the
    registers' (or absent) and differs from the figure; a person's entry is left alone."""
    entries = {
        (e.unit_id, e.key): e
        for e in ScoreEntry.objects.filter(
            framework=framework,
            unit_id__in=[u.pk for u in units],
            stage=SELF,
            key__in=list(bindings),
        ).only("unit_id", "key", "value", "version", "source")
    }
    items: list[Item] = []
    counts = {"kept": 0, "missing": 0, "unchanged": 0}
    for unit in units:
        for name in bindings:
            value = _quantize(figures[unit.pk][name][0])
            entry = entries.get((unit.pk, name))
            if value is None:
                counts["missing"] += 1
            if entry is not None and entry.source != Source.REGISTER:
                counts["kept"] += 1
                continue
            if entry is None and value is None:
                continue
            if entry is not None and entry.value == value:
                counts["unchanged"] += 1
                continue
            if (unit.code, name) in skip:
                continue
            items.append(
                Item(
                    unit=unit.code,
                    key=name,
                    value=value,
                    clear=value is None,
                    version=entry.version if entry is not None else 0,
                    row=len(items) + 1,
                )
            )
    return items, counts


def _store_computed(framework, units, bindings, figures, start, end, batch) -> None:
    """Keep each bound input's computed figure (also where a person's value overrides it)."""
    now = timezone.now()
    unit_ids = [u.pk for u in units]
    # Inputs no longer bound (the framework's wording changed) keep no figure.
    ComputedValue.objects.filter(framework=framework, unit_id__in=unit_ids).exclude(
        key__in=list(bindings)
    ).delete()
    stored = {
        (c.unit_id, c.key): c
        for c in ComputedValue.objects.filter(
            framework=framework, unit_id__in=[u.pk for u in units]
        )
    }
    new, changed = [], []
    for unit in units:
        for name, indicator in bindings.items():
            value, numerator, denominator = map(_quantize, figures[unit.pk][name])
            row = stored.get((unit.pk, name))
            if row is None:
                row = ComputedValue(framework=framework, unit=unit, key=name)
                new.append(row)
            elif (
                row.indicator,
                row.value,
                row.numerator,
                row.denominator,
                row.start,
                row.end,
            ) == (indicator, value, numerator, denominator, start, end):
                continue
            else:
                changed.append(row)
            row.indicator, row.value = indicator, value
            row.numerator, row.denominator = numerator, denominator
            row.start, row.end, row.computed_at, row.batch = start, end, now, batch
    ComputedValue.objects.bulk_create(new, batch_size=1000)
    if changed:
        ComputedValue.objects.bulk_update(
            changed,
            [
                "indicator",
                "value",
                "numerator",
                "denominator",
                "start",
                "end",
                "computed_at",
                "batch",
            ],
            batch_size=1000,
        )


# --- what the grid shows ------------------------------------------------------------------------

# How a computed figure reads in a criterion's explanation ("250 qua bưu chính"); an input
# without a phrase reads "title: figure".
PHRASES = {
    "dossiers.received": N_("%(count)s dossiers"),
    "dossiers.resolved": N_("%(count)s dossiers resolved"),
    "dossiers.on_time": N_("%(count)s on time or early"),
    "dossiers.late": N_("%(count)s dossiers resolved late"),
    "dossiers.apologised": N_("%(count)s with an apology letter"),
    "dossiers.postal": N_("%(count)s by post"),
    "dossiers.online": N_("%(count)s online"),
    "dossiers.digitised": N_("%(count)s digitised"),
    "feedback.received": N_("%(count)s feedback received"),
    "feedback.on_time": N_("%(count)s handled on time"),
    "feedback.satisfied": N_("%(count)s senders satisfied"),
    "directives.total": N_("%(count)s tasks assigned"),
    "directives.on_time": N_("%(count)s done on time"),
    "reports.late": N_("%(count)s reports late"),
    "plan.tasks": N_("%(count)s plan tasks"),
    "plan.tasks_done": N_("%(count)s done"),
}


def computed_values(framework_id: int, unit_id: int) -> dict[str, ComputedValue]:
    """The computed figures of one unit's bound inputs, by input name (one query)."""
    return {
        c.key: c for c in ComputedValue.objects.filter(framework_id=framework_id, unit_id=unit_id)
    }


def _phrase(domain, name: str, value: Decimal) -> Message:
    if domain.inputs().get(name) == RATIO:  # a share reads as a percentage
        text = format_number(value * 100, 2) + " %"
        msgid = None
    else:
        text = format_number(value, 6)
        msgid = PHRASES.get(domain.bindings.get(name, "")) or PHRASES.get(name)
    if msgid is None:
        return Message(
            N_("%(title)s: %(count)s"), {"title": domain.input_title(name), "count": text}
        )
    return Message(msgid, {"count": text})


def explanation(domain, node, values: Mapping[str, Decimal | None]) -> list[Message]:
    """The numbers behind a criterion scored from the registers, in words: each fraction its
    rule reads as "2.279 hồ sơ, 250 qua bưu chính = 10,97 %", every other bound input as
    "3 báo cáo trễ hạn". `values`: the registers' figure of each bound input (None: no data).
    Empty when the criterion reads no bound input or some figure is missing."""
    rule = node.effective_rule
    names = [name for name in rule.inputs() if name in domain.bindings]
    if not names or any(values.get(name) is None for name in names):
        return []
    parts, done = [], set()
    for numerator, denominator in rule.fractions():
        if numerator not in names or denominator not in names:
            continue
        n, d = values[numerator], values[denominator]
        params = {
            "denominator": _phrase(domain, denominator, d),
            "numerator": _phrase(domain, numerator, n),
        }
        if d:
            params["share"] = format_number(n * 100 / d, 2) + " %"
            parts.append(Message(N_("%(denominator)s, %(numerator)s = %(share)s"), params))
        else:
            parts.append(Message(N_("%(denominator)s, %(numerator)s"), params))
        done |= {numerator, denominator}
    parts += [_phrase(domain, name, values[name]) for name in names if name not in done]
    return parts


def missing(domain, node, values: Mapping[str, Decimal | None]) -> list[tuple[str, str]]:
    """(name, title) of the bound inputs of a criterion the registers have no data for."""
    return [
        (name, domain.input_title(name))
        for name in node.effective_rule.inputs()
        if name in domain.bindings and values.get(name) is None
    ]


# --- receivers -----------------------------------------------------------------------------------


def registers_changed(sender, kind=None, unit_ids=(), batch=None, **kwargs) -> None:
    """A register changed (sent after its transaction committed): refresh the units' draft
    assessments. A failure here must not turn the register's import into an error: it is
    logged, and the next change or `refresh` computes the figures again."""
    try:
        refresh(unit_ids=set(unit_ids), batch=batch)
    except Exception:
        logger.exception("computing the bound inputs after a change of the %s register", kind)


_created = threading.local()


def assessment_created(sender, instance, created=False, raw=False, **kwargs) -> None:
    """A new assessment starts with the computed figures: refreshed once the round's
    transaction commits (one refresh for all the assessments the round opened)."""
    if not created or raw:
        return
    pending = getattr(_created, "pending", None)
    if pending is None:
        pending = _created.pending = {}
    pending.setdefault(instance.framework_id, set()).add(instance.unit_id)
    transaction.on_commit(_refresh_created, robust=True)


def _refresh_created() -> None:
    pending = getattr(_created, "pending", None) or {}
    _created.pending = {}
    for framework_id, unit_ids in pending.items():
        refresh(unit_ids=unit_ids, frameworks=[framework_id])


def connect() -> None:
    """Called by the app's `ready()`."""
    from django.db.models.signals import post_save

    from parindex.registers.signals import registers_changed as signal

    signal.connect(registers_changed, dispatch_uid="parindex.registers.bindings")
    post_save.connect(
        assessment_created,
        sender=UnitAssessment,
        dispatch_uid="parindex.registers.bindings.created",
    )
