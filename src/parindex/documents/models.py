"""Templates an administrator uploads in place of the shipped ones (`documents/templates/`),
for one year or for every year. The newest upload for a kind, language and year is in force;
the older ones stay, for the record of what was used."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parindex.assessments.models import evidence_storage


def _template_name(instance, filename: str) -> str:
    return f"templates/{secrets.token_hex(16)}"


class DocumentTemplate(models.Model):
    kind = models.CharField(_("document"), max_length=30)
    language = models.CharField(_("language"), max_length=10, default="vi")
    year = models.PositiveSmallIntegerField(
        _("year"), null=True, blank=True, help_text=_("empty: every year without its own")
    )
    file = models.FileField(
        _("file"), storage=evidence_storage, upload_to=_template_name, max_length=200
    )
    original_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("document template")
        verbose_name_plural = _("document templates")
        ordering = ["kind", "language", "-year", "-uploaded_at", "-id"]

    def __str__(self):
        return f"{self.kind} {self.language} {self.year or '*'}"


class DocumentSigner(models.Model):
    """Who signs a unit's documents, as the signature block prints it: "KT. GIÁM ĐỐC" (empty
    when the head signs in person), "PHÓ GIÁM ĐỐC", the name. Without one, a deputy of the
    unit signs for the head (the unit's first leader)."""

    unit = models.OneToOneField(
        "units.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+"
    )
    authority = models.CharField(
        _("signing authority"),
        max_length=100,
        blank=True,
        help_text=_("e.g. KT. GIÁM ĐỐC; empty when the head signs"),
    )
    title = models.CharField(
        _("position of the signer"), max_length=100, help_text=_("e.g. PHÓ GIÁM ĐỐC")
    )
    name = models.CharField(_("name of the signer"), max_length=200)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("document signer")
        verbose_name_plural = _("document signers")

    def __str__(self):
        return f"{self.unit_id}: {self.title} {self.name}"
