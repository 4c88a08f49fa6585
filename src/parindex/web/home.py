"""Each person's home page: what is waiting for them (criteria to fill, explanations asked
for, appraisals and approvals due, units to publish) with deadlines and days left, the rounds
they follow and the dashboards they may open (`parindex.assessments.agenda`)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from parindex.assessments.agenda import agenda_for
from parindex.domain import plans as rules
from parindex.plans import services as plan_services
from parindex.web.dashboards import dashboards_for

# The dashboards of the main menu, kept in the session by the home page (where everybody
# lands after logging in) so that the menu of every other page costs no query.
NAV_DASHBOARDS = "parindex_nav_dashboards"
NAV_REGISTERS = "parindex_nav_registers"
# The remediation items and reminders a home page lists at most (the plan page has them all).
MAX_ITEMS = 50


def show_registers_menu(request) -> None:
    """A registers page the user may read was opened (perhaps straight from a link, before
    the home page): the menu offers the registers from now on."""
    if not request.session.get(NAV_REGISTERS):
        request.session[NAV_REGISTERS] = True


@login_required
def home(request):
    agenda = agenda_for(request.user)
    dashboards = dashboards_for(
        request.user, memberships=agenda.memberships, parents=agenda.parents
    )
    links = [[d.label, d.url] for d in dashboards]
    if request.session.get(NAV_DASHBOARDS) != links:
        request.session[NAV_DASHBOARDS] = links
    if request.session.get("parindex_nav_people") != agenda.can_open:  # the officer's menu
        request.session["parindex_nav_people"] = agenda.can_open
    # The registers: anybody holding a role in a unit reads its registers (registers.access).
    registers = bool(request.user.is_superuser or agenda.memberships)
    if request.session.get(NAV_REGISTERS) != registers:
        request.session[NAV_REGISTERS] = registers
    today = timezone.localdate()
    items = [
        (item, rules.is_overdue(item.deadline, item.status, today))
        for item in plan_services.assigned_items(request.user, agenda.memberships, agenda.parents)[
            :MAX_ITEMS
        ]
    ]
    context = {
        "agenda": agenda,
        "dashboards": dashboards,
        "plan_items": [(item, late) for item, late in items if item.status != rules.DONE],
        "plan_items_done": sum(1 for item, _late in items if item.status == rules.DONE),
        "followed_plans": plan_services.followed_plans(
            request.user, today, agenda.memberships, agenda.parents
        ),
        "reminders": list(plan_services.unread_reminders(request.user)[:MAX_ITEMS]),
    }
    return render(request, "web/home.html", context)


urls = [
    path("", home, name="home"),
]
