"""What is waiting for one person: the home page's list of work, with deadlines and days
left, the rounds they follow and the dashboards they may open.

Everything is worked out from the person's access objects (`access.accesses`), so that a task
is listed exactly when the grid would let the person do it: filling in or answering is the
part the access object says they edit; approving, starting an appraisal or publishing is an
action `Access.refusal` allows. A fixed number of queries whatever the number of units.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext

from parindex.assessments import access as access_rules
from parindex.assessments.access import Access, Deadline
from parindex.assessments.criteria import supported_codes, unsupported
from parindex.assessments.models import CriterionNote, Round, ScoreEntry, UnitAssessment
from parindex.domain import workflow
from parindex.domain.i18n import Message
from parindex.domain.scoring import SELF, Completion, score_unit, self_scored, stage_data

# What a task asks of the person, by kind (the home page words each one).
FILL = "fill"  # unit staff: score the criteria, attach evidence, submit
ANSWER = "answer"  # unit staff: answer the appraisers' comments
APPROVE = "approve"  # a leader: approve the department's own submission
START = "start"  # appraiser or officer: start the appraisal of a submission
APPRAISE = "appraise"  # appraiser: round 1
APPRAISE2 = "appraise2"  # appraiser: round 2
PUBLISH = "publish"  # officer: publish a finished appraisal

_BY_PART = {"self": FILL, "answer": ANSWER, "appraisal": APPRAISE, "appraisal2": APPRAISE2}
_BY_ACTION = {"approve": APPROVE, "start_appraisal": START, "publish": PUBLISH}
# The deadline a task must meet (approving and publishing have none of their own).
_WINDOW = {
    FILL: workflow.SELF_WINDOW,
    ANSWER: workflow.EXPLANATION_WINDOW,
    START: workflow.APPRAISAL_WINDOW,
    APPRAISE: workflow.APPRAISAL_WINDOW,
    APPRAISE2: workflow.APPRAISAL2_WINDOW,
}


@dataclass
class Task:
    kind: str
    access: Access
    deadline: Deadline | None
    today: date
    completion: Completion | None = None  # FILL, APPROVE: criteria the engine can score
    unsupported: list[str] = field(default_factory=list)  # FILL: evidence or explanation due
    commented: list[str] = field(default_factory=list)  # ANSWER: the appraisers' comments
    answered: list[str] = field(default_factory=list)  # ANSWER: those already answered
    overdue: list[Message] = field(default_factory=list)  # a passed deadline stops the step

    @property
    def assessment(self) -> UnitAssessment:
        return self.access.assessment

    @property
    def days_left(self) -> int | None:
        return self.deadline.days_left(self.today) if self.deadline else None

    @property
    def days_late(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0

    @property
    def window_label(self) -> str:
        return gettext(workflow.WINDOW_LABELS[self.deadline.window]) if self.deadline else ""


@dataclass
class Late:
    """A unit whose next step missed its deadline (for the round's officer and leaders)."""

    access: Access
    deadline: Deadline
    today: date

    @property
    def days_late(self) -> int:
        return -self.deadline.days_left(self.today)

    @property
    def window_label(self) -> str:
        return gettext(workflow.WINDOW_LABELS[self.deadline.window])


@dataclass
class RoundView:
    round: Round
    accesses: list[Access]
    follows: bool  # officer or leader of the department that runs it: the overview
    counts: list[tuple[str, int]]  # (state, number of units), in the order of the cycle
    late: list[Late]

    @property
    def framework(self):
        return self.accesses[0].assessment.framework

    @property
    def submitted(self) -> int:
        """Units past their self-assessment."""
        return sum(n for state, n in self.counts if state != workflow.DRAFT)


@dataclass
class Agenda:
    today: date
    tasks: list[Task]
    rounds: list[RoundView]
    can_open: bool
    # Read once for the page, and reused for its dashboards (`web.dashboards.dashboards_for`).
    memberships: object
    parents: object


def agenda_for(user, today: date | None = None) -> Agenda:
    """The person's home page, read in a fixed number of queries."""
    today = today or timezone.localdate()
    memberships = access_rules.memberships_of(user)
    parents = access_rules.tree_for(user, memberships)
    mine = access_rules.accesses(user, memberships=memberships, parents=parents)
    tasks = _tasks(mine, today)
    return Agenda(
        today,
        tasks,
        _rounds(user, mine, memberships, parents, today),
        access_rules.can_open_rounds(user, memberships),
        memberships,
        parents,
    )


def _tasks(mine: list[Access], today: date) -> list[Task]:
    tasks: list[Task] = []
    for access in mine:
        if access.state == workflow.PUBLISHED:
            continue
        # One task per assessment: the part the person edits now (also once its deadline
        # has passed: the work is still theirs, late), else the first action they can take.
        kind = _BY_PART.get(access.part or "")
        if kind is None:
            kind = next((_BY_ACTION[a] for a in access.actions if a in _BY_ACTION), None)
        if kind is None:
            continue
        window = _WINDOW.get(kind)
        deadline = access.deadlines[window] if window else None
        tasks.append(Task(kind, access, deadline, today, overdue=access.overdue))
    _fill_in(tasks)
    # The most urgent first: passed and nearest deadlines, then those without one.
    tasks.sort(key=lambda t: (t.days_left is None, t.days_left or 0))
    return tasks


def _fill_in(tasks: list[Task]) -> None:
    """Completion and criteria to support for FILL (completion also for APPROVE: what the
    leader is asked to approve), comments to answer for ANSWER: the entries, evidence and
    notes of those assessments only (at most 4 queries in all)."""
    fill = [t for t in tasks if t.kind in (FILL, APPROVE)]
    answer = [t for t in tasks if t.kind == ANSWER]
    if fill:
        units = {t.assessment.unit_id for t in fill}
        frameworks = {t.assessment.framework_id for t in fill}
        rows: dict[tuple[int, int], list] = {}
        # Every stage, as the grid counts completion (the officer's survey points count);
        # what needs support is judged on the self-assessment alone, as at submission.
        for framework_id, unit_id, stage, key, points, value in ScoreEntry.objects.filter(
            framework_id__in=frameworks, unit_id__in=units
        ).values_list("framework_id", "unit_id", "stage", "key", "points", "value"):
            rows.setdefault((framework_id, unit_id), []).append((stage, key, points, value))
        to_support = [t.assessment.pk for t in fill if t.kind == FILL]
        supported = supported_codes(to_support) if to_support else {}
        for task in fill:
            a = task.assessment
            framework = a.framework.domain
            entries = rows.get((a.framework_id, a.unit_id), [])
            task.completion = score_unit(framework, stage_data(entries)).completion
            if task.kind == FILL:
                own = score_unit(framework, stage_data(e for e in entries if e[0] == SELF))
                task.unsupported = unsupported(
                    framework, self_scored(own), supported.get(a.pk, set())
                )
    if answer:
        notes: dict[int, dict[str, set[str]]] = {}
        for assessment_id, kind, code in CriterionNote.objects.filter(
            assessment_id__in=[t.assessment.pk for t in answer],
            kind__in=[CriterionNote.Kind.COMMENT, CriterionNote.Kind.ANSWER],
        ).values_list("assessment_id", "kind", "code"):
            notes.setdefault(assessment_id, {}).setdefault(kind, set()).add(code)
        for task in answer:
            order = {n.code: i for i, n in enumerate(task.assessment.framework.domain.walk())}
            mine = notes.get(task.assessment.pk, {})
            commented = mine.get(CriterionNote.Kind.COMMENT, set())
            task.commented = sorted(commented, key=lambda code: order.get(code, 10**6))
            task.answered = [c for c in task.commented if c in mine.get("answer", set())]


def _rounds(user, mine, memberships, parents, today) -> list[RoundView]:
    by_round: dict[int, list[Access]] = {}
    for access in mine:
        by_round.setdefault(access.assessment.round_id, []).append(access)
    views = []
    for accesses in by_round.values():
        round_ = accesses[0].assessment.round
        roles = access_rules.tree_roles(user, round_.owner_id, memberships, parents)
        follows = bool({workflow.OFFICER, workflow.LEADER} & roles)
        states = [a.state for a in accesses]
        counts = [(s, states.count(s)) for s in workflow.STATES if s in states]
        late = []
        if follows:
            for access in accesses:
                deadline = access.current_deadline
                if deadline is not None and deadline.days_left(today) < 0:
                    late.append(Late(access, deadline, today))
        views.append(RoundView(round_, accesses, follows, counts, late))
    return views
