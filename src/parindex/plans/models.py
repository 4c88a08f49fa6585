"""The remediation plan (kế hoạch khắc phục) of a unit after its published results, its items
(one per lost point), their evidence of completion, their audit trail and the reminders sent.
The rules are the domain's (`parindex.domain.plans`); every write goes through
`parindex.plans.services`."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parindex.assessments.models import StoredDocument, evidence_storage
from parindex.domain import plans


class RemediationPlan(models.Model):
    """One unit's plan after its results on one framework."""

    class State(models.TextChoices):
        DRAFT = plans.DRAFT, _("being drafted")
        APPROVED = plans.APPROVED, _("approved")

    framework = models.ForeignKey(
        "frameworks.Framework",
        verbose_name=_("framework"),
        on_delete=models.PROTECT,
        related_name="remediation_plans",
    )
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="remediation_plans",
    )
    title = models.CharField(_("title"), max_length=300)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=plans.DRAFT)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.CharField(_("drafted by"), max_length=150)
    created_at = models.DateTimeField(_("drafted at"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("remediation plan")
        verbose_name_plural = _("remediation plans")
        ordering = ["-framework__year", "unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "unit"], name="plans_plan_unique"),
        ]

    def __str__(self):
        return f"{self.unit.code} {self.framework.code}"


class RemediationItem(models.Model):
    """One lost point of the plan: what was lost, why, what is done about it, by whom and by
    when, and how far it has come."""

    class Status(models.TextChoices):
        TODO = plans.TODO, _("not started")
        DOING = plans.DOING, _("in progress")
        DONE = plans.DONE, _("done")

    plan = models.ForeignKey(
        RemediationPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="items"
    )
    position = models.PositiveIntegerField(_("position"))
    code = models.CharField(_("criterion"), max_length=50)
    title = models.TextField(_("criterion title"))
    area = models.CharField(_("area"), max_length=50, blank=True)
    area_title = models.TextField(_("area title"), blank=True)
    lost = models.DecimalField(_("points lost"), max_digits=12, decimal_places=6)
    cause = models.TextField(_("cause"), blank=True)
    solution = models.TextField(_("solution"), blank=True)
    responsible = models.ForeignKey(
        "units.Unit",
        verbose_name=_("responsible unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="remediation_items",
    )
    supporting = models.ManyToManyField(
        "units.Unit", verbose_name=_("supporting units"), blank=True, related_name="+"
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=plans.TODO
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    progress_note = models.TextField(_("progress note"), blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("remediation item")
        verbose_name_plural = _("remediation items")
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="plans_item_unique_code"),
        ]
        indexes = [models.Index(fields=["responsible", "deadline"], name="plans_item_due")]

    def __str__(self):
        return f"{self.plan} {self.code}"


def _evidence_name(instance, filename: str) -> str:
    # Random names, as for the assessments' evidence: nothing of the unit in the file name.
    return f"plans/{secrets.token_hex(16)}"


class ItemEvidence(StoredDocument):
    """A document that shows an item was done (a decision, a report, a screenshot)."""

    item = models.ForeignKey(
        RemediationItem,
        verbose_name=_("remediation item"),
        on_delete=models.PROTECT,
        related_name="evidence",
    )
    file = models.FileField(
        _("file"), storage=evidence_storage, upload_to=_evidence_name, max_length=200
    )

    class Meta:
        verbose_name = _("evidence of completion")
        verbose_name_plural = _("evidence of completion")
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "sha256"], name="plans_evidence_once"),
        ]

    def __str__(self):
        return self.title


class PlanChange(models.Model):
    """The audit trail of a plan: every change of an item's field, every evidence added, every
    approval and reopening, with who, when, the old and new value and why."""

    plan = models.ForeignKey(
        RemediationPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="changes"
    )
    item = models.ForeignKey(
        RemediationItem,
        verbose_name=_("remediation item"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="changes",
    )
    field = models.CharField(_("field"), max_length=20)
    old = models.TextField(_("old"), blank=True)
    new = models.TextField(_("new"), blank=True)
    actor = models.CharField(_("by"), max_length=150)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("plan change")
        verbose_name_plural = _("plan changes")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.plan} {self.field}: {self.old} → {self.new}"


class Reminder(models.Model):
    """A reminder of an item's deadline to one person: shown in the app until read, e-mailed
    when an e-mail backend is configured. One per item, kind, deadline and person, so that
    running the reminders twice sends nothing twice."""

    item = models.ForeignKey(
        RemediationItem,
        verbose_name=_("remediation item"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    kind = models.CharField(_("kind"), max_length=12)
    deadline = models.DateField(_("deadline"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="plan_reminders",
    )
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    emailed = models.BooleanField(_("e-mailed"), default=False)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "kind", "deadline", "user"], name="plans_reminder_once"
            ),
        ]

    def __str__(self):
        return f"{self.item} {self.kind} → {self.user}"
