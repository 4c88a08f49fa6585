from functools import cached_property

from django.db import models
from django.utils.translation import gettext_lazy as _

from parindex.domain.framework import Framework as DomainFramework
from parindex.domain.framework import load_framework

# Parsed frameworks by (id, updated_at): a stored document is only ever replaced whole.
_DOMAINS: dict[tuple, DomainFramework] = {}


class Framework(models.Model):
    """A criteria set (bộ tiêu chí) for one year. `document` holds its canonical file form and
    is the source of truth; `Node` rows index it for queries. Published → immutable."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=300)
    year = models.PositiveSmallIntegerField(_("year"))
    previous_code = models.CharField(_("previous framework"), max_length=60, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    document = models.JSONField(_("document"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")
        ordering = ["-year", "code"]

    def __str__(self):
        return f"{self.code} — {self.title}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @cached_property
    def domain(self) -> DomainFramework:
        """The framework as domain objects, parsed once per saved version of the document."""
        key = (self.pk, self.updated_at)
        framework = _DOMAINS.get(key)
        if framework is None:
            framework, problems = load_framework(self.document)
            if framework is None:  # only validated documents are ever stored
                raise ValueError(f"stored framework {self.code} is invalid: {problems.errors}")
            if self.pk is not None:
                if len(_DOMAINS) > 64:
                    _DOMAINS.clear()
                _DOMAINS[key] = framework
        return framework


class Node(models.Model):
    """One node of a framework: an area, a criterion or a sub-criterion."""

    framework = models.ForeignKey(
        Framework, verbose_name=_("framework"), on_delete=models.CASCADE, related_name="nodes"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    code = models.CharField(_("code"), max_length=50)
    title = models.TextField(_("title"))
    position = models.PositiveIntegerField(_("position"))
    depth = models.PositiveSmallIntegerField(_("depth"))
    max_points = models.DecimalField(_("max points"), max_digits=9, decimal_places=4)
    kind = models.CharField(_("kind"), max_length=20)
    rule_type = models.CharField(_("rule type"), max_length=30, blank=True)
    is_leaf = models.BooleanField(_("leaf"))

    class Meta:
        verbose_name = _("node")
        verbose_name_plural = _("nodes")
        ordering = ["framework", "position"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="node_code_unique"),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"
