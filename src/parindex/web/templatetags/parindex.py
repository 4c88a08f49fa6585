"""Template filters: Vietnamese numbers, domain messages, workflow labels."""

from django import template
from django.utils.translation import gettext, gettext_lazy

from parindex.assessments.queries import percent
from parindex.domain import workflow
from parindex.domain.i18n import Message
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
    return render(node.effective_rule.describe(node.effective_max))


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
