"""Write operations of the assessment cycle, each with its permission check (Wagtail-style
actions). Views, the API and commands call these and never change the models directly.

Every action checks who may act (roles from memberships and appraiser assignments), the
workflow state (`parindex.domain.workflow`) and the round's deadlines, then records a
`WorkflowEvent`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from parindex.assessments.access import (
    access_for,
    can_read,
    deadlines_of,
    is_officer_of,
    roles_of,
    unit_roles,
)
from parindex.assessments.errors import ActionRefused, Conflict
from parindex.assessments.models import (
    DeadlineExtension,
    Round,
    ScoreEntry,
    UnitAssessment,
    WorkflowEvent,
)
from parindex.domain import workflow
from parindex.domain.i18n import Message
from parindex.domain.i18n import gettext_noop as N_
from parindex.frameworks.models import Framework
from parindex.units.models import Unit

# Callers of the actions also check roles: the access module's functions, under one roof.
__all__ = ["ActionRefused", "Conflict", "can_read", "is_officer_of", "roles_of", "unit_roles"]


def _refuse(msgid: str, **params) -> ActionRefused:
    return ActionRefused(Message(msgid, params))


def _dmy(day: date) -> str:
    return day.strftime("%d/%m/%Y")


# --- opening a round ------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundDates:
    self_due: date
    appraisal_due: date
    explanation_due: date
    appraisal2_due: date


@transaction.atomic
def open_round(
    user,
    *,
    framework: Framework,
    owner: Unit,
    title: str,
    dates: RoundDates,
    units: list[Unit],
    appraisers: dict[int, list] | None = None,
) -> Round:
    """Open a round of `framework` for `units` (the owner's subtree), with its deadlines."""
    if not is_officer_of(user, owner):
        raise _refuse(N_("only a CCHC officer of %(unit)s may open its rounds"), unit=owner.name)
    if not framework.is_published:
        raise _refuse(N_("framework %(code)s is not published yet"), code=framework.code)
    order = [dates.self_due, dates.appraisal_due, dates.explanation_due, dates.appraisal2_due]
    if order != sorted(order):
        raise _refuse(
            N_(
                "the deadlines must follow the cycle: self-assessment, appraisal, "
                "explanations, second appraisal"
            )
        )
    if not units:
        raise _refuse(N_("a round needs at least one unit"))
    outside = [u.code for u in units if owner.pk not in u.lineage_ids()]
    if outside:
        raise _refuse(
            N_("%(units)s are not under %(owner)s"), units=", ".join(outside), owner=owner.name
        )
    _refuse_assessed(framework, units)
    round_ = Round.objects.create(
        framework=framework, owner=owner, title=title, created_by=user, **dates.__dict__
    )
    for unit in units:
        assessment = UnitAssessment.objects.create(round=round_, framework=framework, unit=unit)
        for appraiser in (appraisers or {}).get(unit.pk, []):
            assessment.appraisers.add(appraiser)
        WorkflowEvent.objects.create(
            assessment=assessment,
            action="open",
            from_state="",
            to_state=workflow.DRAFT,
            actor=user,
            note=title,
        )
    return round_


def _refuse_assessed(framework: Framework, units: list[Unit]) -> None:
    """One assessment per framework and unit: scores are stored by framework and unit, so a
    second round would take over (and could change) figures another round owns or published.
    Results recorded outside any round are published figures too."""
    problems = list(assessed_units(framework, units).values())
    if problems:
        raise ActionRefused(
            Message(
                N_("a unit has one assessment per framework: %(problems)s"),
                {"problems": problems},
            )
        )


def assessed_units(framework: Framework, units) -> dict[int, Message]:
    """Why each of `units` (units or ids) cannot join a new round of `framework`, by unit id:
    the check of `open_round`, also shown by the round form beside each unit (two queries)."""
    taken = list(
        UnitAssessment.objects.filter(framework=framework, unit__in=units)
        .select_related("unit", "round")
        .order_by("unit__code")
    )
    # The framework by its title and year, as people know it (its code is for files).
    problems = {
        a.unit_id: Message(
            N_(
                "%(unit)s is already assessed on “%(framework)s” (%(year)s) in the round "
                "“%(round)s” (%(state)s)"
            ),
            {
                "unit": a.unit.code,
                "framework": framework.title,
                "year": framework.year,
                "round": a.round.title,
                "state": Message(workflow.STATE_LABELS[a.state]),
            },
        )
        for a in taken
    }
    recorded = (
        ScoreEntry.objects.filter(framework=framework, unit__in=units)
        .exclude(unit_id__in=list(problems))
        .values_list("unit_id", "unit__code")
        .distinct()
        .order_by("unit__code")
    )
    for unit_id, code in recorded:
        problems[unit_id] = Message(
            N_(
                "%(unit)s already has results of “%(framework)s” (%(year)s) recorded outside "
                "a round (published figures)"
            ),
            {"unit": code, "framework": framework.title, "year": framework.year},
        )
    return problems


# --- transitions ----------------------------------------------------------------------------


def deadline(assessment: UnitAssessment, window: str) -> date:
    """The deadline in force for one unit: the latest extension, else the round's."""
    return deadlines_of(assessment, assessment.extensions.all())[window].due


def _lock(assessment: UnitAssessment, expected_version: int | None) -> UnitAssessment:
    """The assessment, locked for this transaction and checked against the version seen."""
    locked = (
        UnitAssessment.objects.select_for_update()
        .select_related("round", "round__owner", "unit")
        .get(pk=assessment.pk)
    )
    _check_version(locked, expected_version)
    return locked


def _check_version(assessment: UnitAssessment, expected: int | None) -> None:
    if expected is not None and expected != assessment.version:
        raise Conflict(
            Message(
                N_("someone else changed this assessment meanwhile; reload the page and try again")
            )
        )


@transaction.atomic
def transition(
    user,
    assessment: UnitAssessment,
    action: str,
    *,
    note: str = "",
    expected_version: int | None = None,
    today: date | None = None,
) -> WorkflowEvent:
    """Take a workflow action on one unit's assessment. Whether the user may take it now is
    the access object's decision (`Access.refusal`), the same that decides which buttons a
    page offers; only what the user can put right on the page is checked here besides."""
    assessment = _lock(assessment, expected_version)
    access = access_for(user, assessment.pk)  # read inside the lock: the state as it is
    reason = access.refusal(action, today)
    if reason is not None:
        raise ActionRefused(reason)
    if action == "submit":
        from parindex.assessments.criteria import unsupported_criteria

        missing = unsupported_criteria(assessment)
        if missing:
            raise _refuse(
                N_("attach evidence or write an explanation for %(codes)s before submitting"),
                codes=", ".join(missing),
            )
    if action == "approve":
        assessment.approved_by, assessment.approved_at = user, timezone.now()
    return _move(user, assessment, action, workflow.TRANSITIONS[action].target, note)


def _move(user, assessment, action, target, note, override=False) -> WorkflowEvent:
    """Put a locked assessment in `target` and record the step. Back in draft, the leader's
    approval no longer holds."""
    before = assessment.state
    if target == workflow.DRAFT:
        assessment.approved_by, assessment.approved_at = None, None
    assessment.state = target
    assessment.version += 1
    assessment.save()
    return WorkflowEvent.objects.create(
        assessment=assessment,
        action=action,
        from_state=before,
        to_state=target,
        actor=user,
        note=note,
        override=override,
    )


@transaction.atomic
def reopen(
    user,
    assessment: UnitAssessment,
    target: str,
    *,
    reason: str,
    expected_version: int | None = None,
) -> WorkflowEvent:
    """The officer sends an assessment back to an earlier state; recorded as an override."""
    assessment = _lock(assessment, expected_version)
    refusal = workflow.reopen_refusal(assessment.state, target, roles_of(user, assessment))
    if refusal is not None:
        raise ActionRefused(refusal)
    if not reason.strip():
        raise _refuse(N_("say why the assessment is reopened"))
    return _move(user, assessment, "reopen", target, reason, override=True)


@transaction.atomic
def extend_deadline(
    user, assessment: UnitAssessment, window: str, until: date, *, reason: str
) -> DeadlineExtension:
    """The officer moves one deadline for one unit; recorded as an override."""
    if window not in workflow.WINDOWS:
        raise _refuse(N_("unknown deadline “%(window)s”"), window=window)
    if workflow.OFFICER not in roles_of(user, assessment):
        raise _refuse(N_("only the CCHC officer may extend a deadline"))
    if assessment.state == workflow.PUBLISHED:
        raise _refuse(N_("the results are published: nothing can change any more"))
    if not reason.strip():
        raise _refuse(N_("say why the deadline is extended"))
    extension = DeadlineExtension.objects.create(
        assessment=assessment, window=window, until=until, granted_by=user, reason=reason
    )
    WorkflowEvent.objects.create(
        assessment=assessment,
        action="extend",
        from_state=assessment.state,
        to_state=assessment.state,
        actor=user,
        override=True,
        note=f"{window} → {_dmy(until)}: {reason}",
    )
    return extension


def publish_round(user, round_: Round) -> list[WorkflowEvent]:
    """Publish every unit of the round whose appraisal is finished; each is its own action."""
    if not is_officer_of(user, round_.owner):
        raise _refuse(N_("only the CCHC officer may publish"))
    return [
        transition(user, assessment, "publish")
        for assessment in round_.assessments.filter(state=workflow.FINAL)
    ]
