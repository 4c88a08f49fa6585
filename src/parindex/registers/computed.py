"""The figure each bound input of a framework gets from the registers, per unit
(`registers.bindings` keeps it): what the grid shows beside a person's override, and what an
override is compared with. The value the criterion is scored from is the score entry; this is
the register's own count, kept even when a person typed over it."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ComputedValue(models.Model):
    """One named input of one framework for one unit, as the registers compute it over the
    framework's period. `value` None: the register holds nothing for the unit and period."""

    framework = models.ForeignKey(
        "frameworks.Framework",
        verbose_name=_("framework"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(_("input"), max_length=100)
    indicator = models.CharField(_("indicator"), max_length=100)
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=6, null=True, blank=True)
    numerator = models.DecimalField(
        _("numerator"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    denominator = models.DecimalField(
        _("denominator"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    start = models.DateField(_("period from"))
    end = models.DateField(_("period to"))
    computed_at = models.DateTimeField(_("computed at"))
    batch = models.ForeignKey(
        "registers.RegisterImport",
        verbose_name=_("import"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("the register import that last changed the figure"),
    )

    class Meta:
        verbose_name = _("computed input")
        verbose_name_plural = _("computed inputs")
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "unit", "key"], name="registers_computed_unique"
            )
        ]

    def __str__(self):
        return f"{self.unit_id} {self.key} = {self.value}"
