import argparse

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parindex.assessments.analysis import (
    AnalysisError,
    published,
    read_settings,
    run_what_if,
    what_if_json,
)
from parindex.assessments.results import change_view
from parindex.commands import (
    NEED,
    ParindexCommand,
    emit_json,
    get_framework_or_refuse,
    get_unit_or_refuse,
    rank_text,
    table,
)
from parindex.domain.comparison import signed
from parindex.domain.framework import BONUS, PENALTY
from parindex.domain.numbers import format_number, format_percent
from parindex.domain.whatif import WhatIf
from parindex.messages import render


def setting(text: str) -> tuple[str, str]:
    """An argparse type: KEY=VALUE."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip() or not value.strip():
        raise argparse.ArgumentTypeError(
            _("“%(value)s” is not KEY=VALUE (e.g. 5.5=1 or dossiers.postal_share=12%%)")
            % {"value": text}
        )
    return key.strip(), value.strip()


class Command(ParindexCommand):
    help = gettext_lazy(
        "A unit's published result recomputed with some criteria's points or some inputs "
        "changed: the new total, index %, band, rank among the peers and per-area ranks, "
        "against the published ones. Nothing stored changes."
    )
    summary = gettext_lazy("A published result recomputed with points or inputs changed")
    database_use = NEED

    def add_arguments(self, parser):
        self.add_framework(parser)
        parser.add_argument(
            "--unit", required=True, metavar=_("CODE"), help=_("the unit, by its code")
        )
        parser.add_argument(
            "--set",
            dest="assignments",
            action="append",
            type=setting,
            default=[],
            metavar=_("KEY=VALUE"),
            help=_(
                "a criterion's points (5.5=1, BONUS=1, PENALTY=0) or a named input's value "
                "(dossiers.postal_share=12%%, plan.tasks_done=19); repeat for several"
            ),
        )
        self.add_json(parser)

    def handle(self, *args, framework, unit, assignments, json=False, **options):
        model = get_framework_or_refuse(framework)
        unit_model = get_unit_or_refuse(unit)
        try:
            data = published(model, unit_model)
        except AnalysisError as exc:
            raise CommandError(render(exc.message)) from None
        domain = data.results.framework
        nodes, inputs = domain.node_map(), domain.inputs()
        raw_points, raw_values = {}, {}
        for key, value in assignments:
            if key.upper() in (BONUS, PENALTY):
                raw_points[key.upper()] = value
            elif key in nodes or key not in inputs:
                raw_points[key] = value  # an unknown key is refused as a criterion
            else:
                raw_values[key] = value
        points, values, problems = read_settings(domain, raw_points, raw_values)
        if problems:
            raise CommandError(
                "; ".join(f"{key}: {render(message)}" for key, message in problems.items())
            )
        outcome = run_what_if(data, points, values)
        if json:
            emit_json(self, what_if_json(outcome))
            return
        self.stdout.write(self.text(outcome))

    def text(self, outcome: WhatIf) -> str:
        before, after = outcome.before, outcome.after
        b, a = before.score, after.score
        lines = [f"{after.unit.code} — {after.unit.name}"]
        if not outcome.points and not outcome.values:
            lines.append(_("Nothing set: the published result."))
        settings = [*outcome.points.items(), *outcome.values.items()]
        if settings:
            lines.append(
                _("Set: %(settings)s")
                % {"settings": ", ".join(f"{k}={format_number(v, 6)}" for k, v in settings)}
            )
        headers = ["", _("Published"), _("What if"), _("Change")]
        rows = [
            [
                _("Total"),
                format_number(b.total),
                format_number(a.total),
                signed(a.total - b.total),
            ],
            [_("Index"), format_percent(b.index_pct), format_percent(a.index_pct), ""],
            [_("Band"), b.band or "—", a.band or "—", ""],
            [_("Rank"), rank_text(before.place), rank_text(after.place), ""],
        ]
        for old, new in zip(before.nodes, after.nodes, strict=True):
            rows.append(
                [
                    f"{new.code} {new.title[:40]}",
                    f"{format_number(old.score)} ({rank_text(old.place)})",
                    f"{format_number(new.score)} ({rank_text(new.place)})",
                    signed(new.score - old.score),
                ]
            )
        lines += ["", table(headers, rows, {1, 2, 3})]
        if after.previous is not None:
            view = change_view(after.change)
            if view is not None:
                lines.append(
                    _("Against last year (%(code)s): %(change)s")
                    % {"code": after.previous.framework, "change": view.main}
                )
        return "\n".join(lines)
