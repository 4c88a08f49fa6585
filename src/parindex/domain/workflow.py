"""The assessment cycle of one unit in a round, as a state machine (pure, no Django).

    draft ──submit──► submitted ──start_appraisal──► appraisal1 ──request_explanation──►
      ▲                  │                               │                 explanation
      └────withdraw──────┘                               │                      │ answer
                                                         ▼                      ▼
                          published ◄──publish── final ◄──finalize──────── appraisal2

Every transition is an action that only some roles may take, and most must happen before a
deadline of the round (a "window"). An officer can extend a window for one unit (recorded as
an override) or reopen an assessment to an earlier state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from parindex.domain import scoring
from parindex.domain.i18n import Message
from parindex.domain.i18n import gettext_noop as N_

DRAFT = "draft"
SUBMITTED = "submitted"
APPRAISAL1 = "appraisal1"
EXPLANATION = "explanation"
APPRAISAL2 = "appraisal2"
FINAL = "final"
PUBLISHED = "published"
STATES = (DRAFT, SUBMITTED, APPRAISAL1, EXPLANATION, APPRAISAL2, FINAL, PUBLISHED)
# Not a state of the machine: the results of a unit that no round assesses, recorded from
# outside (last year's published decision, imported with `parindex scores import`). They are
# published figures: they count in rankings, and no round may take the unit over.
RECORDED = "recorded"

# Labels are lower case: they are also words inside sentences ("cannot submit: the assessment
# is submitted"). Where one stands alone — a badge, a button, a list of steps — the template
# capitalises it (`|capfirst`), and every message shown as a sentence is capitalised where it
# is shown (base.html), so that the texts themselves never depend on their position.
STATE_LABELS = {
    DRAFT: N_("being drafted"),
    SUBMITTED: N_("submitted"),
    APPRAISAL1: N_("in appraisal, round 1"),
    EXPLANATION: N_("explanation requested"),
    APPRAISAL2: N_("in appraisal, round 2"),
    FINAL: N_("appraisal finished"),
    PUBLISHED: N_("results published"),
    RECORDED: N_("recorded outside a round"),
}

# Roles a person holds towards one unit's assessment.
STAFF = "staff"  # unit staff: self-assessment, evidence, explanations
APPRAISER = "appraiser"  # assigned to this unit in this round
OFFICER = "officer"  # CCHC officer of the department that runs the round
LEADER = "leader"  # Giám đốc / Phó Giám đốc: reads everything, approves the department's own
SYSTEM = "system"  # the operator at the terminal (`parindex scores import`, the demo), named

# Deadlines of a round, by name.
SELF_WINDOW = "self"
APPRAISAL_WINDOW = "appraisal"
EXPLANATION_WINDOW = "explanation"
APPRAISAL2_WINDOW = "appraisal2"
WINDOWS = (SELF_WINDOW, APPRAISAL_WINDOW, EXPLANATION_WINDOW, APPRAISAL2_WINDOW)

WINDOW_LABELS = {
    SELF_WINDOW: N_("self-assessment"),
    APPRAISAL_WINDOW: N_("appraisal"),
    EXPLANATION_WINDOW: N_("explanations"),
    APPRAISAL2_WINDOW: N_("second appraisal"),
}

# The deadline that the next step from a state must meet: what "overdue" means for a unit.
# A submitted assessment waits for its appraisal, which the appraisal deadline covers.
CURRENT_WINDOW = {
    DRAFT: SELF_WINDOW,
    SUBMITTED: APPRAISAL_WINDOW,
    APPRAISAL1: APPRAISAL_WINDOW,
    EXPLANATION: EXPLANATION_WINDOW,
    APPRAISAL2: APPRAISAL2_WINDOW,
}


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str
    roles: frozenset[str]
    window: str | None  # the deadline it must meet, if any


TRANSITIONS = {
    t.action: t
    for t in (
        Transition("submit", (DRAFT,), SUBMITTED, frozenset({STAFF}), SELF_WINDOW),
        Transition("withdraw", (SUBMITTED,), DRAFT, frozenset({STAFF}), SELF_WINDOW),
        # The leader's approval of the department's own submission keeps the state.
        Transition("approve", (SUBMITTED,), SUBMITTED, frozenset({LEADER}), None),
        Transition(
            "start_appraisal", (SUBMITTED,), APPRAISAL1, frozenset({APPRAISER, OFFICER}), None
        ),
        Transition(
            "request_explanation",
            (APPRAISAL1,),
            EXPLANATION,
            frozenset({APPRAISER}),
            APPRAISAL_WINDOW,
        ),
        Transition("answer", (EXPLANATION,), APPRAISAL2, frozenset({STAFF}), EXPLANATION_WINDOW),
        Transition(
            "finalize", (APPRAISAL1, APPRAISAL2), FINAL, frozenset({APPRAISER}), APPRAISAL_WINDOW
        ),
        Transition("publish", (FINAL,), PUBLISHED, frozenset({OFFICER}), None),
    )
}

ACTION_LABELS = {
    "submit": N_("submit"),
    "withdraw": N_("withdraw the submission"),
    "approve": N_("approve the submission"),
    "start_appraisal": N_("start the appraisal"),
    "request_explanation": N_("request explanations"),
    "answer": N_("send the explanations"),
    "finalize": N_("finalise the appraisal"),
    "publish": N_("publish"),
    "reopen": N_("reopen"),
    "open": N_("round opened"),
    "extend": N_("deadline extended"),
}

# An officer may send an assessment back to an earlier state, except once published.
REOPEN_TARGETS = {
    SUBMITTED: (DRAFT,),
    APPRAISAL1: (DRAFT, SUBMITTED),
    EXPLANATION: (APPRAISAL1,),
    APPRAISAL2: (EXPLANATION, APPRAISAL1),
    FINAL: (APPRAISAL1, APPRAISAL2),
}


def window_of(action: str, state: str) -> str | None:
    """The deadline an action must meet from a state (finalising round 2 has its own)."""
    transition = TRANSITIONS[action]
    if action == "finalize" and state == APPRAISAL2:
        return APPRAISAL2_WINDOW
    return transition.window


def refusal(
    action: str,
    state: str,
    roles: frozenset[str] | set[str],
    *,
    own: bool = False,
    approved: bool = False,
    due: date | None = None,
    today: date | None = None,
) -> Message | None:
    """Why `action` cannot be taken now, or None: the one decision behind both the buttons a
    page offers and the refusal of the action itself.

    `roles`: what the person holds towards the assessment; `own`: the assessment is the
    department's own (its unit runs the round), which a leader approves before it is
    appraised; `approved`: a leader has approved it; `due`: the deadline in force for the
    action's window (an officer's extension included), checked against `today`.
    What the person can put right on the page (evidence missing before a submission) is not
    decided here: the button stays, and the action says what to fix."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        return Message(N_("unknown action “%(action)s”"), {"action": action})
    if not roles & transition.roles:
        return Message(N_("you may not %(action)s"), {"action": Message(ACTION_LABELS[action])})
    if state not in transition.sources:
        return Message(
            N_("cannot %(action)s: the assessment is %(state)s"),
            {"action": Message(ACTION_LABELS[action]), "state": Message(STATE_LABELS[state])},
        )
    if action == "approve" and not own:
        return Message(N_("only the department's own self-assessment needs a leader's approval"))
    if action == "approve" and approved:
        return Message(N_("the department's self-assessment is already approved"))
    if action == "start_appraisal" and own and not approved:
        return Message(N_("a leader must approve the department's self-assessment first"))
    window = window_of(action, state)
    if window is not None and due is not None and today is not None and today > due:
        return late(window, due)
    return None


def late(window: str, due: date) -> Message:
    """The refusal of an action whose deadline has passed, with the way out."""
    return Message(
        N_("the %(window)s deadline passed on %(due)s; ask the CCHC officer for an extension"),
        {"window": Message(WINDOW_LABELS[window]), "due": due.strftime("%d/%m/%Y")},
    )


def reopen_refusal(state: str, target: str, roles: frozenset[str] | set[str]) -> Message | None:
    if OFFICER not in roles:
        return Message(N_("you may not %(action)s"), {"action": Message(ACTION_LABELS["reopen"])})
    if target not in REOPEN_TARGETS.get(state, ()):
        return Message(
            N_("an assessment that is %(state)s cannot be reopened as %(target)s"),
            {"state": Message(STATE_LABELS[state]), "target": Message(STATE_LABELS[target])},
        )
    return None


def available_actions(
    state: str,
    roles: frozenset[str] | set[str],
    *,
    own: bool = False,
    approved: bool = False,
    due: dict[str, date] | None = None,
    today: date | None = None,
) -> list[str]:
    """The actions `refusal` allows now (`due`: the deadline in force for each window)."""
    due = due or {}
    return [
        action
        for action in TRANSITIONS
        if refusal(
            action,
            state,
            roles,
            own=own,
            approved=approved,
            due=due.get(window_of(action, state)),
            today=today,
        )
        is None
    ]


# What each role may edit, by state: the self-assessment in draft, appraisal scores in the
# appraisal rounds, explanations while they are requested.
EDITABLE = {
    (STAFF, DRAFT): "self",
    (STAFF, EXPLANATION): "answer",
    (APPRAISER, APPRAISAL1): "appraisal",
    (APPRAISER, APPRAISAL2): "appraisal2",
}


def editable_part(state: str, roles: frozenset[str] | set[str]) -> str | None:
    for role in sorted(roles):
        part = EDITABLE.get((role, state))
        if part:
            return part
    return None


# --- who may write which number: the one table behind the one gate (assessments.scores) ------

# Kinds of key a score entry can have.
CRITERION = "criterion"  # the points of a criterion that is not a survey criterion
INPUT = "input"  # a named input read by such a criterion (dossiers.received …)
SURVEY = "survey"  # the points of a survey criterion, or an input only survey criteria read
ADJUSTMENT = "adjustment"  # BONUS and PENALTY
KEY_KINDS = (CRITERION, INPUT, SURVEY, ADJUSTMENT)

KEY_KIND_LABELS = {
    CRITERION: N_("criterion points"),
    INPUT: N_("input figures"),
    SURVEY: N_("survey points"),
    ADJUSTMENT: N_("bonus and penalty"),
}

STAGE_LABELS = {
    scoring.SELF: N_("self-assessment"),
    scoring.APPRAISAL: N_("appraisal"),
    scoring.APPRAISAL2: N_("appraisal, round 2"),
    scoring.FINAL: N_("final"),
}

_OPEN = (DRAFT, SUBMITTED, APPRAISAL1, EXPLANATION, APPRAISAL2, FINAL)


def _table() -> dict[tuple[str, str, str], tuple[str, ...]]:
    table: dict[tuple[str, str, str], tuple[str, ...]] = {}
    for kind in (CRITERION, INPUT):
        table[(STAFF, DRAFT, kind)] = (scoring.SELF,)
        table[(APPRAISER, APPRAISAL1, kind)] = (scoring.APPRAISAL,)
        table[(APPRAISER, APPRAISAL2, kind)] = (scoring.APPRAISAL2,)
    for state in _OPEN:
        for kind in (SURVEY, ADJUSTMENT):
            table[(OFFICER, state, kind)] = (scoring.FINAL,)
    # The operator's file import names its stage; survey figures are never self-scored. A
    # published assessment is absent from every row: nobody writes it, whatever the path.
    for state in (*_OPEN, RECORDED):
        for kind in KEY_KINDS:
            stages = scoring.STAGES
            table[(SYSTEM, state, kind)] = stages if kind != SURVEY else stages[1:]
    return table


# (role, assessment state, kind of key) → the stages that role may write then. Absent: no.
WRITABLE: dict[tuple[str, str, str], tuple[str, ...]] = _table()

# Stages at which a person who lowers a criterion's points must say why (the appraisal
# explains every point a unit loses; the unit's remediation plan starts from these reasons).
LOWERING_NEEDS_A_REASON = frozenset({scoring.APPRAISAL, scoring.APPRAISAL2})


def writable_stages(roles: frozenset[str] | set[str], state: str, kind: str) -> tuple[str, ...]:
    """Every stage someone holding `roles` may write for a key of `kind` in `state`."""
    stages: list[str] = []
    for role in sorted(roles):
        for stage in WRITABLE.get((role, state, kind), ()):
            if stage not in stages:
                stages.append(stage)
    return tuple(sorted(stages, key=scoring.STAGES.index))


def write_refusal(
    roles: frozenset[str] | set[str], state: str, kind: str, stage: str | None
) -> tuple[str | None, Message | None]:
    """The stage a write goes to (the one asked for, or the only one allowed), or why not."""
    allowed = writable_stages(roles, state, kind)
    if state == PUBLISHED:
        return None, Message(N_("the results are published and can no longer change"))
    if not allowed and kind in (SURVEY, ADJUSTMENT) and not {OFFICER, SYSTEM} & set(roles):
        return None, Message(N_("only the CCHC officer enters survey points, bonus and penalty"))
    if not allowed:
        return None, Message(
            N_("you may not enter %(kind)s at this step (%(state)s)"),
            {"kind": Message(KEY_KIND_LABELS[kind]), "state": Message(STATE_LABELS[state])},
        )
    if stage is None:
        return allowed[-1], None
    if stage not in allowed:
        return None, Message(
            N_(
                "%(kind)s cannot be entered at the %(stage)s stage while the assessment is "
                "%(state)s"
            ),
            {
                "kind": Message(KEY_KIND_LABELS[kind]),
                "stage": Message(STAGE_LABELS.get(stage, stage)),
                "state": Message(STATE_LABELS[state]),
            },
        )
    return stage, None
