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
from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from parindex.assessments.models import DeadlineExtension, Round, UnitAssessment
from parindex.domain import workflow
from parindex.domain.i18n import Message
from parindex.domain.i18n import gettext_noop as N_
from parindex.units.models import Membership, Unit

# Deep enough for a province → department → unit → sub-unit tree in the same query.
_LINEAGE = "__parent__parent__parent"


def memberships_of(user) -> list[tuple[int, str]]:
    """The user's (unit id, role) pairs (one query)."""
    # An appraiser membership grants nothing by itself (the assignment in a round does).
    return list(
        Membership.objects.filter(user=user)
        .exclude(role=Membership.Role.APPRAISER)
        .values_list("unit_id", "role")
    )


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
    lineage = _lineage(unit) if _heads(memberships) else [unit.pk]
    return _membership_roles(memberships, unit.pk, lineage)


def _heads(memberships: list[tuple[int, str]]) -> bool:
    """Leaders and officers act on their unit's whole subtree; staff on their unit only."""
    return any(role != Membership.Role.STAFF for _unit_id, role in memberships)


def _membership_roles(memberships, unit_id: int, lineage) -> frozenset[str]:
    """Staff of this very unit; leader or officer of it or of a unit above (`lineage`: the
    unit and the units above it)."""
    staff = Membership.Role.STAFF
    lineage = set(lineage)
    roles = {role for u, role in memberships if role == staff and u == unit_id}
    roles |= {role for u, role in memberships if role != staff and u in lineage}
    return frozenset(roles)  # the membership roles are the workflow's role names


def _lineage_from(parents: dict[int, int | None], unit_id: int) -> list[int]:
    ids: list[int] = []
    while unit_id is not None and unit_id not in ids:
        ids.append(unit_id)
        unit_id = parents.get(unit_id)
    return ids


def subtree_ids(parents: dict[int, int | None], root_id: int) -> set[int]:
    """The unit `root_id` and every unit under it, from the unit tree (`unit_tree`)."""
    return {unit for unit in parents if root_id in _lineage_from(parents, unit)}


def is_officer_of(user, unit: Unit) -> bool:
    return workflow.OFFICER in unit_roles(user, unit)


def round_roles(user, round_: Round) -> frozenset[str]:
    """Officer or leader of the department that runs the round (its overview and publication)."""
    return unit_roles(user, round_.owner) & {workflow.OFFICER, workflow.LEADER}


@dataclass(frozen=True)
class Deadline:
    """One deadline of one unit: the round's, unless an officer extended it for the unit."""

    window: str
    due: date  # the deadline in force
    scheduled: date  # the round's
    extended: bool  # an extension for this unit holds

    def days_left(self, today: date) -> int:
        """Days until the deadline: 0 on the day itself, negative once it has passed."""
        return (self.due - today).days


def deadlines_of(assessment: UnitAssessment, extensions) -> dict[str, Deadline]:
    """Every deadline of one unit (`extensions`: the unit's, in any order): the latest
    extension of each window, else the round's date."""
    latest: dict[str, DeadlineExtension] = {}
    for extension in sorted(extensions, key=lambda e: (e.at, e.pk), reverse=True):
        latest.setdefault(extension.window, extension)
    round_ = assessment.round
    return {
        window: Deadline(
            window,
            latest[window].until if window in latest else round_.due(window),
            round_.due(window),
            window in latest,
        )
        for window in workflow.WINDOWS
    }


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
    def is_own(self) -> bool:
        """The department's own assessment (its unit runs the round): a leader approves it."""
        return self.assessment.unit_id == self.assessment.round.owner_id

    @property
    def deadlines(self) -> dict[str, Deadline]:
        """The unit's deadlines, extensions included (read once per access)."""
        cached = self.cache.get("deadlines")
        if cached is None:
            extensions = self.cache.get("extensions")
            if extensions is None and getattr(self.assessment, "_extended", True) is False:
                extensions = []  # `access_for` saw none: the round's dates, no query
            if extensions is None:
                extensions = DeadlineExtension.objects.filter(assessment_id=self.assessment.pk)
            cached = self.cache["deadlines"] = deadlines_of(self.assessment, extensions)
        return cached

    @property
    def current_deadline(self) -> Deadline | None:
        """The deadline the assessment's next step must meet (none once appraised)."""
        window = workflow.CURRENT_WINDOW.get(self.state)
        return self.deadlines[window] if window else None

    def refusal(self, action: str, today: date | None = None) -> Message | None:
        """Why the user cannot take `action` now, or None: roles, state, the leader's
        approval of the department's own assessment and the deadline in force, decided by
        `workflow.refusal` — for the buttons a page offers and for the action itself."""
        if not self.roles:
            return Message(N_("you have no access to this assessment"))
        facts = {
            "own": self.is_own,
            "approved": self.assessment.approved_at is not None,
        }
        reason = workflow.refusal(action, self.state, self.roles, **facts)
        window = workflow.window_of(action, self.state) if reason is None else None
        if window is None:
            return reason
        # Only an action the user could otherwise take needs the deadline (read lazily).
        return workflow.refusal(
            action,
            self.state,
            self.roles,
            **facts,
            due=self.deadlines[window].due,
            today=today or timezone.localdate(),
        )

    @property
    def actions(self) -> list[str]:
        """The workflow actions the user can take here and now: the page offers only these."""
        today = timezone.localdate()
        return [action for action in workflow.TRANSITIONS if self.refusal(action, today) is None]

    @property
    def overdue(self) -> list[Message]:
        """For each deadline that alone stops the user's next step: that it has passed and
        whom to ask for an extension (shown where the button would be)."""
        today = timezone.localdate()
        late: dict[str, Message] = {}
        for action in workflow.TRANSITIONS:
            window = workflow.window_of(action, self.state)
            if window is None or window in late or self.refusal(action, today) is None:
                continue
            before = workflow.refusal(
                action,
                self.state,
                self.roles,
                own=self.is_own,
                approved=self.assessment.approved_at is not None,
            )
            if before is None:  # allowed but for the deadline
                late[window] = workflow.late(window, self.deadlines[window].due)
        return list(late.values())

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
    stale). Costs 2–3 queries: the assessment with the appraiser check (and whether any
    deadline of it was extended), the memberships."""
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
            ),
            _extended=Exists(DeadlineExtension.objects.filter(assessment_id=OuterRef("pk"))),
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


def unit_tree() -> dict[int, int | None]:
    """Every unit's parent (id → parent id), one query: whole subtrees for leaders and
    officers, worked out in memory."""
    return dict(Unit.objects.values_list("id", "parent_id"))


def tree_for(user, memberships) -> dict[int, int | None] | None:
    """The unit tree when the user's roles reach beyond their own units (a leader, an
    officer, a superuser), else None: unit staff cost no query."""
    return unit_tree() if user.is_superuser or _heads(memberships) else None


def tree_roles(user, unit_id: int, memberships, parents: dict[int, int | None] | None):
    """`unit_roles` for a unit given by id, from memberships and the unit tree already read
    (`parents`: needed only when the user is a leader or officer somewhere). No query."""
    if user.is_superuser:
        return frozenset({workflow.OFFICER})
    return _membership_roles(memberships, unit_id, _lineage_from(parents or {}, unit_id))


def units_with_roles(user, memberships, parents: dict[int, int | None] | None) -> set[int]:
    """Every unit in which the user holds a role (`unit_roles` not empty): the units they are
    staff of, and the subtrees of those they lead or are the CCHC officer of. No query."""
    if user.is_superuser:
        return set(parents or {})
    units = {unit for unit, _role in memberships}
    if _heads(memberships) and parents:
        heads = {unit for unit, role in memberships if role != Membership.Role.STAFF}
        units |= {unit for unit in parents if heads & set(_lineage_from(parents, unit))}
    return units


def accesses(
    user,
    *,
    memberships: list[tuple[int, str]] | None = None,
    parents: dict[int, int | None] | None = None,
) -> list[Access]:
    """An access object for each assessment the user holds a role in, with the rules of
    `access_for`, built together: a fixed number of queries however many there are (the
    memberships and unit tree unless given, the assessments with the appraiser check, and
    their deadline extensions if any was extended). Newest round first, then by unit code."""
    if not user.is_authenticated:
        return []
    if memberships is None:
        memberships = memberships_of(user)
    if parents is None:
        parents = tree_for(user, memberships)
    loaded = list(
        visible_assessments(user, memberships, parents)
        .select_related("framework", "round", "round__owner", "unit")
        .annotate(
            _appraises=Exists(
                UnitAssessment.appraisers.through.objects.filter(
                    unitassessment_id=OuterRef("pk"), user_id=user.pk
                )
            ),
            _extended=Exists(DeadlineExtension.objects.filter(assessment_id=OuterRef("pk"))),
        )
        .order_by("-round__created_at", "-round__pk", "unit__code")
    )
    extensions: dict[int, list[DeadlineExtension]] = {a.pk: [] for a in loaded}
    extended = [a.pk for a in loaded if a._extended]
    if extended:
        for extension in DeadlineExtension.objects.filter(assessment_id__in=extended):
            extensions[extension.assessment_id].append(extension)
    result = []
    for assessment in loaded:
        roles = set(tree_roles(user, assessment.unit_id, memberships, parents))
        roles.discard(workflow.OFFICER)  # the officer is the round's department's
        if workflow.OFFICER in tree_roles(user, assessment.round.owner_id, memberships, parents):
            roles.add(workflow.OFFICER)
        if assessment._appraises:
            roles.add(workflow.APPRAISER)
        if roles:
            cache = {"extensions": extensions[assessment.pk]}
            result.append(Access(user, assessment, frozenset(roles), cache))
    return result


def roles_of(user, assessment: UnitAssessment) -> frozenset[str]:
    return access_for(user, assessment).roles


def can_read(user, assessment: UnitAssessment) -> bool:
    return access_for(user, assessment).can_read


def visible_assessments(
    user,
    memberships: list[tuple[int, str]] | None = None,
    parents: dict[int, int | None] | None = None,
) -> QuerySet:
    """Every unit assessment the user holds a role in (staff, appraiser, officer, leader),
    worked out for a whole list at once (the same rules as `access_for`). `parents`: the unit
    tree (id → parent id), if already read."""
    if user.is_superuser:
        return UnitAssessment.objects.all()
    if memberships is None:
        memberships = memberships_of(user)
    staff = {unit for unit, role in memberships if role == Membership.Role.STAFF}
    heads = {unit for unit, role in memberships if role != Membership.Role.STAFF}
    subtree: set[int] = set()
    if heads:
        if parents is None:
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
