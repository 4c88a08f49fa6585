"""People's names in the Vietnamese order, and the accounts and roles a CCHC officer manages
without the Django admin.

A Vietnamese full name is written family name, middle name(s), given name: "Nguyễn Thị Hoa".
Django's user keeps two fields; we store the given name (tên, the last word, by which lists
are sorted) in `first_name` and the family and middle names (họ và tên đệm) in `last_name`,
and people see and type one "Họ và tên" field. Django's own `get_full_name` would print
"Hoa Nguyễn Thị": never use it for display.

Each write on accounts is an action with its permission check (Wagtail style), raising
`ActionRefused` with a translatable message; the pages only call them:

- an officer of a unit (or of a unit above it) gives and removes roles in that unit;
- an officer never removes their own last officer role, nor deactivates their own account;
- an officer resets the password of, deactivates or renames only accounts whose every role
  lies within the units they are the officer of (another department's people are its
  officer's; superusers and admin staff are the superusers');
- accounts are never deleted (the history refers to people): they are deactivated.

Each write is recorded in Django's admin log (`LogEntry`: who, when, which account), with the
message as a translatable id and its parameters (`history`) so the people page shows it in the
reader's language; the Django admin shows the English text.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth import get_user_model, password_validation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils.translation import ngettext_lazy

from parindex.assessments.access import memberships_of, tree_roles, unit_tree
from parindex.assessments.errors import ActionRefused
from parindex.domain import workflow
from parindex.domain.i18n import Message
from parindex.domain.i18n import gettext_noop as N_
from parindex.units.models import Membership, Unit

Role = Membership.Role

# The alphabet of generated passwords: no letter or digit that reads like another (l 1 I, 0 O).
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def split_full_name(text: str) -> tuple[str, str]:
    """ "Nguyễn Thị Hoa" → ("Nguyễn Thị", "Hoa"): (last_name, first_name) of Django's user."""
    words = " ".join(str(text or "").split())
    family, _, given = words.rpartition(" ")
    return family, given


def full_name(user) -> str:
    """The person's full name in the Vietnamese order, else their user name; "" for nobody."""
    if user is None:
        return ""
    name = " ".join(part for part in (user.last_name.strip(), user.first_name.strip()) if part)
    return name or user.get_username()


class EntryRefused(ActionRefused):
    """Refused because of one entry of the form (`field`: full_name, username, email or
    password), so that the page shows the reason beside it."""

    def __init__(self, message: Message, field: str):
        super().__init__(message)
        self.field = field


class PasswordRefused(EntryRefused):
    """The password does not pass Django's validators (`reasons`: what each one says)."""

    def __init__(self, reasons: list[str]):
        message = Message(
            N_("the password is not accepted: %(reasons)s"), {"reasons": " ".join(reasons)}
        )
        super().__init__(message, "password")
        self.reasons = reasons


def _refuse(msgid: str, **params) -> ActionRefused:
    return ActionRefused(Message(msgid, params))


def _refuse_entry(field: str, msgid: str, **params) -> EntryRefused:
    return EntryRefused(Message(msgid, params), field)


def generate_password() -> str:
    """A password to hand over once, e.g. "k7mq-2xht-9pwe" (about 70 bits)."""
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(3))


# --- what an officer manages ----------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The units one person is the CCHC officer of (their subtrees), by id; empty for anybody
    who is no officer. A superuser's scope is every unit."""

    actor: object
    units: frozenset[int]
    parents: dict  # the unit tree (id → parent id), read once

    def __bool__(self) -> bool:
        return bool(self.units) or self.actor.is_superuser

    def covers(self, unit_id: int) -> bool:
        return self.actor.is_superuser or unit_id in self.units


def scope_of(actor) -> Scope:
    """The actor's officer units (two queries: their memberships and the unit tree)."""
    if not actor.is_authenticated:
        return Scope(actor, frozenset(), {})
    memberships = memberships_of(actor)
    if not actor.is_superuser and not any(role == Role.OFFICER for _u, role in memberships):
        return Scope(actor, frozenset(), {})
    parents = unit_tree()
    units = frozenset(
        unit
        for unit in parents
        if workflow.OFFICER in tree_roles(actor, unit, memberships, parents)
    )
    return Scope(actor, units, parents)


def tree_rows(units, roots=None) -> list[tuple[Unit, int]]:
    """`units` as an indented tree: (unit, depth) in reading order, children by code under
    their parent. Units whose parent is not among them start a tree (or only `roots`)."""
    by_id = {unit.pk: unit for unit in units}
    children: dict[int | None, list[Unit]] = {}
    for unit in by_id.values():
        parent = unit.parent_id if unit.parent_id in by_id else None
        children.setdefault(parent, []).append(unit)
    rows: list[tuple[Unit, int]] = []

    def walk(unit, depth, seen):
        if unit.pk in seen:
            return
        seen.add(unit.pk)
        rows.append((unit, depth))
        for child in sorted(children.get(unit.pk, []), key=lambda u: u.code):
            walk(child, depth + 1, seen)

    starts = (
        [by_id[pk] for pk in roots if pk in by_id] if roots is not None else children.get(None, [])
    )
    seen: set[int] = set()
    for unit in sorted(starts, key=lambda u: u.code):
        walk(unit, 0, seen)
    return rows


def scope_units(scope: Scope) -> list[tuple[Unit, int]]:
    """The units of the scope as an indented tree (one query)."""
    if not scope:
        return []
    units = (
        Unit.objects.all() if scope.actor.is_superuser else Unit.objects.filter(pk__in=scope.units)
    )
    return tree_rows(list(units.only("id", "code", "name", "parent_id")))


def people_of(scope: Scope, *, query: str = "", unit_id: int | None = None) -> list:
    """The accounts the officer sees: those holding a role in one of the officer's units,
    every appraiser, and accounts with no role yet (not superusers or admin staff); each with
    its memberships (`person_memberships`) — two queries. Sorted by given name, then family
    name (the Vietnamese order of a list), then user name."""
    if not scope:
        return []
    users = get_user_model().objects.all()
    if not scope.actor.is_superuser:
        users = users.filter(
            Q(memberships__unit_id__in=scope.units)
            | Q(memberships__role=Role.APPRAISER)
            | Q(memberships__isnull=True, is_superuser=False, is_staff=False)
        )
    if unit_id is not None:
        users = users.filter(memberships__unit_id=unit_id)
    for word in query.split():
        users = users.filter(
            Q(username__icontains=word)
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
        )
    memberships = Membership.objects.select_related("unit").order_by("unit__code", "role")
    return list(
        users.distinct()
        .order_by("first_name", "last_name", "username")
        .prefetch_related(Prefetch("memberships", memberships, to_attr="person_memberships"))
    )


def person_of(scope: Scope, pk: int):
    """One account the officer sees (as `people_of`), with its memberships; None otherwise."""
    if not scope:
        return None
    memberships = Membership.objects.select_related("unit").order_by("unit__code", "role")
    user = (
        get_user_model()
        .objects.filter(pk=pk)
        .prefetch_related(Prefetch("memberships", memberships, to_attr="person_memberships"))
        .first()
    )
    if user is None or scope.actor.is_superuser:
        return user
    held = user.person_memberships
    if any(m.unit_id in scope.units or m.role == Role.APPRAISER for m in held):
        return user
    if not held and not user.is_superuser and not user.is_staff:
        return user
    return None


def _held(user) -> list[Membership]:
    held = getattr(user, "person_memberships", None)
    if held is None:
        held = list(Membership.objects.filter(user=user).select_related("unit"))
    return held


def management_refusal(scope: Scope, user) -> Message | None:
    """Why the officer may not reset the password of, deactivate or rename `user`, or None:
    only accounts whose every role lies within the officer's units, never a superuser's or
    an admin's (unless the actor is a superuser)."""
    if not scope:
        return Message(N_("only a CCHC officer manages accounts"))
    if scope.actor.is_superuser:
        return None
    if user.is_superuser or user.is_staff:
        return Message(
            N_("the account %(user)s is managed by a superuser"), {"user": user.get_username()}
        )
    outside = sorted({m.unit.code for m in _held(user) if not scope.covers(m.unit_id)})
    if outside:
        return Message(
            N_(
                "%(user)s also holds a role in %(units)s, outside your units: the CCHC officer "
                "of those units manages the account"
            ),
            {"user": user.get_username(), "units": ", ".join(outside)},
        )
    return None


def _manageable(scope: Scope, user) -> None:
    reason = management_refusal(scope, user)
    if reason is not None:
        raise ActionRefused(reason)


def _officer_of(scope: Scope, unit: Unit) -> None:
    if not scope.covers(unit.pk):
        raise _refuse(
            N_(
                "only a CCHC officer of %(unit)s (or of a unit above it) gives or removes "
                "roles in it"
            ),
            unit=unit.name,
        )


# --- the record of who did what -------------------------------------------------------------


def _record(actor, user, flag: int, message: Message) -> None:
    """One line of the admin log: the English text for the Django admin ("Changed …"), and
    the message id with its parameters for the people page, which translates it."""
    params = {
        key: {"msgid": value.msgid} if isinstance(value, Message) else str(value)
        for key, value in message.params.items()
    }
    entry = {"msgid": message.msgid, "params": params}
    if flag == ADDITION:
        entry["added"] = {}
    else:
        entry["changed"] = {"fields": [message.render()]}
    LogEntry.objects.log_actions(
        actor.pk, [user], flag, change_message=json.dumps([entry]), single_object=True
    )


def history(user, limit: int = 30) -> list[tuple[object, object, Message]]:
    """The account's recorded changes, newest first: (when, by whom, message) — one query."""
    entries = (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(get_user_model()),
            object_id=str(user.pk),
        )
        .select_related("user")
        .order_by("-action_time", "-pk")[:limit]
    )
    rows = []
    for entry in entries:
        try:
            parts = json.loads(entry.change_message or "[]")
        except ValueError:
            parts = []
        for part in parts if isinstance(parts, list) else []:
            if isinstance(part, dict) and "msgid" in part:
                params = {
                    key: Message(value["msgid"]) if isinstance(value, dict) else value
                    for key, value in part.get("params", {}).items()
                }
                rows.append((entry.action_time, entry.user, Message(part["msgid"], params)))
                break
        else:  # a change made in the Django admin
            rows.append((entry.action_time, entry.user, Message(entry.get_change_message())))
    return rows


# --- the actions ----------------------------------------------------------------------------


def _role_message(role: str) -> Message:
    """The role's label as a message (translated when shown)."""
    return Message(
        {
            Role.STAFF: N_("unit staff"),
            Role.OFFICER: N_("CCHC officer"),
            Role.LEADER: N_("leader"),
            Role.APPRAISER: N_("appraiser"),
        }[Role(role)]
    )


# Django's validators speak the user's language through Django's catalogue, which has no
# Vietnamese yet for Django 5.2's wording of the length rule ("%d", not "%(min_length)d"):
# listed here so that makemessages puts these msgids in our catalogue, which comes first
# (LOCALE_PATHS). They are Django's exact msgids: do not reword them.
DJANGO_PASSWORD_MESSAGES = (
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        "min_length",
    ),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        "min_length",
    ),
)


def _check_password(password: str, user) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise PasswordRefused([str(m) for m in error.messages]) from None


def _check_name(full: str) -> tuple[str, str]:
    family, given = split_full_name(full)
    if not given:
        raise _refuse_entry("full_name", N_("enter the person's full name"))
    User = get_user_model()
    if len(family) > User._meta.get_field("last_name").max_length or len(given) > (
        User._meta.get_field("first_name").max_length
    ):
        raise _refuse_entry("full_name", N_("the full name is too long"))
    return family, given


def _check_email(email: str) -> str:
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise _refuse_entry(
                "email", N_("%(email)s is not an e-mail address"), email=email
            ) from None
    return email


@transaction.atomic
def create_account(
    actor,
    *,
    full_name: str,
    username: str,
    email: str = "",
    password: str | None = None,
    roles: list[tuple[Unit, str]] = (),
) -> tuple[object, str]:
    """A new account with its roles. Returns the user and the password: the typed one, else
    a generated one for the officer to hand over (shown once, never stored in clear)."""
    scope = scope_of(actor)
    if not scope:
        raise _refuse(N_("only a CCHC officer creates accounts"))
    User = get_user_model()
    family, given = _check_name(full_name)
    username = (username or "").strip()
    if not username:
        raise _refuse_entry("username", N_("enter a user name"))
    try:
        User._meta.get_field("username").run_validators(username)
    except ValidationError:
        raise _refuse_entry(
            "username",
            N_(
                "a user name has at most 150 letters, digits and the characters . @ + - _ "
                "(no spaces), e.g. nguyen.hoa"
            ),
        ) from None
    if User.objects.filter(username__iexact=username).exists():
        raise _refuse_entry(
            "username", N_("the user name %(username)s is taken"), username=username
        )
    email = _check_email(email)
    for unit, role in roles:
        _officer_of(scope, unit)
        if role not in Role.values:
            raise _refuse(N_("%(role)s is not a role"), role=role)
    user = User(username=username, first_name=given, last_name=family, email=email)
    generated = not password
    if generated:
        password = generate_password()
    else:
        _check_password(password, user)
    user.set_password(password)
    user.save()
    _record(actor, user, ADDITION, Message(N_("account created")))
    for unit, role in roles:
        if not Membership.objects.filter(user=user, unit=unit, role=role).exists():
            Membership.objects.create(user=user, unit=unit, role=role)
            _record(
                actor,
                user,
                CHANGE,
                Message(
                    N_("role given: %(role)s of %(unit)s"),
                    {"role": _role_message(role), "unit": unit.code},
                ),
            )
    return user, password


@transaction.atomic
def grant_role(actor, user, unit: Unit, role: str) -> Membership:
    """Give `user` a role in `unit` (staff, officer, leader or appraiser)."""
    scope = scope_of(actor)
    if role not in Role.values:
        raise _refuse(N_("%(role)s is not a role"), role=role)
    _officer_of(scope, unit)
    if Membership.objects.filter(user=user, unit=unit, role=role).exists():
        raise _refuse(
            N_("%(user)s already is %(role)s of %(unit)s"),
            user=user.get_username(),
            role=_role_message(role),
            unit=unit.code,
        )
    membership = Membership.objects.create(user=user, unit=unit, role=role)
    _record(
        actor,
        user,
        CHANGE,
        Message(
            N_("role given: %(role)s of %(unit)s"), {"role": _role_message(role), "unit": unit.code}
        ),
    )
    return membership


@transaction.atomic
def revoke_role(actor, membership: Membership) -> None:
    """Remove one role. An officer does not remove their own last officer role (someone
    must remain able to manage the unit): another officer does."""
    scope = scope_of(actor)
    _officer_of(scope, membership.unit)
    if (
        membership.user_id == actor.pk
        and membership.role == Role.OFFICER
        and not Membership.objects.filter(user=actor, role=Role.OFFICER)
        .exclude(pk=membership.pk)
        .exists()
    ):
        raise _refuse(N_("you cannot remove your own last CCHC officer role: another officer can"))
    user = membership.user
    membership.delete()
    _record(
        actor,
        user,
        CHANGE,
        Message(
            N_("role removed: %(role)s of %(unit)s"),
            {"role": _role_message(membership.role), "unit": membership.unit.code},
        ),
    )


@transaction.atomic
def set_active(actor, user, active: bool) -> None:
    """Deactivate an account (the person can no longer log in; their history stays) or
    reactivate it. Never one's own."""
    if user.pk == actor.pk:
        raise _refuse(N_("you cannot deactivate your own account"))
    _manageable(scope_of(actor), user)
    if user.is_active == active:
        return
    user.is_active = active
    user.save(update_fields=["is_active"])
    message = N_("account reactivated") if active else N_("account deactivated")
    _record(actor, user, CHANGE, Message(message))


@transaction.atomic
def reset_password(actor, user, password: str | None = None) -> str:
    """Set a new password: the typed one (Django's validators), else a generated one, shown
    once to the officer. A lock-out after wrong passwords is lifted too."""
    _manageable(scope_of(actor), user)
    if password:
        _check_password(password, user)
    else:
        password = generate_password()
    user.set_password(password)
    user.save(update_fields=["password"])
    from axes.utils import reset as reset_lockouts

    reset_lockouts(username=user.get_username())
    _record(actor, user, CHANGE, Message(N_("password reset")))
    return password


@transaction.atomic
def update_account(actor, user, *, name: str, email: str = "") -> None:
    """Correct the full name ("Họ và tên") or the e-mail address of an account."""
    _manageable(scope_of(actor), user)
    family, given = _check_name(name)
    email = _check_email(email)
    if (user.last_name, user.first_name, user.email) == (family, given, email):
        return
    user.last_name, user.first_name, user.email = family, given, email
    user.save(update_fields=["last_name", "first_name", "email"])
    _record(
        actor,
        user,
        CHANGE,
        Message(
            N_("full name and e-mail changed to %(name)s, %(email)s"),
            {"name": full_name(user), "email": email or "—"},
        ),
    )


def appraiser_accounts():
    """Active accounts holding the appraiser role (in any unit): those a round may assign."""
    return (
        get_user_model()
        .objects.filter(is_active=True, memberships__role=Role.APPRAISER)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
