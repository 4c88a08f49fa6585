from dataclasses import replace

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parindex.assessments.models import ScoreEntry, UnitAssessment
from parindex.assessments.results import change_view, framework_results
from parindex.commands import (
    NEED,
    ParindexCommand,
    emit_json,
    get_framework_or_refuse,
    rank_text,
    table,
)
from parindex.domain import workflow
from parindex.domain.numbers import format_number, format_percent
from parindex.domain.scoring import Results, UnitResult, results_to_json
from parindex.frameworks.models import Framework
from parindex.units.models import PeerGroup, Unit


def _has_published(framework: Framework) -> bool:
    """Whether `results` shows something for the framework: entries of units whose
    assessment is published, or recorded outside any round (as the results module shows)."""
    unpublished = (
        UnitAssessment.objects.filter(framework=framework)
        .exclude(state=workflow.PUBLISHED)
        .values("unit_id")
    )
    return ScoreEntry.objects.filter(framework=framework).exclude(unit_id__in=unpublished).exists()


def _change(change) -> str:
    """The change against last year as the dashboard writes it (`results.change_view`):
    points when the maximum is the same, else percentage points with the points beside."""
    view = change_view(change)
    if view is None:
        return "—"
    return f"{view.main} ({view.detail})" if view.detail else view.main


def _previous_score(node) -> str:
    if node.previous is None:
        return "—"
    if node.previous.max != node.max:  # the area changed size: show what it was out of
        return f"{format_number(node.previous.score)}/{format_number(node.previous.max)}"
    return format_number(node.previous.score)


class Command(ParindexCommand):
    help = gettext_lazy(
        "Published results: totals, index %, band, ranks in the peer group, last year."
    )
    summary = gettext_lazy("Published results: ranking, index, band, change against last year")
    database_use = NEED

    def add_arguments(self, parser):
        self.add_framework(parser)
        parser.add_argument(
            "--unit",
            metavar=_("CODE"),
            help=_("Only this unit, with its areas in detail."),
        )
        self.add_json(parser)

    def handle(self, *args, framework, unit=None, json=False, **options):
        model = get_framework_or_refuse(framework)
        results = framework_results(model)
        if unit is not None:
            # The results may be shared (cached): filter a copy.
            results = replace(results, units=[r for r in results.units if r.unit.code == unit])
            if not results.units:
                if not Unit.objects.filter(code=unit).exists():
                    raise CommandError(_("there is no unit “%(unit)s”") % {"unit": unit})
                pending = UnitAssessment.objects.filter(framework=model, unit__code=unit).first()
                if pending is not None and pending.state != workflow.PUBLISHED:
                    # Only published results leave the system; a draft is not "no scores".
                    raise CommandError(
                        _("the results of %(unit)s in %(code)s are not published yet (%(state)s)")
                        % {
                            "unit": unit,
                            "code": framework,
                            "state": _(workflow.STATE_LABELS[pending.state]),
                        }
                    )
                raise CommandError(
                    _("unit “%(unit)s” has no scores in %(code)s")
                    % {"unit": unit, "code": framework}
                )
        for result in results.units:
            if result.score.unscored:
                self.stderr.write(
                    _(
                        "warning: %(unit)s has no score yet for %(count)s criteria "
                        "(counted as 0): %(codes)s"
                    )
                    % {
                        "unit": result.unit.code,
                        "count": len(result.score.unscored),
                        "codes": ", ".join(result.score.unscored[:12])
                        + (" …" if len(result.score.unscored) > 12 else ""),
                    }
                )
        if json:
            emit_json(self, results_to_json(results))
        elif unit is not None:
            self.stdout.write(self.unit_detail(results, results.units[0]))
        else:
            self.stdout.write(self.overview(results))

    def overview(self, results: Results) -> str:
        framework = results.framework
        if not results.units:
            return self.nothing_published(framework.code)
        names = dict(PeerGroup.objects.values_list("code", "name"))
        lines = [
            _("PAR Index results — %(title)s (%(code)s, %(year)s)")
            % {"title": framework.title, "code": framework.code, "year": framework.year}
        ]
        areas = [node.code for node in framework.nodes]
        headers = [
            _("Rank"),
            _("Unit"),
            *areas,
            _("Bonus"),
            _("Penalty"),
            _("Total"),
            _("Index"),
            _("Band"),
        ]
        if results.previous_framework is not None:
            headers += [_("Last year"), _("Last rank"), _("Change")]
        right = set(range(len(headers))) - {1, len(areas) + 6}
        groups: dict[str | None, list[UnitResult]] = {}
        for result in results.units:
            groups.setdefault(result.unit.group, []).append(result)
        for group, members in groups.items():
            lines.append("")
            lines.append(
                _("Peer group: %(group)s") % {"group": names.get(group, group)}
                if group
                else _("Not in a peer group (not ranked)")
            )
            rows = []
            for r in members:
                s = r.score
                row = [
                    rank_text(r.place),
                    f"{r.unit.code} {r.unit.name}",
                    *(format_number(n.score) for n in r.nodes),
                    format_number(s.bonus),
                    format_number(s.penalty),
                    format_number(s.total),
                    format_percent(s.index_pct),
                    s.band or "—",
                ]
                if results.previous_framework is not None:
                    p = r.previous
                    row += [
                        format_number(p.total) if p else "—",
                        rank_text(p.place) if p else "—",
                        _change(r.change),
                    ]
                rows.append(row)
            lines.append(table(headers, rows, right))
        lines.append("")
        lines.append(_("“=” marks a shared rank (competition ranking: 1, 2, 2, 4)."))
        return "\n".join(lines)

    @staticmethod
    def nothing_published(code: str) -> str:
        """Why the ranking is empty, and which frameworks do have results to show."""
        frameworks = list(Framework.objects.order_by("-year", "code"))
        lines = [
            _(
                "No published results for %(code)s yet: a unit's results are shown once "
                "its assessment is published, or once imported with “parindex scores "
                "import”."
            )
            % {"code": code},
            _("Frameworks in the database: %(codes)s")
            % {"codes": ", ".join(f"{f.code} ({f.get_status_display()})" for f in frameworks)},
        ]
        published = [f.code for f in frameworks if f.code != code and _has_published(f)]
        if published:
            lines.append(
                _("Published results: %(codes)s (parindex results --framework %(code)s)")
                % {"codes": ", ".join(published), "code": published[0]}
            )
        return "\n".join(lines)

    def unit_detail(self, results: Results, r: UnitResult) -> str:
        s = r.score
        framework = results.framework
        lines = [
            f"{r.unit.code} — {r.unit.name}",
            _("Framework: %(title)s (%(code)s)")
            % {"title": framework.title, "code": framework.code},
            _("Total: %(total)s / %(max)s points (bonus %(bonus)s, penalty %(penalty)s)")
            % {
                "total": format_number(s.total),
                "max": format_number(s.max),
                "bonus": format_number(s.bonus),
                "penalty": format_number(s.penalty),
            },
            _("Index: %(index)s — band: %(band)s — rank: %(rank)s")
            % {
                "index": format_percent(s.index_pct),
                "band": s.band or "—",
                "rank": rank_text(r.place),
            },
        ]
        if r.previous is not None:
            lines.append(
                _("Last year (%(code)s): %(total)s, rank %(rank)s, change %(delta)s")
                % {
                    "code": r.previous.framework,
                    "total": format_number(r.previous.total),
                    "rank": rank_text(r.previous.place),
                    "delta": _change(r.change),
                }
            )
        headers = [_("Code"), _("Area"), _("Points"), _("Max"), "%", _("Rank")]
        if results.previous_framework is not None:
            headers += [_("Last year"), _("Change")]
        rows = []
        for n in r.nodes:
            pct = n.score * 100 / n.max if n.max else None
            row = [
                n.code,
                n.title,
                format_number(n.score),
                format_number(n.max),
                format_percent(pct),
                rank_text(n.place),
            ]
            if results.previous_framework is not None:
                row += [
                    _previous_score(n),
                    _change(n.change),
                ]
            rows.append(row)
        lines += ["", table(headers, rows, {2, 3, 4, 5, 6, 7})]
        return "\n".join(lines)
