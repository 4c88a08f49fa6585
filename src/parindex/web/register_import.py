"""Importing a register file from the web: the upload is checked (size, kind, who may write
which unit's register), stored privately under DATA_DIR/imports, and imported by the
background worker (`registers.jobs.run_import`); the page of the import polls its record for
the progress, then shows what was written, what was refused (row, column, value, reason, and
the rejected rows to download) and the data-quality findings.

The writer is the same `registers.imports.import_register` as the CLI's, with the same
permission table (`registers.access`)."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import SuspiciousFileOperation
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from parindex.domain.numbers import format_number
from parindex.messages import render as render_message
from parindex.registers import access
from parindex.registers.jobs import rejected_path, run_import
from parindex.registers.models import RegisterImport, RegisterKind
from parindex.tables import CSV_SUFFIXES, XLSX_SUFFIXES
from parindex.units.people import scope_of
from parindex.web.registers import columns_of, headers_of, shown_findings

SHOWN_PROBLEMS = 100


def _type_text(column) -> str:
    """What a column's cells hold, as the format page says it."""
    if column.kind == "text":
        if column.max_length:
            return _("text (at most %(n)s characters)") % {"n": format_number(column.max_length)}
        return _("free text")
    if column.kind in ("int", "decimal"):
        word = _("whole number") if column.kind == "int" else _("number")
        if column.minimum is not None and column.maximum is not None:
            return _("%(word)s from %(min)s to %(max)s") % {
                "word": word,
                # Bounds as typed in a file: a year is 2000, not 2.000.
                "min": str(column.minimum),
                "max": str(column.maximum),
            }
        return word
    if column.kind == "date":
        return _("date dd/mm/yyyy")
    if column.kind == "datetime":
        return _("date dd/mm/yyyy, with or without the time")
    if column.kind == "bool":
        return _("yes or no (có/không)")
    return _("one of: %(words)s") % {"words": ", ".join(dict.fromkeys(column.choices or ()))}


def register_formats() -> list[dict]:
    """Per register: its required columns and every column, from its column definitions."""
    formats = []
    for kind, label in RegisterKind.choices:
        columns = [
            {
                "name": column.name,
                "header": column.header,
                "also": [alias for alias in column.aliases[1:] if alias != column.name],
                "type": _type_text(column),
                "required": column.required,
            }
            for column in columns_of(kind)
        ]
        formats.append(
            {
                "kind": kind,
                "label": label,
                "anchor": f"format-{kind}",
                "required": [c for c in columns if c["required"]],
                "columns": columns,
            }
        )
    return formats


def _safe_stem(name: str) -> str:
    """The uploaded file's name without its extension, as a safe file name ("register" when
    nothing of it is left, e.g. "???.xlsx")."""
    try:
        return get_valid_filename(Path(name).stem)[:100]
    except SuspiciousFileOperation:
        return "register"


def _folder() -> Path:
    folder = Path(settings.DATA_DIR) / "imports"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


@login_required
@require_http_methods(["GET", "POST"])
def upload(request):
    units = access.writable_units(request.user)
    if not units:
        raise Http404
    values = {
        "kind": request.POST.get("kind") or request.GET.get("kind") or RegisterKind.DOSSIERS,
        # One unit to write: it is the answer (staff keep their own unit's registers).
        "unit": request.POST.get("unit", "")
        if request.method == "POST"
        else request.GET.get("unit") or (units[0].code if len(units) == 1 else ""),
        "skip_invalid": bool(request.POST.get("skip_invalid")),
    }
    errors: dict[str, str] = {}
    if request.method == "POST":
        kind, code = values["kind"], values["unit"]
        if kind not in RegisterKind.values:
            errors["kind"] = _("Choose a register.")
        unit = None
        if code:
            unit = next((u for u in units if u.code == code), None)
            if unit is None:
                errors["unit"] = _("You may not import into this unit's registers.")
        elif kind != RegisterKind.DOSSIERS or not scope_of(request.user):
            # Only the CCHC officer imports a file whose rows name their units.
            errors["unit"] = _("Choose the unit the file is for.")
        if unit is not None and not errors.get("kind"):
            reason = access.refusal(request.user, unit, access.WRITE, kind)
            if reason is not None:
                errors["unit"] = render_message(reason)
        upload = request.FILES.get("file")
        if upload is None:
            errors["file"] = _("Choose a file.")
        else:
            suffix = Path(upload.name).suffix.lower()
            if suffix not in CSV_SUFFIXES + XLSX_SUFFIXES:
                errors["file"] = _("Only .csv and .xlsx files are read.")
            elif upload.size == 0:
                errors["file"] = _("The file is empty.")
        if not errors:
            # A private folder per upload, the file under its own name: what the import says
            # of the file ("… is not an Excel file") names the file the person chose.
            folder = _folder() / uuid.uuid4().hex
            folder.mkdir(mode=0o700)
            stored = folder / f"{_safe_stem(upload.name)}{suffix}"
            with stored.open("wb") as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
            stored.chmod(0o600)
            batch = RegisterImport.objects.create(
                kind=kind,
                unit=unit,
                name=Path(upload.name).name[:255],
                path=str(stored),
                options={"skip_invalid": values["skip_invalid"]},
                actor=request.user.get_username(),
                user=request.user,
                total=0,
            )
            transaction.on_commit(lambda: run_import.enqueue(batch.pk))
            return redirect("web:register-import-status", batch.pk)
    return render(
        request,
        "web/registers/import.html",
        {
            "units": units,
            # Only the CCHC officer imports a file whose rows name their units.
            "per_row": bool(scope_of(request.user)),
            "kinds": RegisterKind.choices,
            "values": values,
            "errors": errors,
            "max_mb": settings.MAX_REQUEST_BODY_BYTES // 2**20 - 1,
            "formats": register_formats(),
            "recent": RegisterImport.objects.filter(user=request.user).select_related("unit")[:10],
        },
        status=400 if errors else 200,
    )


def _batch(request, pk: int) -> RegisterImport:
    batch = RegisterImport.objects.select_related("unit").filter(pk=pk).first()
    if batch is None:
        raise Http404
    if batch.user_id == request.user.pk or request.user.is_superuser:
        return batch
    scope = scope_of(request.user)
    if batch.unit_id is not None and scope.covers(batch.unit_id):
        return batch
    raise Http404


def _with_headers(kind: str, problems: list[dict]) -> list[dict]:
    """The problems as the page lists them: each column by its Vietnamese header, as the
    file's first row may have it (its canonical name beside it)."""
    headers = headers_of(kind)
    return [{**p, "header": headers.get(p.get("column"), p.get("column"))} for p in problems]


@login_required
def status(request, pk: int):
    batch = _batch(request, pk)
    running = batch.state in (RegisterImport.State.QUEUED, RegisterImport.State.RUNNING)
    context = {
        "batch": batch,
        "running": running,
        "share": int(batch.done * 100 / batch.total) if batch.total else 0,
        "problems": _with_headers(batch.kind, (batch.problems or [])[:SHOWN_PROBLEMS]),
        "more": max(0, len(batch.problems or []) - SHOWN_PROBLEMS),
        "quality": shown_findings(batch.quality or []),
        "rejected": batch.state == RegisterImport.State.DONE
        and batch.rejected
        and rejected_path(batch).is_file(),
    }
    partial = request.headers.get("HX-Request") == "true"
    template = (
        "web/registers/_import_status.html" if partial else "web/registers/import_status.html"
    )
    return render(request, template, context)


@login_required
def rejected(request, pk: int):
    batch = _batch(request, pk)
    file = rejected_path(batch) if batch.path else None
    if file is None or not file.is_file():
        raise Http404
    return FileResponse(
        file.open("rb"), as_attachment=True, filename=f"{Path(batch.name).stem}.rejected.csv"
    )


urls = [
    path("registers/import/", upload, name="register-import"),
    path("registers/import/<int:pk>/", status, name="register-import-status"),
    path("registers/import/<int:pk>/rejected.csv", rejected, name="register-import-rejected"),
]
