from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parindex.domain import scoring


class Stage(models.TextChoices):
    """Later stages prevail: the appraised score counts even when lower than the self score."""

    SELF = scoring.SELF, _("self-assessment")
    APPRAISAL = scoring.APPRAISAL, _("appraisal")
    APPRAISAL2 = scoring.APPRAISAL2, _("appraisal, round 2")
    FINAL = scoring.FINAL, _("final")


class ScoreEntry(models.Model):
    """What was entered for one unit, stage and key: the points of a criterion (or of BONUS /
    PENALTY), or the value of a named input (`dossiers.postal_share`) that a rule reads."""

    framework = models.ForeignKey(
        "frameworks.Framework",
        verbose_name=_("framework"),
        on_delete=models.PROTECT,
        related_name="entries",
    )
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="entries"
    )
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    key = models.CharField(_("criterion or input"), max_length=100)
    points = models.DecimalField(_("points"), max_digits=9, decimal_places=4, null=True, blank=True)
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=6, null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.CharField(_("updated by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("score entry")
        verbose_name_plural = _("score entries")
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "unit", "stage", "key"], name="score_entry_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(points__isnull=True, value__isnull=False)
                | models.Q(points__isnull=False, value__isnull=True),
                name="score_entry_points_xor_value",
            ),
        ]
        indexes = [models.Index(fields=["framework", "stage"])]

    def __str__(self):
        return f"{self.unit_id} {self.stage} {self.key}"


class ScoreChange(models.Model):
    """The audit trail: every change of an entry, with who, when, old, new and why."""

    framework = models.ForeignKey(
        "frameworks.Framework",
        verbose_name=_("framework"),
        on_delete=models.PROTECT,
        related_name="changes",
    )
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="changes"
    )
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    key = models.CharField(_("criterion or input"), max_length=100)
    field = models.CharField(_("field"), max_length=10)  # points | value
    old = models.DecimalField(_("old"), max_digits=20, decimal_places=6, null=True, blank=True)
    new = models.DecimalField(_("new"), max_digits=20, decimal_places=6, null=True, blank=True)
    actor = models.CharField(_("by"), max_length=150)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    reason = models.TextField(_("reason"))
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("score change")
        verbose_name_plural = _("score changes")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.unit_id} {self.stage} {self.key}: {self.old} → {self.new}"
