"""Template filters: Vietnamese numbers, domain messages, workflow labels."""

import re
from decimal import Decimal, InvalidOperation

from django import template
from django.utils.translation import gettext, gettext_lazy

from parindex.assessments import queries
from parindex.assessments.queries import percent
from parindex.domain import plans, workflow
from parindex.domain.i18n import Message
from parindex.domain.i18n import gettext_noop as N_
from parindex.domain.numbers import format_number, format_percent
from parindex.messages import render
from parindex.units.people import full_name

register = template.Library()


@register.filter
def vn(value, places=3):
    """92,125 — 3.105 — "" for nothing (None, or a missing attribute in a template)."""
    return "" if value is None or value == "" else format_number(value, int(places))


@register.filter
def person(user):
    """A person's full name in the Vietnamese order ("Nguyễn Thị Hoa"), else the user name."""
    return full_name(user)


@register.filter
def pct(score):
    return format_percent(percent(score))


@register.filter
def msg(message):
    return render(message) if isinstance(message, Message) else message


@register.filter
def state_label(state):
    return gettext(workflow.STATE_LABELS.get(state, state))


@register.filter
def action_label(action):
    return gettext(workflow.ACTION_LABELS.get(action, action))


@register.filter
def describe(node):
    return render(node.describe())  # the inputs named by their titles


@register.filter
def entry(row, stage):
    item = row.entries.get(stage)
    return item.points if item is not None else None


@register.filter
def entry_version(row, stage):
    item = row.entries.get(stage)
    return item.version if item is not None else ""


@register.filter
def note(row, kind):
    return row.notes.get(kind)


@register.filter
def passed(rule, node):
    return rule.passed(node.effective_max)


@register.filter
def node_pct(node):
    return format_percent(node.score * 100 / node.max) if node.max else ""


@register.filter
def node_delta(node):
    delta = node.score - node.previous.score
    text = format_number(delta)
    return "+" + text if delta > 0 else text


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def stage_label(stage):
    return gettext(workflow.STAGE_LABELS.get(stage, stage))


# What an audit row changed, in words (the audit trail stores the field's name).
FIELD_LABELS = {
    "points": gettext_lazy("points"),
    "value": gettext_lazy("figure"),
    "explanation": gettext_lazy("explanation"),
    "answer": gettext_lazy("answer to the appraisal"),
    "comment": gettext_lazy("appraisal comment"),
    "comment2": gettext_lazy("second appraisal comment"),
    "evidence": gettext_lazy("evidence"),
    "review": gettext_lazy("evidence review"),
}


@register.filter
def field_label(field):
    return FIELD_LABELS.get(field, field)


# --- the grid and the criterion page ----------------------------------------------------------

ATTENTION_LABELS = {
    queries.EMPTY: gettext_lazy("not scored yet"),
    queries.UNSUPPORTED: gettext_lazy("evidence or explanation needed"),
    queries.AWAITING: gettext_lazy("comment to answer"),
    queries.UNREVIEWED: gettext_lazy("evidence not reviewed"),
    queries.OVERRIDE: gettext_lazy("points typed over the computed score"),
}


@register.filter
def attention_label(reason):
    """Why a criterion needs attention, as its badge says it."""
    return ATTENTION_LABELS.get(reason, reason)


# The notes of a criterion in the order of the cycle, and what each is called.
NOTE_ORDER = ("explanation", "comment", "answer", "comment2")
NOTE_LABELS = {
    "explanation": gettext_lazy("Explanation"),
    "comment": gettext_lazy("Appraisal comment"),
    "answer": gettext_lazy("Answer to the appraisal"),
    "comment2": gettext_lazy("Second appraisal comment"),
}


@register.filter
def notes_in_order(row):
    return [(kind, row.notes[kind]) for kind in NOTE_ORDER if kind in row.notes]


@register.filter
def note_label(kind):
    return NOTE_LABELS.get(kind, kind)


@register.filter
def part_note(row, part):
    """The note the user writes in their part of the assessment (self: the explanation …)."""
    from parindex.assessments.criteria import PART_NOTE

    kind = PART_NOTE.get(part)
    return row.notes.get(kind) if kind else None


@register.filter
def shown_points(row, stage):
    """What a points field shows: the points typed and refused, else the stored ones."""
    if row.typed_points is not None:
        return row.typed_points
    return vn(entry(row, stage), 4)


@register.filter
def shown_reason(row, stage):
    """What the reason field shows: the reason sent with refused points, else the one stored
    with the points (the appraiser sees what the unit reads, and sends it back unchanged)."""
    if row.typed_points is not None:
        return row.typed_reason
    return row.reason(stage)


@register.filter
def stage_score(row, stage):
    """An area's subtotal after an appraisal round (None: nothing appraised at that round)."""
    score = row.stage_scores.get(stage)
    return score.score if score is not None else None


@register.filter
def band_for(row, appraises):
    """How a round overview row may show its band (`OverviewRow.band_shown`)."""
    return row.band_shown(bool(appraises))


@register.filter
def chosen_points(row, stage):
    """The option a list of points shows chosen: the one sent and refused, else the stored."""
    if row.typed_points is not None:
        try:
            return Decimal(row.typed_points)
        except (InvalidOperation, ValueError):
            return None
    return entry(row, stage)


@register.filter
def row_of(grid, code):
    return grid.row(code)


@register.filter
def window_label(window):
    return gettext(workflow.WINDOW_LABELS.get(window, window))


@register.filter
def input_title(framework, name):
    """A named input by its title ("Số hồ sơ tiếp nhận"), its name when it has none."""
    return framework.input_title(name)


# A deadline extension's step note, as `actions.extend_deadline` records it.
_EXTENSION = re.compile(r"^(?P<window>\w+) → (?P<until>\d\d/\d\d/\d{4}): (?P<reason>.*)$", re.S)


@register.filter
def step_note(event):
    """The note of a workflow step in words: an extension names its deadline, not its key
    ("self → 14/12/2026: …" reads "Hạn tự đánh giá đến 14/12/2026: …")."""
    found = _EXTENSION.match(event.note or "") if event.action == "extend" else None
    if found is None or found["window"] not in workflow.WINDOW_LABELS:
        return event.note
    return gettext("%(window)s deadline moved to %(until)s: %(reason)s") % {
        "window": window_label(found["window"]),
        "until": found["until"],
        "reason": found["reason"],
    }


# What an audit row changed, as the history says it: points and figures by the stage they
# were entered at, the texts by what they are.
AUDIT_LABELS = {
    ("points", "self"): gettext_lazy("Self-assessed points"),
    ("points", "appraisal"): gettext_lazy("Appraisal points"),
    ("points", "appraisal2"): gettext_lazy("Second appraisal points"),
    ("points", "final"): gettext_lazy("Points entered by the CCHC officer"),
    ("value", "self"): gettext_lazy("Self-assessed figure"),
    ("value", "appraisal"): gettext_lazy("Appraisal figure"),
    ("value", "appraisal2"): gettext_lazy("Second appraisal figure"),
    ("value", "final"): gettext_lazy("Figure entered by the CCHC officer"),
    ("evidence", ""): gettext_lazy("Evidence"),
    ("review", ""): gettext_lazy("Review of the evidence"),
}


@register.filter
def audit_label(audit):
    label = AUDIT_LABELS.get((audit.field, audit.stage or ""))
    if label is None:
        label = NOTE_LABELS.get(audit.field)
    if label is None:
        return FIELD_LABELS.get(audit.field, audit.field)
    return label


@register.filter
def review_label(text):
    """An evidence review as the audit trail keeps it ("insufficient thiếu dấu"), in words:
    its verdict only (the reason has its own column)."""
    from parindex.assessments.models import EvidenceLink

    verdict = (text or "").split(" ", 1)[0]
    labels = dict(EvidenceLink.Review.choices)
    return labels.get(verdict, verdict) if verdict else labels[EvidenceLink.Review.PENDING]


@register.filter
def computed_text(row):
    """What an overridden criterion's figures give, in words ("1 of 2 points")."""
    from parindex.assessments.scores import computed_text as describe_computed

    return render(describe_computed(row.computed, row.node.effective_max))


@register.filter
def place(value):
    """A place as the pages write it (`dashboards.place_text`): "3/21", "3/21 (tied)"."""
    from parindex.web.dashboards import place_text

    return place_text(value)


@register.filter
def lost_by(value):
    """Who lost a criterion's points (`domain.losses`), in words."""
    from parindex.domain.losses import LOST_BY_LABELS

    return gettext(LOST_BY_LABELS.get(value, value))


# --- remediation plans ---------------------------------------------------------------------------

PLAN_FIELD_LABELS = {
    "cause": N_("cause"),
    "solution": N_("solution"),
    "responsible": N_("responsible unit"),
    "supporting": N_("supporting units"),
    "deadline": N_("deadline"),
    "status": N_("status"),
    "progress": N_("progress (%)"),
    "progress_note": N_("what was done"),
}


@register.filter
def plan_state(state):
    return gettext(plans.STATE_LABELS.get(state, state))


@register.filter
def plan_status(status):
    return gettext(plans.STATUS_LABELS.get(status, status))


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@register.filter
def plan_change(change):
    """One line of a plan's history, in the reader's language."""
    code = change.item.code if change.item_id else ""
    if change.field == "state":
        if change.new == plans.APPROVED:
            return gettext("approved the plan")
        if change.old == plans.APPROVED:
            return gettext("reopened the plan")
        return gettext("drafted the plan from the loss analysis")
    if change.field == "item":
        return gettext("added %(code)s (%(lost)s points lost)") % {
            "code": code,
            "lost": change.new,
        }
    if change.field == "evidence":
        return gettext("%(code)s: attached “%(title)s”") % {"code": code, "title": change.new}
    old, new = change.old, change.new
    if change.field == "status":
        old, new = plan_status(old) if old else "", plan_status(new)
    return gettext("%(code)s: %(field)s “%(old)s” → “%(new)s”") % {
        "code": code,
        "field": gettext(PLAN_FIELD_LABELS.get(change.field, change.field)),
        "old": _short(old) or "—",
        "new": _short(new) or "—",
    }


@register.filter
def changed_by(change):
    """Who made a change: the person's full name, else the name the terminal gave."""
    return full_name(change.user) if change.user_id else change.actor


@register.filter
def reminder_text(reminder):
    from parindex.plans.services import reminder_subject

    return reminder_subject(reminder.kind, reminder.item, reminder.deadline)


@register.filter
def translated(msgid):
    """A message id of the domain (N_), in the reader's language."""
    return gettext(msgid) if msgid else ""
