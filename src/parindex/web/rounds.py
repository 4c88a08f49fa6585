"""Assessment rounds: opening one, the overview of every unit's progress, publishing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parindex.assessments import access as access_rules
from parindex.assessments import actions, queries
from parindex.assessments.models import Round
from parindex.domain import workflow
from parindex.messages import render as render_message
from parindex.web.forms import RoundForm


@login_required
def round_create(request):
    form = RoundForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = actions.open_round(request.user, **form.round_arguments())
        except actions.ActionRefused as exc:
            form.add_error(None, render_message(exc.message))
        else:
            messages.success(request, _("Round “%(title)s” opened.") % {"title": round_.title})
            return redirect("web:home")
    return render(request, "web/round_form.html", {"form": form})


def _round_for(request, pk):
    round_ = get_object_or_404(Round.objects.select_related("framework", "owner"), pk=pk)
    if not access_rules.round_roles(request.user, round_):
        raise Http404
    return round_


@login_required
def round_detail(request, pk):
    """The officer's and leaders' view of a round: every unit's state and totals."""
    round_ = _round_for(request, pk)
    rows = queries.round_overview(round_)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.assessment.state] = counts.get(row.assessment.state, 0) + 1
    return render(
        request,
        "web/round.html",
        {
            "round": round_,
            "rows": rows,
            "counts": counts,
            "can_publish": access_rules.is_officer_of(request.user, round_.owner)
            and counts.get(workflow.FINAL, 0) > 0,
        },
    )


@login_required
@require_POST
def round_publish(request, pk):
    round_ = _round_for(request, pk)
    try:
        events = actions.publish_round(request.user, round_)
    except actions.ActionRefused as exc:
        messages.error(request, render_message(exc.message))
    else:
        messages.success(request, _("%(count)s unit(s) published.") % {"count": len(events)})
    return redirect("web:round", pk=pk)


urls = [
    path("rounds/new/", round_create, name="round_create"),
    path("rounds/<int:pk>/", round_detail, name="round"),
    path("rounds/<int:pk>/publish/", round_publish, name="round_publish"),
]
