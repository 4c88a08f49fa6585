"""Pages of the assessment cycle. Views are thin: they read the request, build the user's
access object once (`parindex.assessments.access`), call the actions of
`parindex.assessments` (which check permissions) and render; HTMX requests get fragments."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parindex.assessments import access as access_rules
from parindex.assessments import actions, criteria, queries
from parindex.assessments.models import AuditEntry, Evidence, EvidenceLink, UnitAssessment
from parindex.domain import workflow
from parindex.messages import render as render_message
from parindex.web.forms import EvidenceForm


def bad_request(request, message: str):
    """A request we cannot act on (a malformed id, date or code): 400 with the reason."""
    return render(request, "web/bad_request.html", {"message": message}, status=400)


def _int(raw) -> int | None:
    text = str(raw or "").strip()
    return int(text) if text.isdigit() and len(text) < 19 else None


def _access(request, pk) -> access_rules.Access:
    """The user's access object on one assessment, built once for the request."""
    try:
        access = access_rules.access_for(request.user, pk)
    except UnitAssessment.DoesNotExist:
        raise Http404 from None
    if not access.can_read:
        raise Http404  # never confirm that another unit's assessment exists
    return access


@login_required
def grid(request, pk):
    return render(
        request,
        "web/grid.html",
        {"grid": queries.grid(_access(request, pk)), "stages": workflow},
    )


@login_required
@require_POST
def take_action(request, pk):
    assessment = _access(request, pk).assessment
    action = request.POST.get("action", "")
    version = _int(request.POST.get("version"))
    if version is None:  # the page always says which version it showed
        return bad_request(request, _("Reload the page and try again."))
    try:
        if action == "reopen":
            actions.reopen(
                request.user,
                assessment,
                request.POST.get("target", ""),
                reason=request.POST.get("note", ""),
                expected_version=version,
            )
        else:
            actions.transition(
                request.user,
                assessment,
                action,
                note=request.POST.get("note", ""),
                expected_version=version,
            )
    except actions.ActionRefused as exc:
        messages.error(request, render_message(exc.message))
    else:
        messages.success(
            request,
            _("Done: %(action)s.") % {"action": _(workflow.ACTION_LABELS.get(action, action))},
        )
    return redirect("web:grid", pk=pk)


def _row_response(request, access, code, error=None):
    data = queries.grid(access, with_events=False)
    row = data.row(code)
    if row is None:
        message = _("“%(code)s” is not a criterion of this framework") % {"code": code}
        return bad_request(request, message)
    return render(request, "web/_row.html", {"grid": data, "row": row, "error": error, "oob": True})


def _criterion_reply(request, access, code, error, page):
    """The criterion's row for HTMX; otherwise back to `page` (the criterion page when the form
    came from there) with the error as a message."""
    pk = access.assessment.pk
    if request.headers.get("HX-Request"):
        return _row_response(request, access, code, error)
    if error:
        messages.error(request, f"{code}: {error}")
    if request.POST.get("next") == "criterion":
        page = "web:criterion"
    if page == "web:criterion" and access.assessment.framework.domain.node_map().get(code):
        return redirect(page, pk=pk, code=code)
    return redirect("web:grid", pk=pk)


def _version(request):
    """The version of the entry the page showed; an empty field means there was none."""
    return _int(request.POST.get("version"))


@login_required
@require_POST
def save_points(request, pk, code):
    access = _access(request, pk)
    error = None
    try:
        criteria.set_points(
            access,
            code,
            request.POST.get("points", "").strip() or None,
            expected_version=_version(request),
            reason=request.POST.get("reason", ""),
        )
    except actions.ActionRefused as exc:
        error = render_message(exc.message)
    return _criterion_reply(request, access, code, error, "web:grid")


@login_required
@require_POST
def save_note(request, pk, code):
    access = _access(request, pk)
    error = None
    try:
        criteria.set_note(
            access, code, request.POST.get("text", ""), expected_version=_version(request)
        )
    except actions.ActionRefused as exc:
        error = render_message(exc.message)
    return _criterion_reply(request, access, code, error, "web:criterion")


@login_required
def criterion(request, pk, code):
    access = _access(request, pk)
    assessment = access.assessment
    data = queries.grid(access)
    row = data.row(code)
    if row is None or not row.is_leaf:
        raise Http404
    history = AuditEntry.objects.filter(
        framework_id=assessment.framework_id, unit_id=assessment.unit_id, key=code
    ).select_related("user", "batch")
    form = EvidenceForm(initial={"codes": code})
    other_evidence = Evidence.objects.filter(assessment=assessment).exclude(links__code=code)
    return render(
        request,
        "web/criterion.html",
        {
            "grid": data,
            "row": row,
            "history": history,
            "form": form,
            "other_evidence": other_evidence,
            "events": data.events,
        },
    )


@login_required
@require_POST
def upload(request, pk, code):
    access = _access(request, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            criteria.upload_evidence(access, form.cleaned_data["file"], form.info(), [code])
        except actions.ActionRefused as exc:
            messages.error(request, render_message(exc.message))
        else:
            messages.success(request, _("The document is attached to %(code)s.") % {"code": code})
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("web:criterion", pk=pk, code=code)


@login_required
@require_POST
def link(request, pk, code):
    access = _access(request, pk)
    evidence_id = _int(request.POST.get("evidence"))
    if evidence_id is None:
        return bad_request(request, _("Choose one of the unit's documents."))
    evidence = get_object_or_404(Evidence, pk=evidence_id, assessment=access.assessment)
    try:
        criteria.link_evidence(access, evidence, code)
    except actions.ActionRefused as exc:
        messages.error(request, render_message(exc.message))
    return redirect("web:criterion", pk=pk, code=code)


@login_required
@require_POST
def unlink(request, pk, link_id):
    access = _access(request, pk)
    link_ = get_object_or_404(EvidenceLink, pk=link_id, evidence__assessment=access.assessment)
    try:
        criteria.unlink_evidence(access, link_)
    except actions.ActionRefused as exc:
        messages.error(request, render_message(exc.message))
    return redirect("web:criterion", pk=pk, code=link_.code)


@login_required
@require_POST
def review(request, pk, link_id):
    access = _access(request, pk)
    link_ = get_object_or_404(EvidenceLink, pk=link_id, evidence__assessment=access.assessment)
    try:
        criteria.review_evidence(
            access, link_, request.POST.get("review", ""), request.POST.get("reason", "")
        )
    except actions.ActionRefused as exc:
        messages.error(request, render_message(exc.message))
    return redirect("web:criterion", pk=pk, code=link_.code)


@login_required
def evidence_file(request, evidence_id):
    """The only way to a stored document: checked against the reader's roles."""
    evidence = get_object_or_404(Evidence, pk=evidence_id)
    if not access_rules.access_for(request.user, evidence.assessment_id).can_read:
        raise Http404
    response = FileResponse(
        evidence.file.open("rb"),
        content_type=evidence.content_type,
        as_attachment=request.GET.get("download") == "1",
        filename=criteria.download_name(evidence),
    )
    # Private to the reader (no shared cache keeps it), checked again at each view.
    response["Cache-Control"] = "private, max-age=0"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


@login_required
def grid_sheet(request, pk):
    """Download the grid as XLSX (GET) or upload it back filled in (POST)."""
    from parindex.assessments import sheets
    from parindex.commands import table_error_lines
    from parindex.tables import TableError

    access = _access(request, pk)
    if request.method == "POST":
        if not request.FILES.get("sheet"):
            messages.error(request, _("Choose the filled-in sheet to upload."))
            return redirect("web:grid", pk=pk)
        try:
            report = sheets.import_grid_sheet(
                access, request.FILES["sheet"], overwrite=request.POST.get("overwrite") == "1"
            )
        except actions.ActionRefused as exc:
            messages.error(request, render_message(exc.message))
        except TableError as exc:
            messages.error(request, _("Nothing was imported:"))
            for line in table_error_lines(exc):  # at most 100, then "… and N more"
                messages.error(request, line)
        else:
            messages.success(
                request,
                _("%(created)s new and %(updated)s changed scores, %(unchanged)s unchanged.")
                % {
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                },
            )
        return redirect("web:grid", pk=pk)
    content = sheets.grid_workbook(access)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"cham-diem-{access.assessment.unit.code}-{access.assessment.framework.code}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def extend(request, pk):
    from django.utils.dateparse import parse_date

    assessment = _access(request, pk).assessment
    try:
        until = parse_date(request.POST.get("until", "") or "")
    except ValueError:  # well formed but not a day of the calendar: 31/02
        until = None
    if until is None:
        return bad_request(request, _("Give the new deadline as a date of the calendar."))
    try:
        actions.extend_deadline(
            request.user,
            assessment,
            request.POST.get("window", ""),
            until,
            reason=request.POST.get("reason", ""),
        )
    except actions.ActionRefused as exc:
        messages.error(request, render_message(exc.message))
    else:
        messages.success(request, _("The deadline is extended."))
    return redirect("web:grid", pk=pk)


@login_required
@require_POST
def save_value(request, pk, name):
    """The figure of a named input; every criterion reading it is recomputed."""
    access = _access(request, pk)
    try:
        criteria.set_value(
            access,
            name,
            request.POST.get("value", ""),
            expected_version=_version(request),
            reason=request.POST.get("reason", ""),
        )
    except actions.ActionRefused as exc:
        # The grid again, the refusal in the criterion's row beside the figure as typed.
        code = request.POST.get("code", "")
        data = queries.grid(access)
        if data.row(code) is None:
            messages.error(request, f"{name}: {render_message(exc.message)}")
            return redirect("web:grid", pk=pk)
        data.errors[code] = f"{name}: {render_message(exc.message)}"
        data.typed[name] = request.POST.get("value", "")
        return render(request, "web/grid.html", {"grid": data, "stages": workflow}, status=422)
    code = request.POST.get("code", "")
    anchor = f"#row-{code}" if access.assessment.framework.domain.node_map().get(code) else ""
    return redirect(reverse("web:grid", args=[pk]) + anchor)
