"""The remediation plan pages: the plan of one unit after its results (drafted from the loss
analysis, edited by the CCHC officer, approved by a leader), each item's page where the
responsible unit reports progress with evidence, the plan's workbook and its documents.

Every write goes through `parindex.plans.services` (the one gate and its permission table);
these views only read forms and show what the services say. Who may read: a role in the plan's
unit, or in an item's responsible or supporting unit (for that item)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from parindex.assessments import access as access_rules
from parindex.assessments.criteria import download_name
from parindex.assessments.errors import ActionRefused
from parindex.domain import plans as rules
from parindex.frameworks.models import Framework
from parindex.messages import render as render_message
from parindex.plans import services
from parindex.plans.models import ItemEvidence, PlanChange, RemediationItem, RemediationPlan
from parindex.units.models import Unit
from parindex.units.people import tree_rows
from parindex.web.forms import date_field
from parindex.web.views import private_file


class PlanningForm(forms.Form):
    cause = forms.CharField(
        label=gettext_lazy("Cause"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    solution = forms.CharField(
        label=gettext_lazy("Solution"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    responsible = forms.ChoiceField(label=gettext_lazy("Responsible unit"), required=False)
    supporting = forms.MultipleChoiceField(
        label=gettext_lazy("Supporting units"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    deadline = date_field(gettext_lazy("Deadline"), required=False)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(unit.code, f"{'· ' * depth}{unit.code} — {unit.name}") for unit, depth in units]
        self.fields["responsible"].choices = [("", "—"), *choices]
        self.fields["supporting"].choices = [(unit.code, unit.code) for unit, _depth in units]


class ProgressForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=RemediationItem.Status.choices)
    progress = forms.IntegerField(
        label=gettext_lazy("Progress (%)"),
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": "5"}),
    )
    progress_note = forms.CharField(
        label=gettext_lazy("What was done"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The labels are words inside sentences; alone in a list they start with a capital.
        self.fields["status"].choices = [
            (value, capfirst(label)) for value, label in RemediationItem.Status.choices
        ]


class ItemEvidenceForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File (PDF, Word, Excel, OpenDocument, JPG, PNG)"))
    title = forms.CharField(label=gettext_lazy("Document title"), max_length=500)


def _actor(request) -> services.Actor:
    return services.Actor.person(request.user)


def _version(request) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def _plan_units(plan: RemediationPlan) -> list[tuple[Unit, int]]:
    """The units an item can be assigned to: the plan's unit and every unit under it."""
    inside = access_rules.subtree_ids(access_rules.unit_tree(), plan.unit_id)
    units = Unit.objects.filter(pk__in=inside).only("id", "code", "name", "parent_id")
    return tree_rows(list(units), roots=[plan.unit_id])


def _planning_form(item: RemediationItem, units, data=None) -> PlanningForm:
    initial = {
        "cause": item.cause,
        "solution": item.solution,
        "responsible": item.responsible.code if item.responsible else "",
        "supporting": [unit.code for unit in item.supporting.all()],
        "deadline": item.deadline,
    }
    return PlanningForm(data, units=units, initial=initial, prefix=f"i{item.pk}")


def _the_plan(request, framework: str, unit: str) -> tuple[Framework, Unit, RemediationPlan | None]:
    model = get_object_or_404(Framework, code=framework)
    unit_ = get_object_or_404(Unit.objects.select_related("parent__parent__parent"), code=unit)
    if not access_rules.unit_roles(request.user, unit_):
        raise Http404
    plan = (
        RemediationPlan.objects.select_related("unit", "framework", "approved_by")
        .filter(framework=model, unit=unit_)
        .first()
    )
    return model, unit_, plan


def _plan_context(request, model, unit_, plan, *, forms_by_item=None) -> dict:
    actor = _actor(request)
    today = timezone.localdate()
    context = {"framework": model, "unit": unit_, "plan": plan, "today": today}
    probe = plan or RemediationPlan(framework=model, unit=unit_)
    roles = services.plan_roles(actor, probe)
    context["can_draft"] = rules.OFFICER in roles and (plan is None or plan.state == rules.DRAFT)
    if plan is None:
        return context
    items = list(services.plan_items(plan))
    planning = rules.PLANNING in rules.writable_parts(roles, plan.state)
    units = _plan_units(plan) if planning else []
    forms_by_item = forms_by_item or {}
    context.update(
        {
            "rows": [
                (
                    item,
                    (forms_by_item.get(item.pk) or _planning_form(item, units))
                    if planning
                    else None,
                    rules.is_overdue(item.deadline, item.status, today),
                )
                for item in items
            ],
            "completion": services.completion(items, today),
            "actions": [
                step
                for name, step in rules.TRANSITIONS.items()
                if rules.transition_refusal(name, plan.state, roles) is None
            ],
            "approval_problems": rules.approval_problems(
                [
                    rules.ItemFacts(i.code, i.solution, i.responsible_id is not None, i.deadline)
                    for i in items
                ]
            )
            if plan.state == rules.DRAFT
            else [],
            "planning": planning,
            "changes": PlanChange.objects.filter(plan=plan, item__isnull=True).select_related(
                "user"
            )[:20],
            "lost": sum((item.lost for item in items), start=0),
        }
    )
    return context


@login_required
def plan_page(request, framework, unit):
    model, unit_, plan = _the_plan(request, framework, unit)
    return render(request, "web/plan.html", _plan_context(request, model, unit_, plan))


@login_required
@require_POST
def draft_plan(request, framework, unit):
    model, unit_, _plan = _the_plan(request, framework, unit)
    try:
        plan, added = services.draft(_actor(request), model, unit_)
    except ActionRefused as exc:
        messages.error(request, render_message(exc.message))
    else:
        messages.success(
            request,
            _("The plan has %(total)s items (%(added)s added from the loss analysis).")
            % {"total": plan.items.count(), "added": added},
        )
    return redirect("web:plan", framework=framework, unit=unit)


@login_required
@require_POST
def plan_action(request, framework, unit, action):
    _model, _unit, plan = _the_plan(request, framework, unit)
    if plan is None:
        raise Http404
    try:
        services.transition(
            _actor(request),
            plan,
            action,
            reason=request.POST.get("reason", ""),
            expected_version=_version(request),
        )
    except ActionRefused as exc:
        messages.error(request, render_message(exc.message))
    else:
        if action == "approve":
            messages.success(request, _("The plan is approved: the units can report progress."))
        else:
            messages.success(request, _("The plan is open for changes again."))
    return redirect("web:plan", framework=framework, unit=unit)


def _readable_item(request, item_id) -> tuple[RemediationItem, frozenset[str]]:
    item = get_object_or_404(
        RemediationItem.objects.select_related(
            "plan", "plan__unit", "plan__framework", "responsible"
        ),
        pk=item_id,
    )
    roles = services.item_roles(_actor(request), item)
    if not roles:
        raise Http404
    return item, roles


@login_required
@require_POST
def save_planning(request, item_id):
    """The officer's edit of one item in the plan editor (HTMX: the item's card again)."""
    item, _roles = _readable_item(request, item_id)
    plan = item.plan
    units = _plan_units(plan)
    form = _planning_form(item, units, request.POST)
    error = ""
    if form.is_valid():
        data = form.cleaned_data
        try:
            item = services.update_item(
                _actor(request),
                item,
                {
                    "cause": data["cause"],
                    "solution": data["solution"],
                    "responsible": data["responsible"] or None,
                    "supporting": data["supporting"],
                    "deadline": data["deadline"],
                },
                expected_version=_version(request),
            )
        except ActionRefused as exc:
            error = render_message(exc.message)
        else:
            form = _planning_form(item, units)
    if request.headers.get("HX-Request") == "true":
        item = services.plan_items(plan).get(pk=item.pk)
        today = timezone.localdate()
        context = {
            "item": item,
            "form": form,
            "error": error,
            "saved": not error and form.is_bound is False,
            "overdue": rules.is_overdue(item.deadline, item.status, today),
            "plan": plan,
        }
        status = 200 if not error and not form.errors else 422
        return render(request, "web/_plan_item.html", context, status=status)
    if error:
        messages.error(request, error)
    elif form.errors:
        messages.error(request, _("Check the fields of %(code)s.") % {"code": item.code})
    else:
        messages.success(request, _("%(code)s is saved.") % {"code": item.code})
    return redirect(
        reverse("web:plan", args=[plan.framework.code, plan.unit.code]) + f"#i{item.pk}"
    )


def _item_context(request, item, roles, *, progress_form=None, evidence_form=None) -> dict:
    parts = rules.writable_parts(roles, item.plan.state)
    writes = rules.PROGRESS in parts
    if writes and progress_form is None:
        progress_form = ProgressForm(
            initial={
                "status": item.status,
                "progress": item.progress,
                "progress_note": item.progress_note,
            }
        )
    today = timezone.localdate()
    return {
        "item": item,
        "plan": item.plan,
        "writes": writes,
        "progress_form": progress_form if writes else None,
        "evidence_form": (evidence_form or ItemEvidenceForm()) if writes else None,
        "evidence": list(item.evidence.select_related("uploaded_by")),
        "supporting": list(item.supporting.all()),
        "changes": list(item.changes.select_related("user")[:50]),
        "overdue": rules.is_overdue(item.deadline, item.status, today),
        "can_read_plan": services.can_read_plan(request.user, item.plan),
        "why_not": None if writes else rules.write_refusal(roles, item.plan.state, rules.PROGRESS),
        "reads_only": roles <= {rules.READER, rules.LEADER},
    }


@login_required
def item_page(request, item_id):
    item, roles = _readable_item(request, item_id)
    return render(request, "web/plan_item.html", _item_context(request, item, roles))


@login_required
@require_POST
def save_progress(request, item_id):
    item, roles = _readable_item(request, item_id)
    form = ProgressForm(request.POST)
    if form.is_valid():
        try:
            services.update_item(
                _actor(request),
                item,
                form.cleaned_data,
                expected_version=_version(request),
            )
        except ActionRefused as exc:
            form.add_error(None, render_message(exc.message))
        else:
            messages.success(request, _("The progress of %(code)s is saved.") % {"code": item.code})
            return redirect("web:plan-item", item_id=item.pk)
    context = _item_context(request, item, roles, progress_form=form)
    return render(request, "web/plan_item.html", context, status=422)


@login_required
@require_POST
def upload_item_evidence(request, item_id):
    item, roles = _readable_item(request, item_id)
    form = ItemEvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attach_evidence(
                _actor(request), item, form.cleaned_data["file"], form.cleaned_data["title"]
            )
        except ActionRefused as exc:
            form.add_error(None, render_message(exc.message))
        else:
            messages.success(
                request, _("The document is attached to %(code)s.") % {"code": item.code}
            )
            return redirect("web:plan-item", item_id=item.pk)
    context = _item_context(request, item, roles, evidence_form=form)
    return render(request, "web/plan_item.html", context, status=422)


@login_required
def item_evidence_file(request, evidence_id):
    """The only way to a stored document: checked against the reader's roles."""
    evidence = get_object_or_404(ItemEvidence.objects.select_related("item"), pk=evidence_id)
    _readable_item(request, evidence.item_id)
    return private_file(request, evidence, download_name(evidence))


@login_required
def plan_sheet(request, framework, unit):
    from parindex.plans.sheet import plan_filename, plan_workbook

    _model, _unit, plan = _the_plan(request, framework, unit)
    if plan is None:
        raise Http404
    response = HttpResponse(
        plan_workbook(plan, timezone.localdate()),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{plan_filename(plan)}"'
    response["Cache-Control"] = "private, max-age=0"
    return response


@login_required
@require_POST
def read_reminders(request):
    ids = [int(pk) for pk in request.POST.getlist("reminder") if pk.isdigit()]
    services.mark_read(request.user, ids)
    return redirect(reverse("web:home") + "#remediation")


urls = [
    path("plans/<slug:framework>/<str:unit>/", plan_page, name="plan"),
    path("plans/<slug:framework>/<str:unit>/draft/", draft_plan, name="plan-draft"),
    path("plans/<slug:framework>/<str:unit>/sheet/", plan_sheet, name="plan-sheet"),
    path(
        "plans/<slug:framework>/<str:unit>/<str:action>/",
        plan_action,
        name="plan-action",
    ),
    path("plan-items/<int:item_id>/", item_page, name="plan-item"),
    path("plan-items/<int:item_id>/plan/", save_planning, name="plan-item-planning"),
    path("plan-items/<int:item_id>/progress/", save_progress, name="plan-item-progress"),
    path("plan-items/<int:item_id>/evidence/", upload_item_evidence, name="plan-item-evidence"),
    path("plan-evidence/<int:evidence_id>/", item_evidence_file, name="plan-evidence"),
    path("reminders/read/", read_reminders, name="reminders-read"),
]
