from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parindex.assessments.analysis import AnalysisError, loss_json, loss_report, published
from parindex.commands import (
    NEED,
    ParindexCommand,
    emit_json,
    get_framework_or_refuse,
    get_unit_or_refuse,
    positive_number,
    rank_text,
    table,
)
from parindex.domain import losses
from parindex.domain.numbers import format_number
from parindex.messages import render


class Command(ParindexCommand):
    help = gettext_lazy(
        "Where a unit lost points in its published results: each criterion below its maximum "
        "with the points lost, the stage that lost them, the appraiser's reason, last year's "
        "score, its area's rank and the peers' best; sorted by the points recoverable, with "
        "the rank each recovery alone would give. With --target-rank, the fewest recoveries "
        "that reach that rank."
    )
    summary = gettext_lazy("Where a unit lost points, and what would climb the ranking")
    database_use = NEED

    def add_arguments(self, parser):
        self.add_framework(parser)
        parser.add_argument(
            "--unit", required=True, metavar=_("CODE"), help=_("the unit, by its code")
        )
        parser.add_argument(
            "--target-rank",
            type=positive_number,
            metavar=_("RANK"),
            help=_("also the fewest criteria to recover in full to reach this rank (e.g. 5)"),
        )
        self.add_json(parser)

    def handle(self, *args, framework, unit, target_rank=None, json=False, **options):
        model = get_framework_or_refuse(framework)
        unit_model = get_unit_or_refuse(unit)
        try:
            data = published(model, unit_model)
        except AnalysisError as exc:
            raise CommandError(render(exc.message)) from None
        report = loss_report(data, target_rank)
        if json:
            emit_json(self, loss_json(report))
            return
        self.stdout.write(self.text(report))

    def text(self, report: losses.LossReport) -> str:
        result, score = report.result, report.score
        lines = [
            f"{result.unit.code} — {result.unit.name}",
            _("Total: %(total)s / %(max)s, rank %(rank)s")
            % {
                "total": format_number(score.total),
                "max": format_number(score.max),
                "rank": rank_text(result.place),
            },
            _(
                "Points lost: %(lost)s (bonus %(bonus)s, penalty %(penalty)s): "
                "%(max)s − %(lost)s + %(bonus)s − %(penalty)s = %(total)s"
            )
            % {
                "lost": format_number(report.shown_lost),
                "bonus": format_number(score.bonus),
                "penalty": format_number(score.penalty),
                "max": format_number(score.max),
                "total": format_number(score.total),
            },
        ]
        if not report.items:
            lines.append(_("No criterion lost points."))
        else:
            headers = [
                _("Code"),
                _("Criterion"),
                _("Points"),
                _("Max"),
                _("Lost"),
                _("Recoverable"),
                _("Lost at"),
                _("Last year"),
                _("Area rank"),
                _("Peers' best"),
                _("Rank if recovered"),
            ]
            rows = []
            for item in report.items:
                title = item.title if len(item.title) <= 48 else item.title[:47] + "…"
                if item.kind == losses.CAP_ITEM:
                    title = _("%(title)s (the area's cap)") % {"title": title}
                if item.data_fix:
                    title += " *"
                rows.append(
                    [
                        item.code,
                        title,
                        format_number(item.score),
                        format_number(item.max),
                        format_number(item.shown_lost),
                        format_number(item.recoverable),
                        _(losses.LOST_BY_LABELS[item.lost_by]),
                        format_number(item.previous_score)
                        if item.previous_score is not None
                        else "—",
                        rank_text(item.area_place),
                        format_number(item.peers_best) if item.peers_best is not None else "—",
                        rank_text(item.rank_if_recovered),
                    ]
                )
            lines += ["", table(headers, rows, {2, 3, 4, 5, 7, 8, 9, 10})]
            if any(item.data_fix for item in report.items):
                lines.append(
                    _(
                        "* computed from register figures: a register that records everything "
                        "done (e.g. every dossier sent by post) may recover it without new work."
                    )
                )
            reasons = [item for item in report.items if item.reason]
            if reasons:
                lines += ["", _("The appraisers' reasons:")]
                lines += [f"  {item.code}: {item.reason}" for item in reasons]
        target = report.target
        if target is not None:
            lines.append("")
            if not target.codes and target.reached:
                lines.append(
                    _("Already ranked %(rank)s: within the top %(target)s.")
                    % {"rank": rank_text(target.place), "target": target.rank}
                )
            elif target.reached:
                lines.append(
                    _(
                        "To rank %(target)s or better: recover %(codes)s in full "
                        "(+%(gain)s points, total %(total)s, rank %(rank)s)."
                    )
                    % {
                        "target": target.rank,
                        "codes": ", ".join(target.codes),
                        "gain": format_number(target.gain),
                        "total": format_number(target.total),
                        "rank": rank_text(target.place),
                    }
                )
            else:
                lines.append(
                    _(
                        "Rank %(target)s cannot be reached by recovering lost points alone: "
                        "recovering all of them gives rank %(rank)s (total %(total)s)."
                    )
                    % {
                        "target": target.rank,
                        "rank": rank_text(target.place),
                        "total": format_number(target.total),
                    }
                )
        return "\n".join(lines)
