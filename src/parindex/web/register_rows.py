"""The small registers of a unit (citizen feedback, directive tasks, required reports, plan
tasks) on the web: read by whoever reads the unit's registers, kept by its staff and the CCHC
officer. Every write goes through `registers.small.save_row` / `delete_row`: the import's own
rules (the same typing, checks, key and permission)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from parindex.messages import render as render_message
from parindex.registers import access
from parindex.registers.models import RegisterKind
from parindex.registers.small import FORMATS, delete_row, row_values, save_row
from parindex.tables import TableError
from parindex.units.models import Unit
from parindex.web.home import show_registers_menu

# The columns of each register's list, and the date that picks a row's year.
LISTED = {
    RegisterKind.FEEDBACK: ("code", "received_on", "due_on", "handled_on", "outcome", "satisfied"),
    RegisterKind.DIRECTIVES: (
        "code",
        "document_number",
        "task",
        "deadline",
        "completed_on",
        "state",
    ),
    RegisterKind.REPORTS: ("kind", "period", "due_on", "sent_on"),
    RegisterKind.PLAN_TASKS: ("code", "title", "deadline", "done_on", "state"),
}
YEAR_OF = {
    RegisterKind.FEEDBACK: "received_on__year",
    RegisterKind.DIRECTIVES: "deadline__year",
    RegisterKind.REPORTS: "due_on__year",
    RegisterKind.PLAN_TASKS: "year",
}
# When a row is late (one small rule per register, as the indicators count it).
DUE = {
    RegisterKind.FEEDBACK: ("due_on", "handled_on"),
    RegisterKind.DIRECTIVES: ("deadline", "completed_on"),
    RegisterKind.REPORTS: ("due_on", "sent_on"),
    RegisterKind.PLAN_TASKS: ("deadline", "done_on"),
}


def timeliness(kind: str, row, today: date) -> tuple[str, str]:
    """(css class, label): done on time / done late / overdue / not yet due."""
    due_name, done_name = DUE[kind]
    due, done = getattr(row, due_name), getattr(row, done_name)
    if getattr(row, "state", "") == "cancelled":
        return "muted", _("cancelled")
    if done is not None:
        if due is not None and done > due:
            return "late", _("done late")
        return "ok", _("done on time")
    if due is not None and due < today:
        return "late", _("overdue")
    return "", _("not yet due")


def _unit_kind(request, code: str, kind: str) -> tuple[Unit, object]:
    spec = FORMATS.get(kind)
    unit = Unit.objects.filter(code=code).first()
    if spec is None or unit is None:
        raise Http404
    if access.refusal(request.user, unit, access.READ, kind):
        raise Http404
    show_registers_menu(request)
    return unit, spec


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        raise Http404 from None
    if not 2000 <= year <= 2100:
        raise Http404
    return year


def field_label(spec, name: str) -> str:
    """The one label of a register's field (`name`: the model's field), in the list's header
    and above the form's box alike: the model field's verbose name."""
    return capfirst(spec.model._meta.get_field(name).verbose_name)


def _fields(spec, values: dict, errors: dict) -> list[dict]:
    """The form's fields: the register's columns, each labelled as the list heads it."""
    return [
        {
            "name": column.name,
            "label": field_label(spec, spec.fields[column.name]),
            "kind": column.kind,
            "required": column.required,
            "value": values.get(column.name, ""),
            "error": errors.get(column.name),
            "choices": _choices(spec, column),
            # A text that may run long (a content, a reason) gets a box of several lines.
            "long": column.kind == "text" and (column.max_length or 0) > 300,
        }
        for column in spec.columns
        if column.name != "ma_don_vi"
    ]


def _choices(spec, column) -> list[tuple[str, str]] | None:
    """A choice column's options: each value once (the file may spell it many ways, in both
    languages), labelled as the lists show it."""
    if not column.choices:
        return None
    field = spec.model._meta.get_field(spec.fields[column.name])
    labels = {str(value): str(label) for value, label in field.flatchoices}
    values = dict.fromkeys(str(value) for value in column.choices.values())
    return [(value, labels.get(value, value)) for value in values]


@login_required
def rows(request, code: str, kind: str):
    unit, spec = _unit_kind(request, code, kind)
    years = _years(spec.model, unit, kind)
    today = timezone.localdate()
    # Without a year asked for: this year, or the latest that has rows if this one has none.
    year = _year(request) if request.GET.get("year") or not years else None
    if year is None:
        year = today.year if today.year in years else years[0]
    items = spec.model.objects.filter(unit=unit, **{YEAR_OF[kind]: year})
    listed = LISTED[kind]
    headers = [field_label(spec, name) for name in listed]
    table = []
    for item in items:
        cells = []
        for name in listed:
            value = getattr(item, name)
            display = getattr(item, f"get_{name}_display", None)
            if display is not None:
                value = display()
            elif isinstance(value, bool):
                value = _("yes") if value else _("no")
            elif isinstance(value, date):
                value = value.strftime("%d/%m/%Y")
            cells.append("—" if value in (None, "") else value)
        table.append(
            {
                "item": item,
                "cells": list(zip(headers, cells, strict=True)),
                "status": timeliness(kind, item, today),
            }
        )
    return render(
        request,
        "web/registers/rows.html",
        {
            "unit": unit,
            "kind": kind,
            "title": RegisterKind(kind).label,
            "year": year,
            "years": years,
            "headers": headers,
            "table": table,
            "can_write": access.refusal(request.user, unit, access.WRITE, kind) is None,
            "import_url": reverse("web:register-import") + f"?kind={kind}&unit={unit.code}",
        },
    )


def _years(model, unit, kind: str) -> list[int]:
    """The years in which the unit's register of this kind has rows, latest first (to reach
    them from a year without any)."""
    field = YEAR_OF[kind].removesuffix("__year")
    rows = model.objects.filter(unit=unit, **{f"{field}__isnull": False})
    if field == "year":
        years = set(rows.values_list("year", flat=True).distinct())
    else:
        years = {day.year for day in rows.dates(field, "year")}
    return sorted(years, reverse=True)


@login_required
def edit(request, code: str, kind: str, pk: int | None = None):
    unit, spec = _unit_kind(request, code, kind)
    if access.refusal(request.user, unit, access.WRITE, kind):
        raise Http404
    instance = None
    if pk is not None:
        instance = spec.model.objects.filter(unit=unit, pk=pk).first()
        if instance is None:
            raise Http404
    values = row_values(spec, instance) if instance is not None else {}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = {c.name: request.POST.get(c.name, "") for c in spec.columns}
        try:
            saved = save_row(request.user, kind, unit, values, instance)
        except TableError as exc:
            for problem in exc.problems:
                errors.setdefault(problem.column or "", render_message(problem.message))
            status = 400
        else:
            messages.success(request, _("Saved."))
            return redirect(_rows_url(unit, kind, _year_of(kind, saved)))
    return render(
        request,
        "web/registers/row_form.html",
        {
            "unit": unit,
            "kind": kind,
            "title": RegisterKind(kind).label,
            "instance": instance,
            "fields": _fields(spec, values, errors),
            "general": errors.get(""),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def delete(request, code: str, kind: str, pk: int):
    """The confirmation (a GET too: reloaded, opened in a new tab), then the deletion."""
    unit, spec = _unit_kind(request, code, kind)
    instance = spec.model.objects.filter(unit=unit, pk=pk).first()
    if instance is None or access.refusal(request.user, unit, access.WRITE, kind):
        raise Http404
    if request.method == "GET" or request.POST.get("confirm") != "1":
        return render(
            request,
            "web/registers/row_delete.html",
            {
                "unit": unit,
                "kind": kind,
                "instance": instance,
                "title": RegisterKind(kind).label,
                "back": _rows_url(unit, kind, _year_of(kind, instance)),
            },
        )
    year = _year_of(kind, instance)
    delete_row(request.user, kind, instance)
    messages.success(request, _("Deleted."))
    return redirect(_rows_url(unit, kind, year))


def _year_of(kind: str, item) -> int | None:
    """The year whose list shows `item` (YEAR_OF)."""
    field = YEAR_OF[kind].removesuffix("__year")
    value = getattr(item, field)
    return value if isinstance(value, int) or value is None else value.year


def _rows_url(unit, kind: str, year: int | None) -> str:
    url = reverse("web:register-rows", args=[unit.code, kind])
    return f"{url}?year={year}" if year else url


urls = [
    path("registers/<str:code>/<str:kind>/", rows, name="register-rows"),
    path("registers/<str:code>/<str:kind>/new/", edit, name="register-row-new"),
    path("registers/<str:code>/<str:kind>/<int:pk>/", edit, name="register-row"),
    path("registers/<str:code>/<str:kind>/<int:pk>/delete/", delete, name="register-row-delete"),
]
