"""Dashboards: one unit's published results against last year, its trend over the years and
its peer group's ranking; the ranking of a framework as a page and as an Excel workbook; and
`dashboards_for`, the dashboards a person may open (for the home page and the menu).

Only published figures are shown (results recorded outside a round count as published); the
round's CCHC officer may ask for the provisional ranking that adds the finalised units.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parindex.assessments import access as access_rules
from parindex.assessments.models import Round, ScoreEntry, UnitAssessment
from parindex.assessments.results import ChangeView, change_view
from parindex.documents.context import ANNUAL_REPORT, REMEDIATION_PLAN, RESULTS_LETTER
from parindex.domain import workflow
from parindex.domain.comparison import ranked, signed, trend
from parindex.domain.numbers import quantize
from parindex.domain.scoring import Results, UnitResult
from parindex.units.models import PeerGroup, Unit

# --- the dashboards a person may open ----------------------------------------------------------


# The documents the dashboard offers, each as DOCX, PDF and in English.
DOCUMENT_LINKS = {
    RESULTS_LETTER: gettext_lazy("results letter"),
    REMEDIATION_PLAN: gettext_lazy("remediation plan"),
    ANNUAL_REPORT: gettext_lazy("annual report"),
}


@dataclass(frozen=True)
class DashboardLink:
    """One dashboard a person may open: a unit's results in the newest framework that has
    published results for it. `ranking`: the person leads the unit or is its CCHC officer
    (a membership of the unit itself), so the peer group's ranking is offered too."""

    unit_code: str
    unit_name: str
    framework_code: str
    year: int
    group: str | None  # the unit's peer group (its code)
    own: bool  # a unit the person is a member of (not only one under it)
    ranking: bool

    @property
    def url(self) -> str:
        return reverse("web:dashboard", args=[self.framework_code, self.unit_code])

    @property
    def label(self) -> str:
        """The menu's short name of the dashboard: "2022 — Sở Y tế" (after "Kết quả")."""
        return f"{self.year} — {self.unit_name}"

    @property
    def ranking_url(self) -> str | None:
        """The peer group's ranking page, for leaders and officers of the unit."""
        if not self.ranking or not self.group:
            return None
        return _with_query(reverse("web:ranking", args=[self.framework_code]), group=self.group)


def dashboards_for(user, *, memberships=None, parents=None) -> list[DashboardLink]:
    """The dashboards `user` may open that have something to show, for the home page and the
    menu: for every unit they hold a role in (their own units; for leaders and officers also
    the units under them), the newest framework with published results for the unit (or
    results recorded outside a round). The units they are members of come first, then the
    newest years, then by unit code. `memberships` (`access.memberships_of`) and `parents`
    (`access.tree_for`): pass them if already read. Two or three queries in all."""
    if not user.is_authenticated:
        return []
    if memberships is None:
        memberships = access_rules.memberships_of(user)
    if parents is None:
        parents = access_rules.tree_for(user, memberships)
    units = access_rules.units_with_roles(user, memberships, parents)
    if not units:
        return []
    unpublished = UnitAssessment.objects.filter(
        unit_id=OuterRef("unit_id"), framework_id=OuterRef("framework_id")
    ).exclude(state=workflow.PUBLISHED)
    pairs = (
        ScoreEntry.objects.filter(unit_id__in=units)
        .exclude(Exists(unpublished))
        .values_list(
            "unit_id",
            "unit__code",
            "unit__name",
            "unit__group__code",
            "framework__code",
            "framework__year",
        )
        .distinct()
    )
    newest: dict[int, tuple] = {}
    for unit_id, code, name, group, framework, year in pairs:
        known = newest.get(unit_id)
        if known is None or (year, framework) > (known[4], known[3]):
            newest[unit_id] = (code, name, group, framework, year)
    own = {unit for unit, _role in memberships}
    heads = {unit for unit, role in memberships if role in (workflow.LEADER, workflow.OFFICER)}
    links = [
        DashboardLink(
            code,
            name,
            framework,
            year,
            group,
            unit_id in own,
            user.is_superuser or unit_id in heads,
        )
        for unit_id, (code, name, group, framework, year) in newest.items()
    ]
    links.sort(key=lambda link: (not link.own, -link.year, link.unit_code))
    return links


def _with_query(url: str, **params) -> str:
    params = {key: value for key, value in params.items() if value not in (None, "", False)}
    return f"{url}?{urlencode(params)}" if params else url


# --- what the pages show -----------------------------------------------------------------------


@dataclass(frozen=True)
class AreaRow:
    code: str
    title: str
    score: object
    max: object
    pct: object  # Decimal or None
    place: object
    previous: object  # NodeScore or None: last year's counterpart
    previous_pct: object
    change: ChangeView | None

    @property
    def rank(self) -> str:
        return place_text(self.place)


@dataclass(frozen=True)
class PeerRow:
    result: UnitResult
    mine: bool
    provisional: bool
    change: ChangeView | None

    @property
    def ranked(self) -> bool:
        """A real rank: a group of one unit ranks nobody."""
        return ranked(self.result.place)


def peer_rows(results: Results, group: str, mine=()) -> list[PeerRow]:
    """The ranking of one peer group, best first (`results.units` is ordered by group, rank);
    the units in `mine` (codes) are highlighted."""
    return [
        PeerRow(
            r,
            r.unit.code in mine,
            r.unit.code in results.provisional,
            change_view(r.change),
        )
        for r in results.units
        if r.unit.group == group
    ]


def place_text(place) -> str:
    """A rank in words: "3/21", "17/21 (tied)" ("17/21 (đồng hạng)") — the "17=/21" of the
    printed tables is kept for the wide peer table only, where a note explains it; "—" when
    there is no real rank (no place, or a group of one unit)."""
    if not ranked(place):
        return "—"
    if place.tied:
        return _("%(rank)s/%(of)s (tied)") % {"rank": place.rank, "of": place.of}
    return f"{place.rank}/{place.of}"


def year_label(framework, other=None) -> str:
    """A framework as the charts and headings name it: its year — its code when another
    framework compared with it has the same year (a revised framework)."""
    if other is not None and other.year == framework.year and other.code != framework.code:
        return framework.code
    return str(framework.year)


def _trend_context(history: list[Results], unit_code: str, group: str | None) -> dict | None:
    points = trend(history, unit_code, group)
    if sum(1 for p in points if p.index_pct is not None) < 2:
        return None  # one year is not a trend
    by_code = {r.framework.code: r.framework for r in history}
    labels = [year_label(by_code[p.framework]) for p in points]
    if len(set(labels)) < len(labels):  # two frameworks of one year: name them by code
        labels = [p.framework for p in points]
    chart = {
        "labels": labels,
        "unit": [_number_or_none(p.index_pct) for p in points],
        "average": [_number_or_none(p.peer_average) for p in points],
        "unit_label": unit_code,
        "average_label": _("Peer group average") if group else "",
    }
    rows = []
    for label, point in zip(labels, points, strict=True):
        gap = None
        if point.index_pct is not None and point.peer_average is not None:
            gap = _("%(value)s pct points") % {
                "value": signed(point.index_pct - point.peer_average, 2)
            }
        rows.append(
            {
                "label": label,
                "point": point,
                "gap": gap,
                "ranked": ranked(point.place),
                "rank": place_text(point.place),
            }
        )
    return {"chart": chart, "rows": rows}


def _number_or_none(value):
    """A percentage for the charts: rounded half up like the tables (65,625 → 65,63)."""
    return None if value is None else float(quantize(value, 2))


# --- the dashboard -----------------------------------------------------------------------------


@login_required
def dashboard(request, framework, unit):
    """One unit's published results in a framework: against last year (in % of the maximum
    when the maximum changed), over all the years of the framework's chain against its peer
    group's average, and its peer group's ranking."""
    from parindex.assessments.results import results_history
    from parindex.frameworks.models import Framework

    model = get_object_or_404(Framework, code=framework)
    unit_ = get_object_or_404(
        Unit.objects.select_related("group", "parent__parent__parent"), code=unit
    )
    memberships = access_rules.memberships_of(request.user)
    if not access_rules.unit_roles(request.user, unit_, memberships):
        raise Http404
    own = (
        UnitAssessment.objects.filter(framework=model, unit=unit_)
        .select_related("round__owner__parent__parent")
        .first()
    )
    # The round's officer, while finalised units wait for publication, may look ahead.
    may_preview = (
        own is not None
        and workflow.OFFICER in access_rules.unit_roles(request.user, own.round.owner, memberships)
        and own.round.assessments.filter(state=workflow.FINAL).exists()
    )
    provisional = may_preview and request.GET.get("provisional") == "1"
    history = results_history(model, provisional=own.round if provisional else None)
    results = history[0]
    # The trend shows published results only, also beside a provisional ranking.
    published = results_history(model) if provisional else history
    mine = next((r for r in results.units if r.unit.code == unit_.code), None)
    group = mine.unit.group if mine is not None else (unit_.group.code if unit_.group else None)
    context = {
        "framework": model,
        "unit": unit_,
        "result": mine,
        "own": own,
        "may_preview": may_preview,
        "provisional": provisional,
        "year": year_label(model),
        "trend": _trend_context(published, unit_.code, group),
        "group": unit_.group,
        "years": [
            (year_label(r.framework), r.framework.code)
            for r in reversed(published)
            if any(u.unit.code == unit_.code for u in r.units)
        ],
    }
    if mine is None:
        return render(request, "web/dashboard.html", context)
    previous_framework = results.previous_framework
    # Last year is compared only where the unit has a result that year: a first published
    # year shows no empty "2022" series, change column or note on changed maxima.
    compared = previous_framework is not None and mine.previous is not None
    previous_year = year_label(previous_framework, model) if compared else ""
    areas = [
        AreaRow(
            n.code,
            n.title,
            n.score,
            n.max,
            n.score * 100 / n.max if n.max else None,
            n.place,
            n.previous,
            n.previous.score * 100 / n.previous.max if n.previous and n.previous.max else None,
            change_view(n.change),
        )
        for n in mine.nodes
    ]
    peers = peer_rows(results, group, {unit_.code}) if group else []
    lost = []
    for leaf in results.framework.leaves():
        node = mine.score.nodes[leaf.code]
        if node.applicable and node.max - node.score > 0:
            lost.append((node.max - node.score, leaf, node))
    lost.sort(key=lambda item: (-item[0], item[1].code))
    chart = {
        "labels": [n.code for n in mine.nodes],
        "titles": [n.title for n in mine.nodes],
        "current": [_number_or_none(a.pct) for a in areas],
        "previous": [_number_or_none(a.previous_pct) for a in areas],
        "current_label": year_label(model, previous_framework),
        "previous_label": previous_year,
    }
    ranking_url = reverse("web:ranking", args=[model.code])
    sheet_url = reverse("web:ranking_sheet", args=[model.code])
    query = {"group": group, "provisional": "1" if provisional else None}
    context.update(
        {
            "results": results,
            "previous_year": previous_year,
            "no_previous_year": year_label(previous_framework, model)
            if previous_framework is not None and not compared
            else "",
            "areas": areas,
            "total_change": change_view(mine.change),
            "ranked": ranked(mine.place),
            "rank": place_text(mine.place),
            "last_rank": place_text(mine.previous.place) if mine.previous else "—",
            "peers": peers,
            "alone": len(peers) == 1,
            "lost": lost[:10],
            "documents": [
                (kind, DOCUMENT_LINKS[kind])
                for kind in (RESULTS_LETTER, REMEDIATION_PLAN, ANNUAL_REPORT)
            ],
            "chart": chart,
            "provisional_units": results.provisional,
            "year": year_label(model, previous_framework),
            "ranking_url": _with_query(ranking_url, **query) if group else None,
            "sheet_url": _with_query(sheet_url, **query) if group else None,
        }
    )
    return render(request, "web/dashboard.html", context)


# --- the ranking of a framework: page and workbook ----------------------------------------------


@dataclass
class Ranking:
    """What the ranking page and the workbook show: the results (published, or the
    provisional ranking of `round`), and the peer groups the person may see."""

    framework: object  # the Framework model
    results: Results
    groups: list[tuple[str, str]]  # (code, name), in order
    round: Round | None  # the round whose finalised units are added (provisional)
    may_preview: Round | None  # a round whose provisional ranking the person may ask for
    mine: set[str]  # the codes of the units the person is a member of (highlighted)


def _ranking(request, framework: str) -> Ranking:
    """The peer groups the person may see: the groups of the units they hold a role in
    (the same rule as the peer table of a dashboard); `?group=` narrows to one.
    `?provisional=1` (the officer of a round of this framework whose finalised units wait
    for publication; `&round=` picks the round) adds those units."""
    from parindex.assessments.results import framework_results
    from parindex.frameworks.models import Framework

    model = get_object_or_404(Framework, code=framework)
    user = request.user
    memberships = access_rules.memberships_of(user)
    parents = access_rules.tree_for(user, memberships)
    groups = PeerGroup.objects.order_by("code")
    if not user.is_superuser:
        units = access_rules.units_with_roles(user, memberships, parents)
        groups = groups.filter(units__id__in=units).distinct()
    wanted = request.GET.get("group")
    if wanted:
        groups = groups.filter(code=wanted)
    groups = list(groups.values_list("code", "name"))
    if not groups:
        raise Http404
    preview = _preview_round(user, model, memberships, parents, request.GET.get("round"))
    chosen = preview if preview is not None and request.GET.get("provisional") == "1" else None
    if request.GET.get("provisional") == "1" and chosen is None:
        raise Http404  # only the round's officer sees a provisional ranking
    results = framework_results(model, provisional=chosen)
    own = {unit for unit, _role in memberships}
    mine = set(Unit.objects.filter(id__in=own).values_list("code", flat=True)) if own else set()
    return Ranking(model, results, groups, chosen, preview, mine)


def _preview_round(user, model, memberships, parents, round_id) -> Round | None:
    """A round of this framework with finalised units waiting, run by a department the user
    is the CCHC officer of (the newest; `round_id` picks one)."""
    officer = user.is_superuser or any(role == workflow.OFFICER for _u, role in memberships)
    if not officer:
        return None  # no query for those who could never see one
    rounds = (
        Round.objects.filter(framework=model, assessments__state=workflow.FINAL)
        .distinct()
        .order_by("-created_at", "-pk")
    )
    if round_id:
        if not str(round_id).isdigit():
            raise Http404
        rounds = rounds.filter(pk=int(round_id))
    for round_ in rounds:
        roles = access_rules.tree_roles(user, round_.owner_id, memberships, parents)
        if workflow.OFFICER in roles:
            return round_
    return None


@login_required
def ranking(request, framework):
    """A framework's ranking, one table per peer group the person may see."""
    data = _ranking(request, framework)
    results = data.results
    previous = results.previous_framework
    query = {
        "group": request.GET.get("group"),
        "provisional": "1" if data.round else None,
        "round": data.round.pk if data.round else None,
    }
    sections = []
    for code, name in data.groups:
        rows = peer_rows(results, code, data.mine)
        if rows:
            sections.append({"code": code, "name": name, "rows": rows, "alone": len(rows) == 1})
    return render(
        request,
        "web/ranking.html",
        {
            "framework": data.framework,
            "results": results,
            "sections": sections,
            "areas": results.framework.nodes,
            "provisional": data.round is not None,
            "may_preview": data.may_preview,
            "previous_year": year_label(previous, data.framework) if previous else "",
            "sheet_url": _with_query(
                reverse("web:ranking_sheet", args=[data.framework.code]), **query
            ),
            "provisional_units": results.provisional,
        },
    )


@login_required
def ranking_sheet(request, framework):
    """The same ranking as an Excel workbook, one sheet per peer group."""
    from parindex.assessments.ranking_sheet import ranking_workbook, sheet_filename

    data = _ranking(request, framework)
    content = ranking_workbook(
        data.results,
        data.groups,
        title=data.framework.title,
        provisional=data.round is not None,
        today=timezone.localdate(),
    )
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = sheet_filename(data.results, data.groups, provisional=data.round is not None)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


urls = [
    path("dashboard/<slug:framework>/", ranking, name="ranking"),
    path("dashboard/<slug:framework>/ranking.xlsx", ranking_sheet, name="ranking_sheet"),
    path("dashboard/<slug:framework>/<str:unit>/", dashboard, name="dashboard"),
]
