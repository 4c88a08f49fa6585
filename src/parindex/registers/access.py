"""Who may read and who may change a unit's registers: one table, used by every writer (the
CLI, a file uploaded in the web UI, the background import, the edit forms) and every page.

- The CCHC officer of the unit (or of a unit above it) imports and edits every register: the
  dossier register usually comes from the provincial service centre's software, and the
  officer loads it for all units at once.
- Staff of the unit keep their own unit's registers (import a file, add, edit, delete rows).
- Leaders of the unit (or above) read them. Appraisers read nothing here: what they need of a
  register reaches them as the computed figures of the assessment they appraise.
- The system (the CLI run by the operator on the server) writes everything.
"""

from __future__ import annotations

from parindex.assessments.access import memberships_of, unit_roles
from parindex.domain import workflow
from parindex.domain.i18n import Message
from parindex.domain.i18n import gettext_noop as N_
from parindex.registers.models import RegisterKind

READ = "read"
WRITE = "write"

# (role, action) → the registers that role may act on; absent: no.
_ALL = frozenset(RegisterKind.values)
ALLOWED: dict[tuple[str, str], frozenset[str]] = {
    (workflow.OFFICER, READ): _ALL,
    (workflow.OFFICER, WRITE): _ALL,
    (workflow.STAFF, READ): _ALL,
    (workflow.STAFF, WRITE): _ALL,
    (workflow.LEADER, READ): _ALL,
}


def allowed(roles, action: str, kind: str) -> bool:
    return any(kind in ALLOWED.get((role, action), ()) for role in roles)


def refusal(user, unit, action: str, kind: str, memberships=None) -> Message | None:
    """Why `user` may not `action` the `kind` register of `unit`, or None if they may.
    `user` None: the system (the operator's CLI)."""
    if user is None:
        return None
    if not user.is_authenticated:
        return Message(N_("sign in first"))
    roles = unit_roles(user, unit, memberships)
    if allowed(roles, action, kind):
        return None
    if action == WRITE and allowed(roles, READ, kind):
        return Message(
            N_("you may read the registers of %(unit)s but not change them"), {"unit": unit.code}
        )
    return Message(N_("you have no access to the registers of %(unit)s"), {"unit": unit.code})


def readable_units(user, memberships=None) -> list:
    """The units whose registers `user` may read (the registers pages' unit picker)."""
    from parindex.units.models import Unit

    units = list(Unit.objects.select_related("parent", "parent__parent").order_by("code"))
    if user.is_superuser:
        return units
    if memberships is None:
        memberships = memberships_of(user)
    if not memberships:
        return []
    return [
        unit
        for unit in units
        if any(
            allowed(unit_roles(user, unit, memberships), READ, kind) for kind in RegisterKind.values
        )
    ]


def writable_units(user) -> list:
    """The units of which `user` may change some register (where an import may go): two
    queries, whatever the number of units."""
    memberships = memberships_of(user)
    return [
        unit
        for unit in readable_units(user, memberships)
        if any(
            allowed(unit_roles(user, unit, memberships), WRITE, kind)
            for kind in RegisterKind.values
        )
    ]
