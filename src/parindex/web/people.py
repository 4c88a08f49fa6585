"""People and their roles, managed by the CCHC officer without the Django admin.

The pages are thin: what an officer may do is decided by the actions of
`parindex.units.people` (create_account, grant_role, revoke_role, set_active,
reset_password, update_account), which raise `ActionRefused` with the reason. Anybody who is no
CCHC officer gets "not found", as for any page of a unit they hold no role in.

A generated password is shown once, on the person's page the form redirects to (POST/redirect/
GET: a reload sends nothing again, so it cannot reset the password a second time); a typed one
is never shown back. Resetting a password and removing a role take effect at once and cannot be
undone: they are done only with `confirm=1`, which the page's dialog adds (app.js); without
JavaScript the answer is a page asking the question, whose button sends it.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from parindex.assessments.errors import ActionRefused
from parindex.messages import render as render_message
from parindex.units import people as accounts
from parindex.units.models import Membership
from parindex.web.forms import AccountForm, DetailsForm, PasswordForm, RoleForm, unit_choices


def _scope(request) -> accounts.Scope:
    scope = accounts.scope_of(request.user)
    if not scope:
        raise Http404
    return scope


def _refused(form, exc: ActionRefused) -> None:
    """The reason beside the entry it is about, else above the form."""
    field = getattr(exc, "field", None)
    if isinstance(exc, accounts.PasswordRefused):
        for reason in exc.reasons:
            form.add_error("password", reason)
    else:
        text = capfirst(render_message(exc.message))
        form.add_error(field if field in form.fields else None, f"{text}.")


@login_required
def people_list(request):
    """The accounts holding a role in the officer's units, the appraisers, and the accounts
    with no role yet; searchable by name, user name or e-mail, and by unit."""
    scope = _scope(request)
    units = accounts.scope_units(scope)
    query = request.GET.get("q", "").strip()
    try:
        unit_id = int(request.GET.get("unit") or 0) or None
    except ValueError:
        unit_id = None
    rows = accounts.people_of(scope, query=query, unit_id=unit_id)
    return render(
        request,
        "web/people.html",
        {
            "rows": rows,
            "query": query,
            "unit_id": unit_id,
            "units": unit_choices(units),
        },
    )


@never_cache
@login_required
def person_new(request):
    scope = _scope(request)
    units = accounts.scope_units(scope)
    form = AccountForm(units, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, password = accounts.create_account(
                request.user,
                full_name=data["full_name"],
                username=data["username"],
                email=data["email"],
                password=data["password"] or None,
                roles=form.roles(),
            )
        except ActionRefused as exc:
            _refused(form, exc)
        else:
            messages.success(
                request, _("Account %(username)s created.") % {"username": user.username}
            )
            if not data["password"]:
                _hand_over(request, user, password)
            return redirect("web:person", pk=user.pk)
    return render(request, "web/person_form.html", {"form": form})


# A generated password crosses the redirect in the session: stored on the server (database
# sessions), never in a cookie or in the address, and only until the page that shows it pops
# it — so it is shown once. It never goes in a message (messages may live in a cookie).
ONE_TIME_PASSWORD = "parindex.people.new_password"


def _hand_over(request, user, password: str) -> None:
    request.session[ONE_TIME_PASSWORD] = {"user": user.pk, "password": password}


def _handed_over(request, person) -> str | None:
    """The generated password to show on `person`'s page, taken out of the session: shown
    this once, or — another page was asked for first — never."""
    kept = request.session.pop(ONE_TIME_PASSWORD, None)
    if kept and kept.get("user") == person.pk:
        return kept.get("password")
    return None


def _confirmed(request) -> bool:
    return request.POST.get("confirm") == "1"


def _person(request, pk):
    scope = _scope(request)
    person = accounts.person_of(scope, pk)
    if person is None:
        raise Http404
    return scope, person


def _person_page(request, scope, person, units=None, status=200, **forms):
    units = accounts.scope_units(scope) if units is None else units
    refusal = accounts.management_refusal(scope, person)
    memberships = [
        (membership, scope.covers(membership.unit_id)) for membership in person.person_memberships
    ]
    context = {
        "person": person,
        "memberships": memberships,
        "refusal": refusal,
        "is_self": person.pk == request.user.pk,
        "role_form": forms.get("role_form") or RoleForm(units),
        "password_form": forms.get("password_form") or PasswordForm(),
        "details_form": forms.get("details_form")
        or DetailsForm(initial={"full_name": accounts.full_name(person), "email": person.email}),
        "new_password": forms.get("new_password"),
        "history": accounts.history(person),
    }
    return render(request, "web/person.html", context, status=status)


@never_cache
@login_required
def person_detail(request, pk):
    scope, person = _person(request, pk)
    return _person_page(request, scope, person, new_password=_handed_over(request, person))


@login_required
@require_POST
def person_grant(request, pk):
    scope, person = _person(request, pk)
    units = accounts.scope_units(scope)
    form = RoleForm(units, request.POST)
    if form.is_valid():
        unit = form.units[form.cleaned_data["unit"]]
        try:
            accounts.grant_role(request.user, person, unit, form.cleaned_data["role"])
        except ActionRefused as exc:
            form.add_error(None, render_message(exc.message))
        else:
            messages.success(request, _("Role given."))
            return redirect("web:person", pk=person.pk)
    return _person_page(request, scope, person, units, role_form=form)


@never_cache
@login_required
@require_POST
def person_revoke(request, pk, membership_id):
    _unused, person = _person(request, pk)
    membership = get_object_or_404(
        Membership.objects.select_related("unit", "user"), pk=membership_id, user=person
    )
    if not _confirmed(request):
        return render(
            request,
            "web/person_confirm.html",
            {"person": person, "action": "revoke", "membership": membership},
        )
    try:
        accounts.revoke_role(request.user, membership)
    except ActionRefused as exc:
        messages.error(request, render_message(exc.message))
    else:
        messages.success(request, _("Role removed."))
    return redirect("web:person", pk=person.pk)


@login_required
@require_POST
def person_active(request, pk):
    _unused, person = _person(request, pk)
    active = request.POST.get("active") == "1"
    try:
        accounts.set_active(request.user, person, active)
    except ActionRefused as exc:
        messages.error(request, render_message(exc.message))
    else:
        messages.success(
            request, _("Account reactivated.") if active else _("Account deactivated.")
        )
    return redirect("web:person", pk=person.pk)


@never_cache
@login_required
@require_POST
def person_password(request, pk):
    scope, person = _person(request, pk)
    form = PasswordForm(request.POST)
    if not _confirmed(request):
        refusal = accounts.management_refusal(scope, person)
        return render(
            request,
            "web/person_confirm.html",
            {
                "person": person,
                "action": "reset",
                "refusal": refusal,
                # What the officer typed goes back with the answer (this page is not cached).
                "typed": request.POST.get("password", ""),
            },
        )
    if form.is_valid():
        typed = form.cleaned_data["password"] or None
        try:
            password = accounts.reset_password(request.user, person, typed)
        except ActionRefused as exc:
            _refused(form, exc)
        else:
            if person.pk == request.user.pk:
                update_session_auth_hash(request, person)  # stay logged in
            messages.success(request, _("Password reset."))
            if not typed:
                _hand_over(request, person, password)
            return redirect("web:person", pk=person.pk)
    return _person_page(request, scope, person, password_form=form)


@login_required
@require_POST
def person_details(request, pk):
    scope, person = _person(request, pk)
    form = DetailsForm(request.POST)
    if form.is_valid():
        try:
            accounts.update_account(
                request.user,
                person,
                name=form.cleaned_data["full_name"],
                email=form.cleaned_data["email"],
            )
        except ActionRefused as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("web:person", pk=person.pk)
    return _person_page(request, scope, person, details_form=form)


urls = [
    path("people/", people_list, name="people"),
    path("people/new/", person_new, name="person_new"),
    path("people/<int:pk>/", person_detail, name="person"),
    path("people/<int:pk>/roles/", person_grant, name="person_grant"),
    path(
        "people/<int:pk>/roles/<int:membership_id>/remove/",
        person_revoke,
        name="person_revoke",
    ),
    path("people/<int:pk>/active/", person_active, name="person_active"),
    path("people/<int:pk>/password/", person_password, name="person_password"),
    path("people/<int:pk>/details/", person_details, name="person_details"),
]
