"""The remediation plan (kế hoạch khắc phục) of one unit after its results: the rules, pure
(no Django).

    draft ──approve (leader)──► approved
      ▲                            │
      └──────reopen (officer, leader, with a reason)

A plan has one item per lost point. While the plan is a draft the CCHC officer writes its
*planning* (cause, solution, responsible and supporting units, deadline); once a leader has
approved it, the responsible unit reports *progress* (status, progress %, note, evidence of
completion), and so may the officer who follows it. Who writes which part in which state is one
table (`WRITABLE`), which the single write gate (`parindex.plans.services.update_item`) and
every page consult.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from parindex.domain.i18n import Message
from parindex.domain.i18n import gettext_noop as N_

DRAFT = "draft"
APPROVED = "approved"
STATES = (DRAFT, APPROVED)
STATE_LABELS = {DRAFT: N_("being drafted"), APPROVED: N_("approved")}

# Roles towards a plan or one of its items.
OFFICER = "officer"  # CCHC officer of the plan's unit (or above): drafts, follows
LEADER = "leader"  # approves, reopens; reads everything
RESPONSIBLE = "responsible"  # a person of the unit responsible for the item: reports progress
READER = "reader"  # a person of a supporting unit: reads the item

# The parts of an item, and the fields of each.
PLANNING = "planning"
PROGRESS = "progress"
FIELDS = {
    PLANNING: ("cause", "solution", "responsible", "supporting", "deadline"),
    PROGRESS: ("status", "progress", "progress_note", "evidence"),
}
PART_OF = {name: part for part, names in FIELDS.items() for name in names}

# Who writes which part of an item, by role and plan state.
WRITABLE: dict[tuple[str, str], frozenset[str]] = {
    (OFFICER, DRAFT): frozenset({PLANNING}),
    (OFFICER, APPROVED): frozenset({PROGRESS}),
    (RESPONSIBLE, APPROVED): frozenset({PROGRESS}),
}

# Item statuses.
TODO = "todo"
DOING = "doing"
DONE = "done"
STATUSES = (TODO, DOING, DONE)
STATUS_LABELS = {TODO: N_("not started"), DOING: N_("in progress"), DONE: N_("done")}


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    source: str
    target: str
    roles: frozenset[str]
    needs_reason: bool = False


TRANSITIONS = {
    "approve": Transition("approve", N_("Approve the plan"), DRAFT, APPROVED, frozenset({LEADER})),
    "reopen": Transition(
        "reopen",
        N_("Reopen for changes"),
        APPROVED,
        DRAFT,
        frozenset({OFFICER, LEADER}),
        needs_reason=True,
    ),
}


def writable_parts(roles, state: str) -> frozenset[str]:
    parts: set[str] = set()
    for role in roles:
        parts |= WRITABLE.get((role, state), frozenset())
    return frozenset(parts)


def write_refusal(roles, state: str, part: str) -> Message | None:
    """Why `roles` may not write `part` of an item of a plan in `state`, or None."""
    if part in writable_parts(roles, state):
        return None
    if part == PLANNING:
        if state == APPROVED:
            return Message(
                N_("the plan is approved: a leader or the officer reopens it to change the plan")
            )
        return Message(N_("only the CCHC officer writes the plan"))
    if state == DRAFT:
        return Message(N_("progress is reported once a leader has approved the plan"))
    return Message(N_("only the responsible unit and the CCHC officer report progress"))


def transition_refusal(action: str, state: str, roles) -> Message | None:
    step = TRANSITIONS.get(action)
    if step is None:
        return Message(N_("unknown action “%(action)s”"), {"action": action})
    if state != step.source:
        return Message(
            N_("the plan is %(state)s: it cannot be changed that way"),
            {"state": Message(STATE_LABELS[state])},
        )
    if not step.roles & set(roles):
        if action == "approve":
            return Message(N_("only a leader approves the plan"))
        return Message(N_("only a leader or the CCHC officer reopens the plan"))
    return None


@dataclass(frozen=True)
class ItemFacts:
    """What the approval and the progress rules look at in one item."""

    code: str
    solution: str
    responsible: bool
    deadline: date | None
    status: str = TODO
    progress: int = 0
    evidence: int = 0


def approval_problems(items: list[ItemFacts]) -> list[Message]:
    """What keeps a draft from being approved: a plan with no item, an item without a
    solution, a responsible unit or a deadline."""
    if not items:
        return [Message(N_("the plan has no item"))]
    problems = []
    for item in items:
        missing = [
            Message(label)
            for label, present in (
                (N_("a solution"), item.solution.strip()),
                (N_("a responsible unit"), item.responsible),
                (N_("a deadline"), item.deadline is not None),
            )
            if not present
        ]
        if missing:
            problems.append(
                Message(
                    N_("%(code)s needs %(missing)s"),
                    {"code": item.code, "missing": missing},
                )
            )
    return problems


def progress_problem(status: str, progress: int, evidence: int) -> Message | None:
    """A status and a progress that do not agree, or a "done" without evidence."""
    if status not in STATUSES:
        return Message(N_("unknown status “%(status)s”"), {"status": status})
    if not 0 <= progress <= 100:
        return Message(N_("progress is a whole percentage from 0 to 100"))
    if status == DONE and progress != 100:
        return Message(N_("an item marked done is complete: set its progress to 100"))
    if status == TODO and progress != 0:
        return Message(N_("an item not started has no progress yet: set it in progress"))
    if status == DONE and evidence == 0:
        return Message(N_("attach the evidence of completion before marking the item done"))
    return None


def is_overdue(deadline: date | None, status: str, today: date) -> bool:
    return deadline is not None and status != DONE and deadline < today


# Reminders: this many days before the deadline, on the day, and once when it has passed.
REMIND_BEFORE = (7, 1)
DUE = "due"
OVERDUE = "overdue"


def before(days: int) -> str:
    return f"before-{days}"


REMINDER_KINDS = (*(before(d) for d in REMIND_BEFORE), DUE, OVERDUE)


def reminder_kind(deadline: date | None, status: str, today: date) -> str | None:
    """The reminder an item is due today, or None: the most urgent that applies, so that a day
    the reminders did not run (the server was down) is caught up rather than skipped. Sent once
    per kind and deadline (the caller records what went out); a moved deadline starts over."""
    if deadline is None or status == DONE:
        return None
    left = (deadline - today).days
    if left < 0:
        return OVERDUE
    if left == 0:
        return DUE
    for days in sorted(REMIND_BEFORE):
        if left <= days:
            return before(days)
    return None


def completion(statuses: list[str]) -> tuple[int, int]:
    """(items done, items) of a plan."""
    return sum(1 for s in statuses if s == DONE), len(statuses)
