import re

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from parindex.domain.i18n import gettext_noop as N_

# A unit code goes into URLs, file names and sheet cells: 1–50 letters, digits, dots, dashes or
# underscores, starting and ending with a letter or digit (SYT, BVDK, TTYT-A, SYT.VP). No
# spaces, slashes or brackets. Documented in docs/data-files.md.
UNIT_CODE_PATTERN = r"^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,48}[A-Za-z0-9])?\Z"
UNIT_CODE = re.compile(UNIT_CODE_PATTERN)
UNIT_CODE_RULE = N_(
    "a unit code is 1 to 50 letters (without accents), digits, dots, dashes or underscores, "
    "starting and ending with a letter or digit, e.g. SYT or TTYT-A; no spaces, slashes or "
    "brackets"
)
validate_unit_code = RegexValidator(UNIT_CODE_PATTERN, _(UNIT_CODE_RULE), code="invalid_unit_code")


class PeerGroup(models.Model):
    """Units ranked together, e.g. the 21 departments (sở, ban, ngành) of a province."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("peer group")
        verbose_name_plural = _("peer groups")
        ordering = ["code"]

    def __str__(self):
        return self.name


class Unit(models.Model):
    """An organisation that is scored or that holds scored units: a Sở Y tế, its office,
    departments and subordinate units (hospitals, health centres, CDC …)."""

    code = models.CharField(_("code"), max_length=50, unique=True, validators=[validate_unit_code])
    name = models.CharField(_("name"), max_length=300)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    group = models.ForeignKey(
        PeerGroup,
        verbose_name=_("peer group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="units",
    )

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} — {self.name}"

    def lineage_ids(self) -> list[int]:
        """This unit's id and its ancestors' ids, nearest first (hierarchies are shallow)."""
        ids, unit = [], self
        while unit is not None and unit.pk not in ids:
            ids.append(unit.pk)
            unit = unit.parent
        return ids


class Membership(models.Model):
    """A person's role in a unit. Officers and leaders of a unit act on its whole subtree
    (a department's officer runs the rounds of its offices and subordinate units).

    An appraiser membership (held in the unit the appraiser works for, e.g. the Sở Nội vụ)
    only makes the account one the officer may assign to a unit in a round: it grants no
    reading right by itself (`parindex.assessments.access` leaves it out); the assignment in
    the round does."""

    class Role(models.TextChoices):
        STAFF = "staff", _("unit staff")
        OFFICER = "officer", _("CCHC officer")
        LEADER = "leader", _("leader")
        APPRAISER = "appraiser", _("appraiser")

    user = models.ForeignKey(
        "auth.User", verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique"),
        ]

    def __str__(self):
        return f"{self.user} — {self.unit.code} ({self.role})"
