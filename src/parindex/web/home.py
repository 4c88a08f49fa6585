"""Each person's home page: the rounds that concern them."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from parindex.assessments import access as access_rules
from parindex.domain import workflow


@login_required
def home(request):
    user = request.user
    memberships = access_rules.memberships_of(user)
    assessments = (
        access_rules.visible_assessments(user, memberships)
        .select_related("round", "round__framework", "round__owner__parent__parent", "unit")
        .order_by("-round__created_at", "unit__code")
    )
    rounds: dict = {}
    for assessment in assessments:
        rounds.setdefault(assessment.round, []).append(assessment)
    overview_ids = {
        round_.pk
        for round_ in rounds
        if {workflow.OFFICER, workflow.LEADER}
        & access_rules.unit_roles(user, round_.owner, memberships)
    }
    return render(
        request,
        "web/home.html",
        {
            "rounds": rounds,
            "can_open": access_rules.can_open_rounds(user, memberships),
            "overview_ids": overview_ids,
        },
    )


urls = [
    path("", home, name="home"),
]
