"""Read side of the assessment cycle: what the scoring grid shows, in a fixed number of
queries whatever the size of the framework."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from parindex.assessments.access import Access
from parindex.assessments.criteria import supported_codes, unsupported
from parindex.assessments.models import CriterionNote, EvidenceLink, ScoreEntry, UnitAssessment
from parindex.domain import workflow
from parindex.domain.framework import BONUS, PENALTY, SURVEY, Node
from parindex.domain.scoring import (
    APPRAISAL,
    APPRAISAL2,
    FINAL,
    SELF,
    STAGES,
    NodeScore,
    StageData,
    UnitScore,
    score_unit,
    self_scored,
    stage_data,
)


@dataclass
class InputCell:
    """A named input of a data-driven criterion: its latest figure and the editable entry."""

    name: str
    kind: str
    latest: Decimal | None
    entry: ScoreEntry | None  # at the stage the user edits
    editable: bool
    stored: list[ScoreEntry] = field(default_factory=list)  # at every stage


@dataclass
class GridRow:
    node: Node
    depth: int
    entries: dict[str, ScoreEntry] = field(default_factory=dict)  # by stage
    notes: dict[str, CriterionNote] = field(default_factory=dict)  # by kind
    links: list[EvidenceLink] = field(default_factory=list)
    self_score: NodeScore | None = None
    score: NodeScore | None = None  # the engine's result over every stage
    unsupported: bool = False
    inputs: list[InputCell] = field(default_factory=list)
    self_points: Decimal | None = None  # from the self-assessment: typed or computed

    @property
    def is_leaf(self) -> bool:
        return self.node.is_leaf

    @property
    def is_survey(self) -> bool:
        return self.node.effective_kind == SURVEY

    @property
    def provenance(self) -> list[ScoreEntry]:
        """Every stored value behind the criterion (its points by stage, then the figures of
        its inputs), each with its source, batch, author and time."""
        points = [self.entries[s] for s in STAGES if s in self.entries]
        figures = [cell for cell in self.inputs for cell in cell.stored]
        return points + sorted(figures, key=lambda e: (STAGES.index(e.stage), e.key))


@dataclass
class Grid:
    access: Access  # what the user may do: templates ask it, never work roles out themselves
    rows: list[GridRow]
    self_total: UnitScore
    total: UnitScore
    unsupported: list[str]
    events: list = field(default_factory=list)
    adjustments: list = field(default_factory=list)  # (BONUS|PENALTY, entry or None)
    errors: dict = field(default_factory=dict)  # code → a refusal to show in that row
    typed: dict = field(default_factory=dict)  # input name → what was typed and refused

    @property
    def assessment(self) -> UnitAssessment:
        return self.access.assessment

    @property
    def part(self) -> str | None:
        return self.access.part

    @property
    def actions(self) -> list[str]:
        return self.access.actions

    @property
    def reopen_targets(self) -> tuple[str, ...]:
        return self.access.reopen_targets

    @property
    def is_officer(self) -> bool:
        return self.access.is_officer

    def row(self, code: str) -> GridRow | None:
        return next((r for r in self.rows if r.node.code == code), None)


def _stage_data(entries: list[ScoreEntry], stages: tuple[str, ...]) -> dict[str, StageData]:
    return stage_data((e.stage, e.key, e.points, e.value) for e in entries if e.stage in stages)


def grid(access: Access, *, with_events: bool = True) -> Grid:
    """The scoring grid of one assessment as `access.user` sees it (4 queries; 3 without the
    steps of the workflow, which a saved row does not show)."""
    assessment = access.assessment
    framework = assessment.framework.domain
    entries = access.cache.get("entries")
    if entries is None:
        entries = list(
            ScoreEntry.objects.filter(
                framework_id=assessment.framework_id, unit_id=assessment.unit_id
            ).select_related("batch")
        )
    notes = list(CriterionNote.objects.filter(assessment=assessment))
    links = list(
        EvidenceLink.objects.filter(evidence__assessment=assessment)
        .select_related("evidence")
        .order_by("evidence__uploaded_at", "id")
    )
    self_total = score_unit(framework, _stage_data(entries, (SELF,)))
    total = score_unit(framework, _stage_data(entries, (SELF, APPRAISAL, APPRAISAL2, FINAL)))
    # The same rule as the submission check, on the rows already loaded.
    self_points = self_scored(self_total)
    missing = unsupported(framework, self_points, _supported(links, notes))

    rows: list[GridRow] = []
    by_code: dict[str, GridRow] = {}

    def visit(node: Node, depth: int) -> None:
        row = GridRow(
            node,
            depth,
            self_score=self_total.nodes[node.code],
            score=total.nodes[node.code],
            unsupported=node.code in missing,
            self_points=self_points.get(node.code),
        )
        rows.append(row)
        by_code[node.code] = row
        for child in node.children:
            visit(child, depth + 1)

    for node in framework.nodes:
        visit(node, 0)
    for entry in entries:
        if entry.key in by_code:
            by_code[entry.key].entries[entry.stage] = entry
    for note in notes:
        if note.code in by_code:
            by_code[note.code].notes[note.kind] = note
    for link in links:
        if link.code in by_code:
            by_code[link.code].links.append(link)
    _attach_inputs(framework, entries, rows, access)
    finals = {e.key: e for e in entries if e.stage == FINAL}
    return Grid(
        access,
        rows,
        self_total,
        total,
        missing,
        list(assessment.events.select_related("actor")) if with_events else [],
        [(key, finals.get(key)) for key in (BONUS, PENALTY)],
    )


def _attach_inputs(framework, entries, rows, access: Access) -> None:
    kinds = framework.inputs()
    by_name: dict[str, dict[str, ScoreEntry]] = {}
    for entry in entries:
        if entry.key in kinds:
            by_name.setdefault(entry.key, {})[entry.stage] = entry
    input_stage = access.stage_for(workflow.INPUT)
    survey_stage = access.stage_for(workflow.SURVEY)
    for row in rows:
        if not row.is_leaf:
            continue
        survey = row.is_survey
        for name in row.node.effective_rule.inputs():
            stages = by_name.get(name, {})
            latest = next((stages[s].value for s in reversed(STAGES) if s in stages), None)
            edit_stage = survey_stage if survey else input_stage
            row.inputs.append(
                InputCell(
                    name,
                    kinds[name],
                    latest,
                    stages.get(edit_stage) if edit_stage else None,
                    edit_stage is not None,
                    list(stages.values()),
                )
            )


def _supported(links: list[EvidenceLink], notes: list[CriterionNote]) -> set[str]:
    explained = {n.code for n in notes if n.kind == CriterionNote.Kind.EXPLANATION}
    return {link.code for link in links} | explained


def percent(score: NodeScore | None) -> Decimal | None:
    if score is None or not score.max:
        return None
    return score.score * 100 / score.max


@dataclass
class OverviewRow:
    assessment: UnitAssessment
    self_total: UnitScore
    total: UnitScore
    unsupported: int


def round_overview(round_) -> list[OverviewRow]:
    """Every unit of a round with its state and totals (a fixed number of queries)."""
    from parindex.domain.scoring import plan

    assessments = list(
        round_.assessments.select_related("unit", "approved_by").order_by("unit__code")
    )
    framework = round_.framework.domain
    steps = plan(framework)
    entries: dict[int, list[ScoreEntry]] = {}
    for entry in ScoreEntry.objects.filter(
        framework_id=round_.framework_id, unit_id__in=[a.unit_id for a in assessments]
    ):
        entries.setdefault(entry.unit_id, []).append(entry)
    supported = supported_codes([a.pk for a in assessments])
    rows = []
    for assessment in assessments:
        mine = entries.get(assessment.unit_id, [])
        self_total = score_unit(framework, _stage_data(mine, (SELF,)), steps)
        rows.append(
            OverviewRow(
                assessment,
                self_total,
                score_unit(
                    framework, _stage_data(mine, (SELF, APPRAISAL, APPRAISAL2, FINAL)), steps
                ),
                len(
                    unsupported(
                        framework, self_scored(self_total), supported.get(assessment.pk, set())
                    )
                ),
            )
        )
    return rows
