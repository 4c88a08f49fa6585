"""Helpers shared by the management commands: problem lists, JSON output, tables."""

from __future__ import annotations

import json
import unicodedata

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from parindex.messages import render, render_problem
from parindex.tables import MAX_SHOWN, TableError, first_problems


class TranslatedCommand(BaseCommand):
    """A command whose `help` is a lazy translation: argparse needs it as a plain string."""

    def create_parser(self, prog_name, subcommand, **kwargs):
        self.help = str(self.help)
        return super().create_parser(prog_name, subcommand, **kwargs)


def emit_json(command, data) -> None:
    command.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))


def more_problems(count: int) -> str:
    """The line that stands for the problems left out of a list shown to a person."""
    return _("… and %(count)s more problem(s)") % {"count": count}


def refuse_problems(command, problems, summary: str) -> None:
    """Print the problems (at most MAX_SHOWN) to stderr, then stop with a non-zero exit code."""
    shown, more = first_problems(problems, MAX_SHOWN)
    for problem in shown:
        label = _("warning") if not problem.is_error else _("error")
        command.stderr.write(f"{label}: {render_problem(problem)}")
    if more:
        command.stderr.write(more_problems(more))
    raise CommandError(summary)


def describe_row_problem(problem) -> str:
    """“row 3, column “points”: reason” in the active language."""
    where = []
    if problem.row is not None:
        where.append(_("row %(row)s") % {"row": problem.row})
    if problem.column:
        where.append(_("column “%(column)s”") % {"column": problem.column})
    prefix = ", ".join(where)
    return f"{prefix}: {render(problem.message)}" if prefix else render(problem.message)


def table_error_lines(error: TableError, limit: int = MAX_SHOWN) -> list[str]:
    """A refused file's problems as lines for a person, in the active language: the first
    `limit` (“row 3, column “points”: reason”), then “… and N more problem(s)” if any."""
    shown, more = error.shown(limit)
    lines = [describe_row_problem(problem) for problem in shown]
    if more:
        lines.append(more_problems(more))
    return lines


def refuse_table(command, error: TableError) -> None:
    """Print the problems of a refused file (at most MAX_SHOWN), then stop (exit code 1)."""
    for line in table_error_lines(error):
        command.stderr.write(line)
    raise CommandError(
        _("nothing was imported: %(count)s problem(s)") % {"count": len(error.problems)}
    )


def _width(text: str) -> int:
    return sum(0 if unicodedata.combining(ch) else 1 for ch in unicodedata.normalize("NFC", text))


def table(headers: list[str], rows: list[list[str]], right: set[int] = frozenset()) -> str:
    widths = [max(_width(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]

    def line(cells):
        out = []
        for index, cell in enumerate(cells):
            pad = " " * (widths[index] - _width(str(cell)))
            out.append(pad + str(cell) if index in right else str(cell) + pad)
        return "  ".join(out).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(headers), rule, *(line(row) for row in rows)])
