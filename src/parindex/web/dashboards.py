"""Dashboards: one unit's published results, its peers' ranking and the years before."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path

from parindex.assessments import access as access_rules
from parindex.assessments.models import UnitAssessment
from parindex.domain import workflow
from parindex.units.models import Unit


@login_required
def dashboard(request, framework, unit):
    """One unit's published results in a framework, its peer group's ranking, and last year.
    Only published figures are shown (results recorded outside a round count as published);
    the round's officers may ask for the provisional ranking of finalised units."""
    from parindex.assessments.results import framework_results
    from parindex.frameworks.models import Framework

    model = get_object_or_404(Framework, code=framework)
    unit_ = get_object_or_404(Unit, code=unit)
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
    results = framework_results(model, provisional=own.round if provisional else None)
    mine = next((r for r in results.units if r.unit.code == unit_.code), None)
    context = {
        "framework": model,
        "unit": unit_,
        "result": mine,
        "own": own,
        "may_preview": may_preview,
        "provisional": provisional,
    }
    if mine is None:
        return render(request, "web/dashboard.html", context)
    peers = [r for r in results.units if r.unit.group and r.unit.group == mine.unit.group]
    lost = []
    for leaf in results.framework.leaves():
        node = mine.score.nodes[leaf.code]
        if node.applicable and node.max - node.score > 0:
            lost.append((node.max - node.score, leaf, node))
    lost.sort(key=lambda item: (-item[0], item[1].code))
    chart = {
        "labels": [n.code for n in mine.nodes],
        "titles": [n.title for n in mine.nodes],
        "current": [float(round(n.score * 100 / n.max, 2)) if n.max else None for n in mine.nodes],
        "previous": [
            float(round(n.previous.score * 100 / n.previous.max, 2))
            if n.previous is not None and n.previous.max
            else None
            for n in mine.nodes
        ],
        "current_label": model.code,
        "previous_label": results.previous_framework.code if results.previous_framework else "",
    }
    context.update(
        {
            "results": results,
            "peers": peers,
            "lost": lost[:10],
            "chart": chart,
            "provisional_units": results.provisional,
        }
    )
    return render(request, "web/dashboard.html", context)


urls = [
    path("dashboard/<slug:framework>/<str:unit>/", dashboard, name="dashboard"),
]
