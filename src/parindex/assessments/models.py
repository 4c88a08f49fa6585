import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parindex.assessments.storage import EvidenceStorage
from parindex.domain import scoring

# Outside STATIC_ROOT and MEDIA_ROOT: evidence is only ever served by a permission-checked view.
evidence_storage = EvidenceStorage()


class Stage(models.TextChoices):
    """Later stages prevail: the appraised score counts even when lower than the self score."""

    SELF = scoring.SELF, _("self-assessment")
    APPRAISAL = scoring.APPRAISAL, _("appraisal")
    APPRAISAL2 = scoring.APPRAISAL2, _("appraisal, round 2")
    FINAL = scoring.FINAL, _("final")


class Source(models.TextChoices):
    """Where a stored value came from (its provenance), shown beside it."""

    TYPED = "typed", _("typed in the grid")
    UPLOAD = "upload", _("sheet upload")
    IMPORT = "import", _("file import")
    REGISTER = "register", _("computed from a register")
    SURVEY = "survey", _("survey")
    SYSTEM = "system", _("system")


class ImportBatch(models.Model):
    """One file that went through the score gate (a sheet upload, `parindex scores import`,
    the demo): every value it changed points to it."""

    framework = models.ForeignKey(
        "frameworks.Framework",
        verbose_name=_("framework"),
        on_delete=models.PROTECT,
        related_name="batches",
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    stage = models.CharField(_("stage"), max_length=12, blank=True)
    name = models.CharField(_("file"), max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    actor = models.CharField(_("by"), max_length=150)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("new"), default=0)
    updated = models.PositiveIntegerField(_("changed"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"#{self.pk} {self.name}"


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
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.CharField(_("updated by"), max_length=150, blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.TYPED
    )
    batch = models.ForeignKey(
        ImportBatch,
        verbose_name=_("import batch"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
    )

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


class AuditEntry(models.Model):
    """The audit trail: every change of a score, an input value, an explanation, a comment or
    evidence, with who, when, the old and new value and why. Numbers go in old/new, texts in
    old_text/new_text. Workflow transitions are in `WorkflowEvent`."""

    framework = models.ForeignKey(
        "frameworks.Framework",
        verbose_name=_("framework"),
        on_delete=models.PROTECT,
        related_name="audit_entries",
    )
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="audit_entries"
    )
    stage = models.CharField(_("stage"), max_length=12, blank=True)
    key = models.CharField(_("criterion or input"), max_length=100)
    field = models.CharField(_("field"), max_length=20)
    old = models.DecimalField(_("old"), max_digits=20, decimal_places=6, null=True, blank=True)
    new = models.DecimalField(_("new"), max_digits=20, decimal_places=6, null=True, blank=True)
    old_text = models.TextField(_("old text"), blank=True)
    new_text = models.TextField(_("new text"), blank=True)
    actor = models.CharField(_("by"), max_length=150)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    reason = models.TextField(_("reason"))
    source = models.CharField(_("source"), max_length=10, blank=True, choices=Source.choices)
    batch = models.ForeignKey(
        ImportBatch,
        verbose_name=_("import batch"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="changes",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["framework", "unit", "key"])]

    def __str__(self):
        old = self.old if self.old is not None else self.old_text
        new = self.new if self.new is not None else self.new_text
        return f"{self.unit_id} {self.stage} {self.key} {self.field}: {old} → {new}"


class Round(models.Model):
    """An assessment round: one framework, a set of units, and the deadlines of the cycle.
    Opened by the CCHC officer of the department that runs it (`owner`)."""

    framework = models.ForeignKey(
        "frameworks.Framework",
        verbose_name=_("framework"),
        on_delete=models.PROTECT,
        related_name="rounds",
    )
    owner = models.ForeignKey(
        "units.Unit",
        verbose_name=_("run by"),
        on_delete=models.PROTECT,
        related_name="owned_rounds",
    )
    title = models.CharField(_("title"), max_length=300)
    self_due = models.DateField(_("self-assessment due"))
    appraisal_due = models.DateField(_("appraisal due"))
    explanation_due = models.DateField(_("explanations due"))
    appraisal2_due = models.DateField(_("second appraisal due"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("opened at"), auto_now_add=True)

    class Meta:
        verbose_name = _("assessment round")
        verbose_name_plural = _("assessment rounds")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    def due(self, window: str):
        return getattr(self, f"{window}_due")


class UnitAssessment(models.Model):
    """One unit's assessment in a round: its place in the workflow and its appraisers.

    Scores are stored by framework and unit, so a unit has at most one assessment per
    framework (a database constraint): a second round can never take over, and so change,
    figures that another round published. `framework` is the round's, kept here for that."""

    round = models.ForeignKey(
        Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="assessments"
    )
    framework = models.ForeignKey(
        "frameworks.Framework",
        verbose_name=_("framework"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="assessments"
    )
    state = models.CharField(_("state"), max_length=12, default="draft")
    appraisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("appraisers"),
        blank=True,
        related_name="appraisals",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("unit assessment")
        verbose_name_plural = _("unit assessments")
        constraints = [
            models.UniqueConstraint(fields=["round", "unit"], name="unit_assessment_unique"),
            models.UniqueConstraint(
                fields=["framework", "unit"], name="one_assessment_per_framework_and_unit"
            ),
        ]

    def __str__(self):
        return f"{self.round} — {self.unit.code}"

    def save(self, *args, **kwargs):
        if self.framework_id is None and self.round_id is not None:
            self.framework_id = self.round.framework_id
        super().save(*args, **kwargs)


class WorkflowEvent(models.Model):
    """Every transition, approval, extension and reopening: who, when, from, to, note."""

    assessment = models.ForeignKey(
        UnitAssessment,
        verbose_name=_("assessment"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    action = models.CharField(_("action"), max_length=30)
    from_state = models.CharField(_("from"), max_length=12)
    to_state = models.CharField(_("to"), max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)
    override = models.BooleanField(_("override"), default=False)

    class Meta:
        verbose_name = _("workflow event")
        verbose_name_plural = _("workflow events")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.assessment}: {self.from_state} → {self.to_state}"


class DeadlineExtension(models.Model):
    """An officer's extension of one deadline for one unit: the deadline is then `until`."""

    assessment = models.ForeignKey(
        UnitAssessment,
        verbose_name=_("assessment"),
        on_delete=models.CASCADE,
        related_name="extensions",
    )
    window = models.CharField(_("deadline"), max_length=12)
    until = models.DateField(_("until"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(_("reason"))
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.assessment}: {self.window} → {self.until}"


class CriterionNote(models.Model):
    """A text about one criterion of one unit's assessment: the unit's explanation (giải
    trình) where evidence is missing or incomplete, the appraisers' comments of each round and
    the unit's answer to the first one."""

    class Kind(models.TextChoices):
        EXPLANATION = "explanation", _("explanation")
        COMMENT = "comment", _("appraisal comment")
        ANSWER = "answer", _("answer to the appraisal")
        COMMENT2 = "comment2", _("second appraisal comment")

    assessment = models.ForeignKey(
        UnitAssessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="notes"
    )
    code = models.CharField(_("criterion"), max_length=50)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    text = models.TextField(_("text"))
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("criterion note")
        verbose_name_plural = _("criterion notes")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "code", "kind"], name="criterion_note_unique"
            ),
        ]

    def __str__(self):
        return f"{self.assessment} {self.code} {self.kind}"


def _evidence_name(instance, filename: str) -> str:
    # Random names: a stored file never reveals its unit, criterion or original name.
    return f"{instance.assessment.round_id}/{secrets.token_hex(16)}"


class StoredDocument(models.Model):
    """What every stored document keeps beside its file (each kind declares its own `file`,
    stored under a random name by `evidence_storage`): its name as uploaded, the type found in
    its content (`criteria.checked_upload`), its size and digest, its title, who and when."""

    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    title = models.CharField(_("document title"), max_length=500)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        abstract = True


class Evidence(StoredDocument):
    """An evidence document (tài liệu kiểm chứng) of one unit in one round. Stored outside
    the static root under a random name and served only through a permission-checked view.
    One document supports several criteria through `EvidenceLink`."""

    assessment = models.ForeignKey(
        UnitAssessment,
        verbose_name=_("assessment"),
        on_delete=models.PROTECT,
        related_name="evidence",
    )
    file = models.FileField(
        _("file"), storage=evidence_storage, upload_to=_evidence_name, max_length=200
    )
    number = models.CharField(_("document number"), max_length=100, blank=True)
    issued_on = models.DateField(_("document date"), null=True, blank=True)
    issuer = models.CharField(_("issued by"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("evidence document")
        verbose_name_plural = _("evidence documents")
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "sha256"], name="evidence_once"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}".strip()


class EvidenceLink(models.Model):
    """Evidence supporting one criterion, with the appraiser's review of it for that
    criterion (a document can suffice for one criterion and not for another)."""

    class Review(models.TextChoices):
        PENDING = "pending", _("not reviewed")
        ACCEPTED = "accepted", _("accepted")
        INSUFFICIENT = "insufficient", _("insufficient")

    evidence = models.ForeignKey(
        Evidence, verbose_name=_("evidence"), on_delete=models.CASCADE, related_name="links"
    )
    code = models.CharField(_("criterion"), max_length=50)
    review = models.CharField(
        _("review"), max_length=12, choices=Review.choices, default=Review.PENDING
    )
    review_reason = models.TextField(_("review reason"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("evidence link")
        verbose_name_plural = _("evidence links")
        constraints = [
            models.UniqueConstraint(fields=["evidence", "code"], name="evidence_link_unique"),
        ]

    def __str__(self):
        return f"{self.evidence} → {self.code}"
