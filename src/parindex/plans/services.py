"""Write operations of the remediation plans, each with its permission check: drafting a plan
from the loss analysis, the one gate every change of an item goes through (`update_item`, and
`attach_evidence` for its documents), the plan's approval and reopening, and the reminders.
Pages and commands call these and never change the models directly; every change is recorded
in `PlanChange` (who, when, old, new, why).

Roles come from memberships (`parindex.assessments.access.unit_roles`): the plan's unit's CCHC
officer and leaders (or those of a unit above it); the people of an item's responsible unit;
those of its supporting units read it. What a role writes in a state is the domain's table
(`parindex.domain.plans.WRITABLE`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Count, Prefetch, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from parindex.assessments.access import (
    memberships_of,
    tree_for,
    tree_roles,
    unit_roles,
    units_with_roles,
)
from parindex.assessments.analysis import AnalysisError, loss_report, published
from parindex.assessments.criteria import EVIDENCE_TYPES, checked_upload
from parindex.assessments.errors import ActionRefused, Conflict
from parindex.domain import losses
from parindex.domain import plans as rules
from parindex.domain.i18n import Message
from parindex.domain.i18n import gettext_noop as N_
from parindex.domain.numbers import format_number
from parindex.plans.models import (
    ItemEvidence,
    PlanChange,
    RemediationItem,
    RemediationPlan,
    Reminder,
)
from parindex.units.models import Membership, Unit

logger = logging.getLogger(__name__)


def _refuse(msgid: str, **params) -> ActionRefused:
    return ActionRefused(Message(msgid, params))


@dataclass(frozen=True)
class Actor:
    """Who writes: a person (their roles decide), or the operator at the terminal (`parindex
    plan draft`), who acts as the CCHC officer and is recorded by name."""

    user: object | None
    name: str

    @classmethod
    def person(cls, user) -> Actor:
        return cls(user, user.get_username())

    @classmethod
    def terminal(cls, name: str) -> Actor:
        return cls(None, name)


# --- roles ---------------------------------------------------------------------------------------


def plan_roles(actor: Actor, plan: RemediationPlan, memberships=None) -> frozenset[str]:
    """The officer and leader roles towards a plan (staff of the plan's unit read it).
    `memberships`: the person's, already read."""
    if actor.user is None:
        return frozenset({rules.OFFICER})
    return unit_roles(actor.user, plan.unit, memberships) & {rules.OFFICER, rules.LEADER}


def can_read_plan(user, plan: RemediationPlan) -> bool:
    return bool(unit_roles(user, plan.unit))


def item_roles(actor: Actor, item: RemediationItem) -> frozenset[str]:
    if actor.user is None:
        return plan_roles(actor, item.plan)
    user = actor.user
    memberships = memberships_of(user)  # read once for every rule below
    roles = set(plan_roles(actor, item.plan, memberships))
    if item.responsible is not None and _in_responsible_unit(user, item, memberships):
        roles.add(rules.RESPONSIBLE)
    if unit_roles(user, item.plan.unit, memberships) or any(
        unit_roles(user, unit, memberships) for unit in item.supporting.all()
    ):
        roles.add(rules.READER)
    return frozenset(roles)


def _in_responsible_unit(user, item: RemediationItem, memberships=None) -> bool:
    """A person of the responsible unit: a role held in it, or in a unit between it and the
    plan's unit (a hospital's director for one of its departments). The plan's unit's leaders
    approve and follow the plan, they do not report on it: where that unit is itself
    responsible, its staff do (and the CCHC officer, by the officer's own row)."""
    if user.is_superuser:
        return True
    if memberships is None:
        memberships = memberships_of(user)
    plan_unit = item.plan.unit_id
    if item.responsible_id == plan_unit:  # the Sở's own work: its staff (the officer follows)
        return (plan_unit, Membership.Role.STAFF) in memberships
    lineage = item.responsible.lineage_ids()
    if plan_unit in lineage:
        lineage = lineage[: lineage.index(plan_unit)]
    return any(unit_id in lineage for unit_id, _role in memberships)


# --- drafting ------------------------------------------------------------------------------------


def _losses(framework, unit) -> list[losses.Loss]:
    try:
        data = published(framework, unit)
    except AnalysisError as exc:
        raise ActionRefused(exc.message) from None
    report = loss_report(data, None)
    # One item per lost point; a cap item is the arithmetic of an area, not work to do.
    return [
        item for item in report.items if item.kind == losses.CRITERION_ITEM and item.shown_lost > 0
    ]


@transaction.atomic
def draft(actor: Actor, framework, unit: Unit) -> tuple[RemediationPlan, int]:
    """Draft `unit`'s plan after its published results in `framework`: one item per criterion
    that lost points, with its points lost and the appraiser's reason as the cause. Drafting
    again adds the items of losses not yet in the plan and changes nothing else (idempotent);
    an approved plan is reopened first. Returns the plan and the number of items added."""
    plan = (
        RemediationPlan.objects.select_for_update(of=("self",))
        .filter(framework=framework, unit=unit)
        .first()
    )
    probe = plan or RemediationPlan(framework=framework, unit=unit)
    if rules.OFFICER not in plan_roles(actor, probe):
        raise _refuse(N_("only the CCHC officer drafts the plan of %(unit)s"), unit=unit.name)
    if plan is not None and plan.state != rules.DRAFT:
        raise _refuse(N_("the plan is approved: a leader or the officer reopens it first"))
    items = _losses(framework, unit)
    if plan is None:
        with override(settings.LANGUAGE_CODE):  # a document's title: the official language
            title = _("Remediation plan of %(unit)s after the %(year)s PAR Index") % {
                "unit": unit.name,
                "year": framework.year,
            }
        # Two officers drafting at once: one creates the plan, the other drafts into it.
        plan, created = RemediationPlan.objects.get_or_create(
            framework=framework, unit=unit, defaults={"title": title, "created_by": actor.name}
        )
        if created:
            _record(actor, plan, None, "state", "", rules.DRAFT, "")
    have = set(plan.items.values_list("code", flat=True))
    position = (plan.items.order_by("-position").values_list("position", flat=True).first()) or 0
    added = 0
    for loss in items:
        if loss.code in have:
            continue
        position += 1
        added += 1
        item = RemediationItem.objects.create(
            plan=plan,
            position=position,
            code=loss.code,
            title=loss.title,
            area=loss.area,
            area_title=loss.area_title,
            lost=loss.shown_lost,
            cause=loss.reason,
        )
        _record(actor, plan, item, "item", "", format_number(loss.shown_lost), "")
    if added:
        plan.version += 1
        plan.save(update_fields=["version"])
    return plan, added


# --- the one gate for items ----------------------------------------------------------------------

TEXT_FIELDS = ("cause", "solution", "progress_note")


def _dmy(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def _shown(name: str, value) -> str:
    """A field's value as the audit trail keeps it."""
    if value is None:
        return ""
    if name == "responsible":
        return value.code
    if name == "supporting":
        return ", ".join(sorted(unit.code for unit in value))
    if name == "deadline":
        return _dmy(value)
    return str(value)


def _unit_in_plan(plan: RemediationPlan, value, field: str) -> Unit | None:
    if value in (None, ""):
        return None
    unit = value if isinstance(value, Unit) else Unit.objects.filter(code=str(value)).first()
    if unit is None:
        raise _refuse(N_("unknown unit “%(code)s”"), code=value)
    if plan.unit_id not in unit.lineage_ids():
        raise _refuse(
            N_("%(unit)s is not a unit of %(owner)s"), unit=unit.code, owner=plan.unit.code
        )
    return unit


def _progress(raw) -> int:
    try:
        value = Decimal(str(raw).strip().rstrip("%").strip())
    except ArithmeticError:
        value = None
    if value is None or value != value.to_integral_value() or not 0 <= value <= 100:
        raise _refuse(N_("progress is a whole percentage from 0 to 100, not “%(raw)s”"), raw=raw)
    return int(value)


def _lock(item: RemediationItem, expected_version: int | None) -> RemediationItem:
    locked = (
        RemediationItem.objects.select_for_update(of=("self",))
        .select_related("plan", "plan__unit", "plan__framework", "responsible")
        .get(pk=item.pk)
    )
    if expected_version is not None and expected_version != locked.version:
        raise Conflict(
            Message(N_("someone else changed this item meanwhile; reload the page and try again"))
        )
    return locked


@transaction.atomic
def update_item(
    actor: Actor,
    item: RemediationItem,
    changes: dict,
    *,
    expected_version: int | None = None,
    reason: str = "",
    today: date | None = None,
) -> RemediationItem:
    """Change fields of one item: the one gate for every writer (the plan editor, the unit's
    progress form, a command). Each field is checked against who may write its part in the
    plan's state; nothing is written unless every change is accepted; each changed field is
    audited."""
    item = _lock(item, expected_version)
    plan = item.plan
    roles = item_roles(actor, item)
    unknown = [name for name in changes if name not in rules.PART_OF or name == "evidence"]
    if unknown:
        raise _refuse(N_("“%(field)s” is not a field of a plan item"), field=unknown[0])
    for part in sorted({rules.PART_OF[name] for name in changes}):
        refusal = rules.write_refusal(roles, plan.state, part)
        if refusal is not None:
            raise ActionRefused(refusal)

    new: dict[str, object] = {}
    for name, raw in changes.items():
        if name in TEXT_FIELDS:
            new[name] = str(raw or "").strip()
        elif name == "responsible":
            new[name] = _unit_in_plan(plan, raw, name)
        elif name == "supporting":
            units = [_unit_in_plan(plan, value, name) for value in (raw or []) if value]
            new[name] = {unit for unit in units if unit is not None}
        elif name == "deadline":
            if raw not in (None, "") and not isinstance(raw, date):
                raise _refuse(N_("a deadline is a date (dd/mm/yyyy)"))
            new[name] = raw or None
        elif name == "status":
            if raw not in rules.STATUSES:
                raise _refuse(N_("unknown status “%(status)s”"), status=raw)
            new[name] = raw
        elif name == "progress":
            new[name] = _progress(raw)
    status = new.get("status", item.status)
    progress = new.get("progress", item.progress)
    if "status" not in new and status == rules.TODO and progress > 0:
        new["status"] = status = rules.DOING  # a progress reported: the work has started
    if rules.PROGRESS in {rules.PART_OF[name] for name in new}:
        problem = rules.progress_problem(status, progress, item.evidence.count())
        if problem is not None:
            raise ActionRefused(problem)
    old_supporting = set(item.supporting.all())
    responsible = new.get("responsible", item.responsible)
    if responsible is not None and responsible in new.get("supporting", old_supporting):
        # The responsible unit does not support itself.
        new["supporting"] = set(new.get("supporting", old_supporting)) - {responsible}

    changed = []
    for name, value in new.items():
        old = old_supporting if name == "supporting" else getattr(item, name)
        if old == value:
            continue
        changed.append(name)
        _record(actor, plan, item, name, _shown(name, old), _shown(name, value), reason)
        if name == "supporting":
            item.supporting.set(value)
        else:
            setattr(item, name, value)
    if "status" in changed:
        item.done_on = (today or timezone.localdate()) if item.status == rules.DONE else None
    if changed:
        item.version += 1
        item.save()
        if plan.state == rules.APPROVED and {"status", "deadline"} & set(changed):
            _announce(plan)
    return item


@transaction.atomic
def attach_evidence(actor: Actor, item: RemediationItem, upload, title: str) -> ItemEvidence:
    """Store a document that shows the item's progress (the progress part: the responsible
    unit or the officer, once the plan is approved). The same file again is not stored twice."""
    item = _lock(item, None)
    refusal = rules.write_refusal(item_roles(actor, item), item.plan.state, rules.PROGRESS)
    if refusal is not None:
        raise ActionRefused(refusal)
    if not title.strip():
        raise _refuse(N_("give the document's title"))
    kind, sha256 = checked_upload(upload)
    evidence = item.evidence.filter(sha256=sha256).first()
    if evidence is not None:
        return evidence
    upload.seek(0)
    evidence = ItemEvidence(
        item=item,
        original_name=upload.name[:255],
        content_type=EVIDENCE_TYPES[kind],
        size=upload.size,
        sha256=sha256,
        title=title.strip(),
        uploaded_by=actor.user,
    )
    evidence.file.save(kind, upload, save=False)
    evidence.save()
    _record(actor, item.plan, item, "evidence", "", evidence.title, "")
    item.version += 1
    item.save(update_fields=["version"])
    return evidence


# --- approval ------------------------------------------------------------------------------------


@transaction.atomic
def transition(
    actor: Actor,
    plan: RemediationPlan,
    action: str,
    *,
    reason: str = "",
    expected_version: int | None = None,
) -> RemediationPlan:
    """Approve a draft (a leader) or reopen an approved plan (a leader or the officer)."""
    plan = (
        RemediationPlan.objects.select_for_update(of=("self",))
        .select_related("unit", "framework")
        .get(pk=plan.pk)
    )
    if expected_version is not None and expected_version != plan.version:
        raise Conflict(
            Message(N_("someone else changed this plan meanwhile; reload the page and try again"))
        )
    refusal = rules.transition_refusal(action, plan.state, plan_roles(actor, plan))
    if refusal is not None:
        raise ActionRefused(refusal)
    step = rules.TRANSITIONS[action]
    if step.needs_reason and not reason.strip():
        raise _refuse(N_("say why the plan is reopened"))
    if action == "approve":
        facts = [
            rules.ItemFacts(i.code, i.solution, i.responsible_id is not None, i.deadline)
            for i in plan.items.all()
        ]
        problems = rules.approval_problems(facts)
        if problems:
            raise ActionRefused(
                Message(N_("the plan cannot be approved yet: %(problems)s"), {"problems": problems})
            )
        plan.approved_by, plan.approved_at = actor.user, timezone.now()
    else:
        plan.approved_by, plan.approved_at = None, None
    _record(actor, plan, None, "state", plan.state, step.target, reason.strip())
    plan.state = step.target
    plan.version += 1
    plan.save()
    _announce(plan)
    return plan


def _record(actor: Actor, plan, item, field: str, old: str, new: str, reason: str) -> None:
    PlanChange.objects.create(
        plan=plan,
        item=item,
        field=field,
        old=old,
        new=new,
        actor=actor.name,
        user=actor.user,
        reason=reason,
    )


def _announce(plan: RemediationPlan) -> None:
    """The plan's completion is an indicator (`plan.tasks`, `plan.tasks_done`): the figures of
    the unit's open assessments are computed again once this commits."""
    from parindex.registers.models import RegisterKind
    from parindex.registers.signals import changed

    changed(RegisterKind.PLAN_TASKS, {plan.unit_id})


# --- reading -------------------------------------------------------------------------------------


def plan_items(plan: RemediationPlan):
    return (
        plan.items.select_related("responsible")
        .prefetch_related("supporting")
        .annotate(evidence_count=Count("evidence"))
        .order_by("position")
    )


@dataclass
class Completion:
    done: int
    total: int
    overdue: int

    @property
    def percent(self) -> Decimal | None:
        return Decimal(100) * self.done / self.total if self.total else None


def completion(items, today: date) -> Completion:
    items = list(items)
    return Completion(
        sum(1 for i in items if i.status == rules.DONE),
        len(items),
        sum(1 for i in items if rules.is_overdue(i.deadline, i.status, today)),
    )


def assigned_items(user, memberships=None, parents=None) -> list[RemediationItem]:
    """The items of approved plans that the user's units are responsible for (the rule of
    `item_roles`: a role in the responsible unit, not only in the Sở above it), open ones
    first by deadline. `memberships`, `parents`: already read (`access.memberships_of`,
    `access.tree_for`)."""
    if memberships is None:
        memberships = memberships_of(user)
        parents = tree_for(user, memberships)
    if not user.is_superuser and not memberships:
        return []
    units = units_with_roles(user, memberships, parents)
    items = (
        RemediationItem.objects.filter(plan__state=rules.APPROVED, responsible_id__in=units)
        .select_related("plan", "plan__framework", "plan__unit", "responsible__parent__parent")
        .annotate(finished=Case(When(status=rules.DONE, then=1), default=0))
        .order_by("finished", "deadline", "plan__unit__code", "position")
    )
    return [item for item in items if _in_responsible_unit(user, item, memberships)]


def followed_plans(
    user, today: date, memberships=None, parents=None
) -> list[tuple[RemediationPlan, Completion]]:
    """The plans the user drafts, approves or follows (officer or leader of the plan's unit),
    newest first, each with its completion. No query for a person who heads no unit."""
    if memberships is None:
        memberships = memberships_of(user)
        parents = tree_for(user, memberships)
    if parents is None:
        return []
    plans = RemediationPlan.objects.select_related("unit", "framework").prefetch_related("items")
    result = []
    for plan in plans.order_by("-framework__year", "unit__code"):
        roles = tree_roles(user, plan.unit_id, memberships, parents)
        if roles & {rules.OFFICER, rules.LEADER}:
            result.append((plan, completion(plan.items.all(), today)))
    return result


def unread_reminders(user):
    return (
        Reminder.objects.filter(user=user, read_at__isnull=True)
        .select_related("item", "item__plan", "item__plan__unit", "item__responsible")
        .order_by("-sent_at", "-id")
    )


def mark_read(user, reminder_ids) -> int:
    return Reminder.objects.filter(user=user, pk__in=reminder_ids, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- reminders -----------------------------------------------------------------------------------


@dataclass
class RemindReport:
    today: date
    sent: int = 0
    emailed: int = 0
    items: int = 0
    failed: int = 0


REMINDER_SUBJECTS = {
    "due": N_("Due today: remediation item %(code)s of %(unit)s"),
    "overdue": N_("Overdue: remediation item %(code)s of %(unit)s (deadline %(deadline)s)"),
}
REMINDER_BEFORE_SUBJECT = N_(
    "In %(days)s days: remediation item %(code)s of %(unit)s (deadline %(deadline)s)"
)


def reminder_subject(
    reminder_kind: str, item: RemediationItem, deadline: date | None = None
) -> str:
    """The reminder in one line (its e-mail's subject, its line on the home page); `deadline`:
    the one it reminded of (the item's may have moved since)."""
    params = {
        "code": item.code,
        "unit": item.plan.unit.code,
        "deadline": _dmy(deadline or item.deadline),
    }
    if reminder_kind.startswith("before-"):
        params["days"] = reminder_kind.split("-", 1)[1]
        return _(REMINDER_BEFORE_SUBJECT) % params
    return _(REMINDER_SUBJECTS[reminder_kind]) % params


def recipients(item: RemediationItem) -> list:
    """Who is reminded of an item: the people of its responsible unit (its staff, else those
    who head it) and the CCHC officers of the plan's unit, active accounts only."""
    from django.contrib.auth import get_user_model

    from parindex.units.models import Membership

    users = get_user_model().objects.filter(is_active=True)
    staff = users.filter(
        memberships__unit=item.responsible, memberships__role=Membership.Role.STAFF
    )
    heads = users.filter(
        memberships__unit_id__in=item.responsible.lineage_ids(),
        memberships__role__in=(Membership.Role.OFFICER, Membership.Role.LEADER),
    )
    officers = users.filter(
        memberships__unit_id__in=item.plan.unit.lineage_ids(),
        memberships__role=Membership.Role.OFFICER,
    )
    people = set(staff) or set(heads)
    return sorted(people | set(officers), key=lambda user: user.pk)


def send_reminders(today: date | None = None) -> RemindReport:
    """Remind the people of every open item of an approved plan whose deadline is near, today
    or passed (`parindex.domain.plans.reminder_kind`): in the app, and by e-mail when an
    e-mail backend is configured and the person has an address. Each reminder goes out once
    per item, kind, deadline and person: running this twice a day sends nothing twice."""
    from django.core.mail import send_mail

    today = today or timezone.localdate()
    report = RemindReport(today)
    horizon = today + timedelta(days=max(rules.REMIND_BEFORE))
    items = (
        RemediationItem.objects.filter(
            plan__state=rules.APPROVED,
            responsible__isnull=False,
            deadline__isnull=False,
            deadline__lte=horizon,
        )
        .exclude(status=rules.DONE)
        .select_related("plan", "plan__unit", "plan__framework", "responsible")
        .prefetch_related(
            Prefetch(
                "reminders",
                queryset=Reminder.objects.only("kind", "deadline", "user_id", "item_id"),
            )
        )
    )
    for item in items:
        kind = rules.reminder_kind(item.deadline, item.status, today)
        if kind is None:
            continue
        sent = {(r.kind, r.deadline, r.user_id) for r in item.reminders.all()}
        people = [u for u in recipients(item) if (kind, item.deadline, u.pk) not in sent]
        if not people:
            continue
        report.items += 1
        for user in people:
            with transaction.atomic():
                reminder, created = Reminder.objects.get_or_create(
                    item=item, kind=kind, deadline=item.deadline, user=user
                )
            if not created:
                continue
            report.sent += 1
            if not (settings.EMAIL_CONFIGURED and user.email):
                continue
            with override(settings.LANGUAGE_CODE):
                subject = reminder_subject(kind, item)
                body = _reminder_body(item)
            try:
                send_mail(subject, body, None, [user.email])
            except Exception:  # an unreachable server: the in-app reminder stands
                report.failed += 1
                logger.exception("e-mailing the reminder of item %s to %s", item.pk, user.email)
            else:
                Reminder.objects.filter(pk=reminder.pk).update(emailed=True)
                report.emailed += 1
    return report


def _reminder_body(item: RemediationItem) -> str:
    from django.urls import reverse

    link = settings.SITE_URL.rstrip("/") + reverse("web:plan-item", args=[item.pk])
    return "\n".join(
        [
            item.plan.title,
            "",
            f"{item.code} — {item.title}",
            _("Responsible unit: %(unit)s") % {"unit": item.responsible.name},
            _("Deadline: %(date)s") % {"date": _dmy(item.deadline)},
            _("Progress: %(progress)s %%") % {"progress": item.progress},
            _("Solution: %(solution)s") % {"solution": item.solution},
            "",
            link,
        ]
    )


# --- the daily job ---------------------------------------------------------------------------


def next_run(now: datetime | None = None) -> datetime:
    """The next reminder hour (settings.REMIND_HOUR, local time) after `now`."""
    now = timezone.localtime(now)
    run = now.replace(hour=settings.REMIND_HOUR, minute=0, second=0, microsecond=0)
    return run if run > now else run + timedelta(days=1)


# --- JSON ----------------------------------------------------------------------------------------


def plan_json(plan: RemediationPlan, today: date) -> dict:
    """A plan as `parindex plan list --json` prints it (docs/improvement.md)."""
    from parindex.domain.scoring import json_number

    items = list(plan_items(plan).prefetch_related("evidence"))
    done = completion(items, today)
    return {
        "unit": plan.unit.code,
        "framework": plan.framework.code,
        "title": plan.title,
        "state": plan.state,
        "approved_by": plan.approved_by.get_username() if plan.approved_by else None,
        "approved_at": plan.approved_at.isoformat() if plan.approved_at else None,
        "tasks": done.total,
        "tasks_done": done.done,
        "overdue": done.overdue,
        "items": [
            {
                "code": item.code,
                "title": item.title,
                "area": item.area,
                "lost": json_number(item.lost),
                "cause": item.cause,
                "solution": item.solution,
                "responsible": item.responsible.code if item.responsible else None,
                "supporting": sorted(unit.code for unit in item.supporting.all()),
                "deadline": item.deadline.isoformat() if item.deadline else None,
                "status": item.status,
                "progress": item.progress,
                "done_on": item.done_on.isoformat() if item.done_on else None,
                "overdue": rules.is_overdue(item.deadline, item.status, today),
                "evidence": [evidence.title for evidence in item.evidence.all()],
                "progress_note": item.progress_note,
            }
            for item in items
        ],
    }
