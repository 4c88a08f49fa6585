"""Read side of the assessment cycle: what the scoring grid shows, in a fixed number of
queries whatever the size of the framework."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import timezone

from parindex.assessments.access import Access, Deadline
from parindex.assessments.criteria import supported_codes, unsupported
from parindex.assessments.models import (
    CriterionNote,
    EvidenceLink,
    ScoreEntry,
    Source,
    UnitAssessment,
)
from parindex.domain import workflow
from parindex.domain.framework import BONUS, PENALTY, SURVEY, Node
from parindex.domain.i18n import Message
from parindex.domain.i18n import gettext_noop as N_
from parindex.domain.rules import MISSING, NEEDS_POINTS, Outcome
from parindex.domain.scoring import (
    APPRAISAL,
    APPRAISAL2,
    FINAL,
    SELF,
    STAGES,
    Completion,
    NodeScore,
    StageData,
    UnitScore,
    score_unit,
    self_scored,
    stage_data,
)

# Why a criterion needs someone's attention: the grid's badges and its filter ("only the rows
# that need attention"), in the order they are shown.
EMPTY = "empty"  # nothing the engine can score yet (counts as 0)
UNSUPPORTED = "unsupported"  # self-scored above 0 without evidence or an explanation
AWAITING = "awaiting"  # an appraisal comment not answered yet, while explanations are asked
UNREVIEWED = "unreviewed"  # a document the appraisers have not reviewed, during the appraisal
OVERRIDE = "override"  # points typed over a criterion that its figures compute
ATTENTION = (EMPTY, UNSUPPORTED, AWAITING, UNREVIEWED, OVERRIDE)

# The workflow steps that cannot be undone by the person taking them: the page states their
# consequence and asks for a confirmation first (approving or starting an appraisal loses
# nobody's work, and asks for none).
CONFIRMED_ACTIONS = (
    "submit",
    "withdraw",
    "request_explanation",
    "answer",
    "finalize",
    "publish",
    "reopen",
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
    title: str = ""  # as people know it ("Số hồ sơ tiếp nhận"); the name when none is given
    unit: str = ""  # a label (hồ sơ, %, …)
    # Bound to a register indicator (`registers.bindings`): the registers' figure, if any.
    indicator: str = ""
    computed: object | None = None  # registers.computed.ComputedValue
    latest_entry: ScoreEntry | None = None  # the entry `latest` comes from

    @property
    def from_register(self) -> bool:
        """The figure shown is the registers' (computed, not typed)."""
        return self.latest_entry is not None and self.latest_entry.source == Source.REGISTER

    @property
    def computed_value(self) -> Decimal | None:
        return self.computed.value if self.computed is not None else None

    @property
    def overridden(self) -> bool:
        """A person's figure differs from what the registers compute."""
        return (
            self.computed_value is not None
            and self.latest_entry is not None
            and not self.from_register
            and self.latest != self.computed_value
        )


@dataclass
class GridRow:
    node: Node
    depth: int
    entries: dict[str, ScoreEntry] = field(default_factory=dict)  # by stage
    notes: dict[str, CriterionNote] = field(default_factory=dict)  # by kind
    links: list[EvidenceLink] = field(default_factory=list)
    self_score: NodeScore | None = None
    score: NodeScore | None = None  # the engine's result over every stage
    # The engine's result over the stages up to each appraisal round that has entries (an
    # area's subtotal after that round): APPRAISAL, APPRAISAL2 → NodeScore.
    stage_scores: dict[str, NodeScore] = field(default_factory=dict)
    unsupported: bool = False
    inputs: list[InputCell] = field(default_factory=list)
    self_points: Decimal | None = None  # from the self-assessment: typed or computed
    attention: list[str] = field(default_factory=list)  # ATTENTION reasons, for this user
    # The engine's LeafScore: typed points replace what the criterion's figures give (what
    # they give: `computed`).
    override: bool = False
    computed: Outcome | None = None
    # Bound inputs: the registers' numbers behind the criterion ("2.279 hồ sơ, 250 qua bưu
    # chính = 10,97 %"), and the titles of those the registers have no data for.
    register_explanation: list[Message] = field(default_factory=list)
    register_missing: list[str] = field(default_factory=list)
    # A refused save, shown in the row as it was sent: the points and reason typed, and why.
    typed_points: str | None = None
    typed_reason: str = ""
    error: str = ""
    error_for: str = ""  # the input whose figure was refused; empty: the points

    @property
    def is_leaf(self) -> bool:
        return self.node.is_leaf

    @property
    def unreviewed(self) -> list[EvidenceLink]:
        return [link for link in self.links if link.review == EvidenceLink.Review.PENDING]

    @property
    def is_survey(self) -> bool:
        return self.node.effective_kind == SURVEY

    def reason(self, stage: str) -> str:
        """Why the appraisers gave these points at `stage` (the note stored with them: the
        reason for lowering, or what explains an override): shown to every reader."""
        entry = self.entries.get(stage)
        return entry.note.strip() if entry is not None else ""

    @property
    def appraisal_reason(self) -> str:
        return self.reason(APPRAISAL)

    @property
    def appraisal2_reason(self) -> str:
        return self.reason(APPRAISAL2)

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
    typed: dict = field(default_factory=dict)  # input name → what was typed and refused
    # The totals after each appraisal round that has entries (absent: nothing appraised yet).
    stage_totals: dict[str, UnitScore] = field(default_factory=dict)
    only_attention: bool = False  # the filter: only the rows that need attention
    today: date = field(default_factory=timezone.localdate)

    @property
    def assessment(self) -> UnitAssessment:
        return self.access.assessment

    @property
    def completion(self) -> Completion:
        """Criteria the engine can score, over every stage (the engine's one definition)."""
        return self.total.completion

    @property
    def leaves(self) -> list[GridRow]:
        return [row for row in self.rows if row.is_leaf]

    @property
    def appraised(self) -> bool:
        """An appraisal round has entries: before that, "after appraisal" would show the
        self-assessment under another name."""
        return bool(self.stage_totals)

    @property
    def band_shown(self) -> str:
        """The band as this reader may see it: "final" once the appraisal is finished,
        "provisional" for the appraisers and the officer while it runs, else "" (a band
        read off a draft would be taken for a verdict)."""
        return band_shown(
            self.assessment.state,
            self.appraised,
            self.access.is_officer or workflow.APPRAISER in self.access.roles,
        )

    def _unscored(self, survey: bool | None = None) -> list[str]:
        empty = set(self.total.unscored)
        return [
            row.node.code
            for row in self.leaves
            if row.node.code in empty and survey in (None, row.is_survey)
        ]

    @property
    def unscored_codes(self) -> list[str]:
        """Every criterion the engine cannot score yet: what the completion counts as
        empty (`UnitScore.completion`), whoever has to fill it."""
        return self._unscored()

    @property
    def unit_empty_codes(self) -> list[str]:
        """The empty criteria the unit scores itself (all but the survey criteria)."""
        return self._unscored(survey=False)

    @property
    def survey_empty_codes(self) -> list[str]:
        """The survey criteria whose points the CCHC officer has not entered yet."""
        return self._unscored(survey=True)

    def codes(self, reason: str) -> list[str]:
        """The criteria that need attention for `reason`, in the framework's order."""
        return [row.node.code for row in self.leaves if reason in row.attention]

    @property
    def empty_codes(self) -> list[str]:
        return self.codes(EMPTY)

    @property
    def unreviewed_codes(self) -> list[str]:
        return self.codes(UNREVIEWED)

    @property
    def unreviewed_count(self) -> int:
        """Documents not reviewed yet, for the criteria of `unreviewed_codes`."""
        return sum(len(row.unreviewed) for row in self.leaves if UNREVIEWED in row.attention)

    @property
    def awaiting_codes(self) -> list[str]:
        return self.codes(AWAITING)

    @property
    def commented_codes(self) -> list[str]:
        """Criteria with an appraisal comment of round 1 (what explanations answer)."""
        return [row.node.code for row in self.leaves if CriterionNote.Kind.COMMENT in row.notes]

    @property
    def attention_count(self) -> int:
        return sum(1 for row in self.leaves if row.attention)

    @property
    def visible_rows(self) -> list[GridRow]:
        """Every row, or with the filter on, the criteria that need attention under the
        headings of their areas."""
        if not self.only_attention:
            return self.rows
        shown: set[str] = set()
        for row in self.leaves:
            if row.attention:
                node = row.node
                while node is not None:
                    shown.add(node.code)
                    node = node.parent
        return [row for row in self.rows if row.node.code in shown]

    @property
    def deadline(self) -> Deadline | None:
        """The deadline the next step must meet (an officer's extension included)."""
        return self.access.current_deadline

    @property
    def days_left(self) -> int | None:
        deadline = self.deadline
        return deadline.days_left(self.today) if deadline is not None else None

    @property
    def days_late(self) -> int:
        days = self.days_left
        return -days if days is not None and days < 0 else 0

    @property
    def blocked_submission(self) -> Message | None:
        """What stops the submission that the unit puts right on the page: the same words
        as the refusal of the action itself."""
        if not self.unsupported:
            return None
        return Message(
            N_("attach evidence or write an explanation for %(codes)s before submitting"),
            {"codes": ", ".join(self.unsupported)},
        )

    @property
    def confirmations(self) -> list[str]:
        """The steps offered here that are confirmed before they are taken."""
        offered = [a for a in self.actions if a in CONFIRMED_ACTIONS]
        return [*offered, "reopen"] if self.reopen_targets else offered

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
        .select_related("evidence", "evidence__uploaded_by")
        .order_by("evidence__uploaded_at", "id")
    )
    self_total = score_unit(framework, _stage_data(entries, (SELF,)))
    total = score_unit(framework, _stage_data(entries, (SELF, APPRAISAL, APPRAISAL2, FINAL)))
    stage_totals = _stage_totals(framework, entries)
    # The same rule as the submission check, on the rows already loaded.
    self_points = self_scored(self_total)
    missing = unsupported(framework, self_points, _supported(links, notes))

    rows: list[GridRow] = []
    by_code: dict[str, GridRow] = {}

    def visit(node: Node, depth: int) -> None:
        leaf = total.leaves.get(node.code)
        row = GridRow(
            node,
            depth,
            self_score=self_total.nodes[node.code],
            score=total.nodes[node.code],
            unsupported=node.code in missing,
            self_points=self_points.get(node.code),
            override=leaf is not None and leaf.override,
            computed=leaf.computed if leaf is not None else None,
            stage_scores={s: t.nodes[node.code] for s, t in stage_totals.items()},
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
    if framework.bindings:
        _attach_register_figures(framework, assessment, rows)
    for row in rows:
        if row.is_leaf:
            row.attention = _attention(row, total, access)
    finals = {e.key: e for e in entries if e.stage == FINAL}
    return Grid(
        access,
        rows,
        self_total,
        total,
        missing,
        list(assessment.events.select_related("actor")) if with_events else [],
        [(key, finals.get(key)) for key in (BONUS, PENALTY)],
        stage_totals=stage_totals,
    )


def _stage_totals(framework, entries: list[ScoreEntry], steps=None) -> dict[str, UnitScore]:
    """The unit's score as each appraisal round left it — the engine on the stages up to
    that round — for the rounds that have entries (no query: from the loaded entries)."""
    totals = {}
    stages = {e.stage for e in entries}
    for upto in (APPRAISAL, APPRAISAL2):
        if upto in stages:
            view = STAGES[: STAGES.index(upto) + 1]
            totals[upto] = score_unit(framework, _stage_data(entries, view), steps)
    return totals


def band_shown(state: str, appraised: bool, appraises: bool) -> str:
    """How a band may be shown: "final" once the appraisal is finished, "provisional" while
    it runs and only to those who appraise or publish (`appraises`), else ""."""
    if state in (workflow.FINAL, workflow.PUBLISHED):
        return "final"
    return "provisional" if appraised and appraises else ""


def _attention(row: GridRow, total: UnitScore, access: Access) -> list[str]:
    """Why the criterion needs attention now. A survey criterion is the CCHC officer's to
    fill; unreviewed documents matter while the appraisers review, unanswered comments while
    the unit explains."""
    state = access.state
    reasons = []
    leaf = total.leaves.get(row.node.code)
    empty = leaf is not None and leaf.outcome.status in (MISSING, NEEDS_POINTS)
    if empty and (not row.is_survey or access.officer_stage is not None):
        reasons.append(EMPTY)
    if row.unsupported:
        reasons.append(UNSUPPORTED)
    if (
        state == workflow.EXPLANATION
        and CriterionNote.Kind.COMMENT in row.notes
        and CriterionNote.Kind.ANSWER not in row.notes
    ):
        reasons.append(AWAITING)
    if state in (workflow.APPRAISAL1, workflow.APPRAISAL2) and row.unreviewed:
        reasons.append(UNREVIEWED)
    if row.override:
        reasons.append(OVERRIDE)
    return reasons


def _attach_inputs(framework, entries, rows, access: Access) -> None:
    kinds = framework.inputs()
    by_name: dict[str, dict[str, ScoreEntry]] = {}
    for entry in entries:
        if entry.key in kinds:
            by_name.setdefault(entry.key, {})[entry.stage] = entry
    info = framework.inputs_info
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
            latest_entry = next((stages[s] for s in reversed(STAGES) if s in stages), None)
            row.inputs.append(
                InputCell(
                    name,
                    kinds[name],
                    latest,
                    stages.get(edit_stage) if edit_stage else None,
                    edit_stage is not None,
                    list(stages.values()),
                    info[name].title if name in info else name,
                    info[name].unit if name in info else "",
                    info[name].indicator if name in info else "",
                    latest_entry=latest_entry,
                )
            )


def _attach_register_figures(framework, assessment, rows) -> None:
    """The registers' figures of the bound inputs (one query), and what each criterion says
    of them: its numbers as explanation, or that the registers have no data yet."""
    from parindex.registers import bindings

    computed = {
        name: c
        for name, c in bindings.computed_values(assessment.framework_id, assessment.unit_id).items()
        if name in framework.bindings
    }
    values = {name: c.value for name, c in computed.items()}
    for row in rows:
        if not row.is_leaf or not row.inputs:
            continue
        for cell in row.inputs:
            cell.computed = computed.get(cell.name)
        row.register_explanation = bindings.explanation(framework, row.node, values)
        entered = {cell.name for cell in row.inputs if cell.latest is not None}
        row.register_missing = [
            title
            for name, title in bindings.missing(framework, row.node, values)
            if name not in entered  # a person typed the figure the registers lack
        ]


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
    appraised: bool = False  # an appraisal round has entries
    survey_codes: frozenset = frozenset()  # the framework's survey criteria

    @property
    def completion(self) -> Completion:
        """The same completion as the unit's grid shows."""
        return self.total.completion

    @property
    def unscored_codes(self) -> list[str]:
        """The criteria the completion counts as empty, in the framework's order."""
        return self.total.unscored

    @property
    def unit_empty_codes(self) -> list[str]:
        return [code for code in self.total.unscored if code not in self.survey_codes]

    @property
    def survey_empty_codes(self) -> list[str]:
        """Survey criteria whose points the CCHC officer has not entered yet."""
        return [code for code in self.total.unscored if code in self.survey_codes]

    def band_shown(self, appraises: bool) -> str:
        return band_shown(self.assessment.state, self.appraised, appraises)

    @property
    def started(self) -> bool:
        """Something is scored: before that, totals of 0 would read as a verdict."""
        return self.completion.filled > 0


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
    survey = frozenset(
        code
        for code, node in framework.node_map().items()
        if node.is_leaf and node.effective_kind == SURVEY
    )
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
                any(e.stage in (APPRAISAL, APPRAISAL2) for e in mine),
                survey,
            )
        )
    return rows
