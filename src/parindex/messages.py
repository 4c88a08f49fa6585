"""Rendering of domain messages (`parindex.domain.i18n.Message`) in the active language."""

from django.utils.translation import gettext

from parindex.domain.i18n import Message
from parindex.domain.problems import Problem


def render(message: Message) -> str:
    return message.render(gettext)


def render_problem(problem: Problem) -> str:
    return f"{problem.path}: {render(problem.message)}" if problem.path else render(problem.message)
