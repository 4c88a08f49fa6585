"""The operational registers a unit keeps, and the working-day calendar their deadlines use.

Data enter once and are kept raw (dates, codes, channels, statuses): every indicator and every
criterion computed from a register is worked out from these rows by one engine
(`registers.indicators`), never stored as a count someone typed.

- `Dossier`: the one-stop shop's dossier register (Sổ theo dõi hồ sơ), one row per dossier,
  keyed by (unit, year of reception, dossier code). Millions of rows: loaded in bulk, never row
  by row through the ORM. On PostgreSQL the table is partitioned by the year of reception
  (migration 0001), so a year's queries read one partition.
- `Feedback` (phản ánh, kiến nghị), `DirectiveTask` (nhiệm vụ được giao), `RequiredReport`
  (báo cáo định kỳ) and `PlanTask` (nhiệm vụ của kế hoạch CCHC): small registers each unit
  edits in the web UI or imports from a file.
- `RegisterImport`: one file that went into a register — who, when, which file, what it
  changed, what was refused and the data-quality findings; it is also the progress record a
  background import updates and the page polls.
- `CalendarOverride`: the days the `holidays` package cannot know (the Prime Minister's
  yearly Tết window, swapped working Saturdays, provincial decisions), each with its legal basis.

Dates that classify a row (reception, due date, end of processing) are also kept as local
calendar dates (`*_on`, Asia/Ho_Chi_Minh): the national report compares dates, not instants,
and a date column is portable and indexable in both databases.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RegisterKind(models.TextChoices):
    DOSSIERS = "dossiers", _("dossiers")
    FEEDBACK = "feedback", _("citizen feedback")
    DIRECTIVES = "directives", _("directive tasks")
    REPORTS = "reports", _("required reports")
    PLAN_TASKS = "plan-tasks", _("plan tasks")


class RegisterImport(models.Model):
    """One file imported into a register (the CLI, the web page's background job)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("waiting")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("refused")

    kind = models.CharField(_("register"), max_length=12, choices=RegisterKind.choices)
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="register_imports",
        help_text=_("the unit the whole file is for, when the file does not say per row"),
    )
    name = models.CharField(_("file"), max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    path = models.CharField(
        _("stored file"), max_length=500, blank=True, help_text=_("where a queued upload waits")
    )
    options = models.JSONField(_("options"), default=dict, blank=True)
    actor = models.CharField(_("by"), max_length=150)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.QUEUED)
    # Progress: the page polls these while the job runs.
    step = models.CharField(_("step"), max_length=100, blank=True)
    total = models.PositiveIntegerField(_("rows"), default=0)
    done = models.PositiveIntegerField(_("rows done"), default=0)
    # Outcome.
    created = models.PositiveIntegerField(_("new"), default=0)
    updated = models.PositiveIntegerField(_("changed"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    quality = models.JSONField(_("data quality"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)
    started = models.DateTimeField(_("started"), null=True, blank=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("register import")
        verbose_name_plural = _("register imports")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"#{self.pk} {self.kind} {self.name}"


class Channel(models.IntegerChoices):
    """How a dossier was submitted (KenhThucHien of the national sync standard)."""

    DIRECT = 1, _("at the desk")
    ONLINE = 2, _("online")
    POSTAL = 3, _("by public postal service")


class ReturnMethod(models.IntegerChoices):
    """How the result went back to the applicant."""

    DIRECT = 1, _("at the desk")
    ONLINE = 2, _("online (electronic result)")
    POSTAL = 3, _("by public postal service")


class Status(models.IntegerChoices):
    """TrangThaiHoSo of the national sync standard (onestop-and-documents.md §2.3)."""

    REGISTERED = 1, _("submitted online, not yet received")
    RECEIVED = 2, _("received")
    NOT_RECEIVED = 3, _("not received")
    PROCESSING = 4, _("being processed")
    SUPPLEMENT = 5, _("supplement requested")
    PAYMENT = 6, _("waiting for fees to be paid")
    WITHDRAWN = 7, _("withdrawn by the applicant")
    STOPPED = 8, _("processing stopped")
    RESOLVED = 9, _("resolved, result ready")
    RETURNED = 10, _("result returned")


class TimeLimitUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("working days")
    DAYS = "days", _("days")
    HOURS = "hours", _("working hours")


class DossierQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Rows written through the ORM (tests, scripts) get their `facts` set in SQL; the
        import writes its rows in bulk with the facts it worked out (`registers.facts`)."""
        created = super().bulk_create(objs, *args, **kwargs)
        from parindex.registers import facts

        facts.refresh(self.model.objects.filter(pk__in=[o.pk for o in created if o.pk]))
        return created


class Dossier(models.Model):
    """One dossier of the one-stop register. The applicant's name, address and telephone are
    personal data (Luật 91/2025/QH15) that no indicator needs: an import reads past them and
    never stores them."""

    id = models.BigAutoField(primary_key=True)
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="dossiers",
        db_index=False,  # the indexes below lead with the unit
    )
    # The year of reception: the partition key on PostgreSQL, part of the natural key.
    year = models.PositiveSmallIntegerField(_("year"))
    code = models.CharField(_("dossier code"), max_length=64)
    procedure_code = models.CharField(_("procedure code"), max_length=64)
    procedure_name = models.CharField(_("procedure"), max_length=500, blank=True)
    field_code = models.CharField(_("field code"), max_length=64, blank=True)
    field_name = models.CharField(_("field"), max_length=300, blank=True)
    receiving_office = models.CharField(_("received at"), max_length=300, blank=True)
    deciding_agency = models.CharField(_("deciding agency"), max_length=300, blank=True)
    channel = models.PositiveSmallIntegerField(_("channel"), choices=Channel.choices)
    service_level = models.CharField(_("online service level"), max_length=30, blank=True)
    status = models.PositiveSmallIntegerField(_("status"), choices=Status.choices)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"))
    received_on = models.DateField(_("received on"))
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    time_limit = models.DecimalField(
        _("time limit"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    time_limit_unit = models.CharField(
        _("time limit unit"), max_length=12, choices=TimeLimitUnit.choices, blank=True
    )
    finished_at = models.DateTimeField(_("processing finished"), null=True, blank=True)
    returned_at = models.DateTimeField(_("result returned"), null=True, blank=True)
    # The end of processing the classification uses: finished > returned > rejected/stopped
    # (766/QĐ-TTg working document), kept as instant and local date; null while open.
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    return_method = models.PositiveSmallIntegerField(
        _("result returned"), choices=ReturnMethod.choices, null=True, blank=True
    )
    supplement_count = models.PositiveSmallIntegerField(_("supplement requests"), default=0)
    supplement_requested_at = models.DateTimeField(_("supplement requested"), null=True, blank=True)
    supplement_provided_at = models.DateTimeField(_("supplement provided"), null=True, blank=True)
    rejected_at = models.DateTimeField(_("refused"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for refusal"), blank=True)
    apology = models.BooleanField(_("apology letter"), null=True, blank=True)
    apology_at = models.DateTimeField(_("apology letter sent"), null=True, blank=True)
    new_due_at = models.DateTimeField(_("new due date"), null=True, blank=True)
    digitised = models.BooleanField(_("dossier digitised"), null=True, blank=True)
    electronic_result = models.BooleanField(_("electronic result"), null=True, blank=True)
    fee = models.DecimalField(_("fee"), max_digits=14, decimal_places=0, null=True, blank=True)
    paid_online = models.BooleanField(_("paid online"), null=True, blank=True)
    fee_exempt = models.BooleanField(_("exempt from fees"), null=True, blank=True)
    satisfaction = models.CharField(_("satisfaction"), max_length=50, blank=True)
    note = models.TextField(_("note"), blank=True)
    # The facts its own row decides, one bit each (`registers.facts`): what the counts and
    # the lists read instead of testing ten conditions per row. Set by whoever writes the row.
    facts = models.PositiveIntegerField(_("facts"), default=0, editable=False)
    batch = models.ForeignKey(
        RegisterImport,
        verbose_name=_("import"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,  # a million rows: no cascade check on deleting an import record
    )

    objects = DossierQuerySet.as_manager()

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        constraints = [
            models.UniqueConstraint(
                fields=["code", "unit", "year"], name="registers_dossier_unique_code"
            ),
        ]
        indexes = [
            # A unit's dossiers of a period (the lists behind the numbers). The counts of
            # every unit read the whole table in order instead (`registers.indicators`): an
            # index on the end date would only slow the imports down.
            models.Index(fields=["unit", "received_on"], name="registers_dossier_received"),
        ]

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        from parindex.registers import facts

        facts.refresh(Dossier.objects.filter(pk=self.pk))
        self.refresh_from_db(fields=["facts"])


class Feedback(models.Model):
    """A citizen's feedback or petition (phản ánh, kiến nghị) about an administrative
    procedure, and how it was handled."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("being handled")
        HANDLED = "handled", _("handled")
        REJECTED = "rejected", _("not accepted")
        TRANSFERRED = "transferred", _("transferred")

    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="feedback"
    )
    code = models.CharField(_("feedback code"), max_length=64)
    received_on = models.DateField(_("received on"))
    due_on = models.DateField(_("handling deadline"), null=True, blank=True)
    handled_on = models.DateField(_("handled on"), null=True, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=100, blank=True)
    about_procedure = models.BooleanField(_("about an administrative procedure"), default=True)
    content = models.TextField(_("content"), blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=Outcome.choices, default=Outcome.PENDING
    )
    satisfied = models.BooleanField(_("sender satisfied"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    batch = models.ForeignKey(
        RegisterImport,
        verbose_name=_("import"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("citizen feedback")
        verbose_name_plural = _("citizen feedback")
        ordering = ["unit", "received_on", "code"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "code"], name="registers_feedback_unique_code")
        ]
        indexes = [models.Index(fields=["unit", "received_on"], name="registers_feedback_recv")]

    def __str__(self):
        return self.code


class DirectiveTask(models.Model):
    """A task assigned to the unit by a directive document (UBND tỉnh, Chủ tịch UBND tỉnh …)
    with a deadline."""

    class State(models.TextChoices):
        OPEN = "open", _("in progress")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="directive_tasks",
    )
    code = models.CharField(_("task code"), max_length=64)
    document_number = models.CharField(_("document number"), max_length=100)
    document_date = models.DateField(_("document date"), null=True, blank=True)
    issuer = models.CharField(_("issued by"), max_length=300, blank=True)
    task = models.TextField(_("task"))
    deadline = models.DateField(_("deadline"))
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    note = models.TextField(_("note"), blank=True)
    batch = models.ForeignKey(
        RegisterImport,
        verbose_name=_("import"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("directive task")
        verbose_name_plural = _("directive tasks")
        ordering = ["unit", "deadline", "code"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "code"], name="registers_directive_unique_code")
        ]
        indexes = [models.Index(fields=["unit", "deadline"], name="registers_directive_deadline")]

    def __str__(self):
        return self.code


class RequiredReport(models.Model):
    """A report the unit must send (báo cáo CCHC quý, 6 tháng, năm …) and when it was sent."""

    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="required_reports",
    )
    kind = models.CharField(_("report"), max_length=200)
    period = models.CharField(_("period"), max_length=50)
    due_on = models.DateField(_("sending deadline"))
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    document_number = models.CharField(_("document number"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    batch = models.ForeignKey(
        RegisterImport,
        verbose_name=_("import"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("required report")
        verbose_name_plural = _("required reports")
        ordering = ["unit", "due_on", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "kind", "period"], name="registers_report_unique_period"
            )
        ]
        indexes = [models.Index(fields=["unit", "due_on"], name="registers_report_due")]

    def __str__(self):
        return f"{self.kind} ({self.period})"


class PlanTask(models.Model):
    """A task of the unit's yearly CCHC plan."""

    class State(models.TextChoices):
        OPEN = "open", _("in progress")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="plan_tasks"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    code = models.CharField(_("task code"), max_length=64)
    title = models.TextField(_("task"))
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    note = models.TextField(_("note"), blank=True)
    batch = models.ForeignKey(
        RegisterImport,
        verbose_name=_("import"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("plan task")
        verbose_name_plural = _("plan tasks")
        ordering = ["unit", "year", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "code"], name="registers_plantask_unique_code"
            )
        ]

    def __str__(self):
        title = self.title if len(self.title) <= 80 else self.title[:79] + "…"
        return f"{self.code} — {title} ({self.year})"


class CalendarOverride(models.Model):
    """A day the statutory holidays do not give: an extra day off, a compensatory day, or a
    Saturday worked in exchange for a bridge day off; always with its legal basis."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("day off (holiday)")
        COMPENSATORY = "compensatory", _("compensatory day off")
        SWAPPED_DAY_OFF = "swapped_day_off", _("day off in exchange for a working day")
        SWAPPED_WORKDAY = "swapped_workday", _("working day in exchange for a day off")
        WORKDAY = "workday", _("working day (not a holiday after all)")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    note = models.CharField(_("note"), max_length=300, blank=True)
    actor = models.CharField(_("by"), max_length=150, blank=True)
    at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.kind}"


from parindex.registers.computed import ComputedValue  # noqa: E402, F401  (registers.bindings)
