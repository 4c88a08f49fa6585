"""Who may do what: the access object, built once per request and used by every page, upload,
template and (later) the API, so that roles are worked out in exactly one place.

Roles come from memberships (staff of the unit itself; officers and leaders of the unit or of
any unit above it), from the assessment's appraisers, and — for the officer — from the
department that runs the round. What a role may do in a state is the domain's
(`parindex.domain.workflow`): transitions, the part of the assessment it edits, and the one
table of who writes which stage (`WRITABLE`), which the score gate consults.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet

from parindex.assessments.models import Round, UnitAssessment
from parindex.domain import workflow
from parindex.units.models import Membership, Unit

# Deep enough for a province → department → unit → sub-unit tree in the same query.
_LINEAGE = "__parent__parent__parent"


def memberships_of(user) -> list[tuple[int, str]]:
    """The user's (unit id, role) pairs (one query)."""
    return list(Membership.objects.filter(user=user).values_list("unit_id", "role"))


def _lineage(unit: Unit) -> list[int]:
    ids: list[int] = []
    while unit is not None and unit.pk not in ids:
        ids.append(unit.pk)
        unit = unit.parent  # select_related covers the usual depth; deeper costs a query
    return ids


def unit_roles(user, unit: Unit, memberships: list[tuple[int, str]] | None = None) -> frozenset:
    """Roles from memberships: staff of this very unit; leader or officer of it or of any unit
    above it. A superuser acts as an officer everywhere. `memberships`: already read."""
    if not user.is_authenticated:
        return frozenset()
    if user.is_superuser:
        return frozenset({workflow.OFFICER})
    if memberships is None:
        memberships = memberships_of(user)
    if not memberships:
        return frozenset()
    staff = Membership.Role.STAFF
    roles = {role for unit_id, role in memberships if role == staff and unit_id == unit.pk}
    if any(role != staff for _unit_id, role in memberships):  # heads act on their subtree
        lineage = set(_lineage(unit))
        roles |= {role for unit_id, role in memberships if role != staff and unit_id in lineage}
    return frozenset(roles)  # the membership roles are the workflow's role names


def is_officer_of(user, unit: Unit) -> bool:
    return workflow.OFFICER in unit_roles(user, unit)


def round_roles(user, round_: Round) -> frozenset[str]:
    """Officer or leader of the department that runs the round (its overview and publication)."""
    return unit_roles(user, round_.owner) & {workflow.OFFICER, workflow.LEADER}


@dataclass(frozen=True)
class Access:
    """One user's rights on one unit's assessment, as of when it was built."""

    user: object
    assessment: UnitAssessment
    roles: frozenset[str]
    # What this request already read or wrote through the access (the score gate leaves the
    # assessment's entries after a write here, so the answering page need not read them).
    cache: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def can_read(self) -> bool:
        return bool(self.roles)

    @property
    def state(self) -> str:
        return self.assessment.state

    @property
    def part(self) -> str | None:
        """What the user edits now: self, answer, appraisal, appraisal2 (or nothing)."""
        return workflow.editable_part(self.state, self.roles)

    @property
    def actions(self) -> list[str]:
        return workflow.available_actions(self.state, self.roles)

    @property
    def is_officer(self) -> bool:
        return workflow.OFFICER in self.roles

    @property
    def reopen_targets(self) -> tuple[str, ...]:
        return workflow.REOPEN_TARGETS.get(self.state, ()) if self.is_officer else ()

    def stage_for(self, kind: str) -> str | None:
        """The stage this user writes keys of `kind` to now, or None."""
        stage, _refusal = workflow.write_refusal(self.roles, self.state, kind, None)
        return stage

    @property
    def points_stage(self) -> str | None:
        """Where criterion points go (the grid's editable column)."""
        return self.stage_for(workflow.CRITERION)

    @property
    def officer_stage(self) -> str | None:
        """Where survey points, bonus and penalty go (the officer's, until publication)."""
        return self.stage_for(workflow.ADJUSTMENT)

    @property
    def can_upload_sheet(self) -> bool:
        return self.points_stage is not None

    @property
    def adds_evidence(self) -> bool:
        return self.part in ("self", "answer")

    @property
    def reviews_evidence(self) -> bool:
        return self.part in ("appraisal", "appraisal2")


def _assessments() -> QuerySet:
    return UnitAssessment.objects.select_related(
        "framework", "round", "round__owner" + _LINEAGE, "unit" + _LINEAGE
    )


def access_for(user, assessment: UnitAssessment | int) -> Access:
    """The access object of `user` on an assessment (an instance is re-read: its state may be
    stale). Costs 2–3 queries: the assessment with the appraiser check, the memberships."""
    pk = assessment if isinstance(assessment, int) else assessment.pk
    if not user.is_authenticated:
        return Access(user, _assessments().get(pk=pk), frozenset())
    loaded = (
        _assessments()
        .annotate(
            _appraises=Exists(
                UnitAssessment.appraisers.through.objects.filter(
                    unitassessment_id=OuterRef("pk"), user_id=user.pk
                )
            )
        )
        .get(pk=pk)
    )
    return Access(user, loaded, _roles(user, loaded, loaded._appraises))


def _roles(user, assessment: UnitAssessment, appraises: bool) -> frozenset[str]:
    """The officer is the one of the department that runs the round, not of the unit."""
    memberships = memberships_of(user)
    roles = set(unit_roles(user, assessment.unit, memberships) - {workflow.OFFICER})
    if workflow.OFFICER in unit_roles(user, assessment.round.owner, memberships):
        roles.add(workflow.OFFICER)
    if appraises:
        roles.add(workflow.APPRAISER)
    return frozenset(roles)


def roles_of(user, assessment: UnitAssessment) -> frozenset[str]:
    return access_for(user, assessment).roles


def can_read(user, assessment: UnitAssessment) -> bool:
    return access_for(user, assessment).can_read


def visible_assessments(user, memberships: list[tuple[int, str]] | None = None) -> QuerySet:
    """Every unit assessment the user holds a role in (staff, appraiser, officer, leader),
    worked out for a whole list at once (the same rules as `access_for`)."""
    if user.is_superuser:
        return UnitAssessment.objects.all()
    if memberships is None:
        memberships = memberships_of(user)
    staff = {unit for unit, role in memberships if role == Membership.Role.STAFF}
    heads = {unit for unit, role in memberships if role != Membership.Role.STAFF}
    subtree: set[int] = set()
    if heads:
        parents = dict(Unit.objects.values_list("id", "parent_id"))

        def under_a_head(unit_id):
            seen = set()
            while unit_id is not None and unit_id not in seen:
                if unit_id in heads:
                    return True
                seen.add(unit_id)
                unit_id = parents.get(unit_id)
            return False

        subtree = {unit for unit in parents if under_a_head(unit)}
    return UnitAssessment.objects.filter(
        Q(unit_id__in=staff | subtree) | Q(round__owner_id__in=subtree) | Q(appraisers=user)
    ).distinct()


def officer_units(user) -> QuerySet:
    """Units whose rounds the user may open (CCHC officer of them)."""
    if user.is_superuser:
        return Unit.objects.all()
    return Unit.objects.filter(memberships__user=user, memberships__role=Membership.Role.OFFICER)


def can_open_rounds(user, memberships: list[tuple[int, str]] | None = None) -> bool:
    if user.is_superuser:
        return True
    if memberships is None:
        memberships = memberships_of(user)
    return any(role == Membership.Role.OFFICER for _unit, role in memberships)
