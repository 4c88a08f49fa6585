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
    """The round form. A POST with `refresh` (the framework or the department changed: HTMX,
    or the button shown without JavaScript) only shows the form again for the new choice."""
    posted = request.POST if request.method == "POST" else None
    refresh = posted is not None and "refresh" in posted
    form = RoundForm(request.user, posted, refresh=refresh)
    if not form.owners:
        raise Http404  # only a CCHC officer opens rounds
    if posted is not None and not refresh and form.is_valid():
        try:
            round_ = actions.open_round(request.user, **form.round_arguments())
        except actions.ActionRefused as exc:
            form.add_error(None, render_message(exc.message))
        else:
            messages.success(request, _("Round “%(title)s” opened.") % {"title": round_.title})
            return redirect("web:round", pk=round_.pk)
    return render(request, "web/round_form.html", {"form": form, "rows": form.rows()})


def _round_for(request, pk):
    round_ = get_object_or_404(Round.objects.select_related("framework", "owner"), pk=pk)
    if not access_rules.round_roles(request.user, round_):
        raise Http404
    return round_


@login_required
def round_detail(request, pk):
    """The officer's and leaders' view of a round: every unit's state, completion and totals."""
    round_ = _round_for(request, pk)
    rows = queries.round_overview(round_)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.assessment.state] = counts.get(row.assessment.state, 0) + 1
    is_officer = access_rules.is_officer_of(request.user, round_.owner)
    return render(
        request,
        "web/round.html",
        {
            "round": round_,
            "rows": rows,
            "counts": counts,
            "finished": _finished(rows),
            "is_officer": is_officer,
            "can_publish": is_officer and counts.get(workflow.FINAL, 0) > 0,
        },
    )


def _finished(rows: list[queries.OverviewRow]) -> list[queries.OverviewRow]:
    """The units publishing would make final, each with what is still empty in it."""
    return [row for row in rows if row.assessment.state == workflow.FINAL]


@login_required
@require_POST
def round_publish(request, pk):
    """Publishing cannot be undone: without `confirm=1` (the dialog of the round page adds
    it) the answer is the page that says which units it publishes and what that means."""
    round_ = _round_for(request, pk)
    if request.POST.get("confirm") != "1":
        finished = _finished(queries.round_overview(round_))
        return render(request, "web/round_publish.html", {"round": round_, "finished": finished})
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
