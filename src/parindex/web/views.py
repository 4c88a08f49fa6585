"""Pages of the assessment cycle. Views are thin: they read the request, build the user's
access object once (`parindex.assessments.access`), call the actions of
`parindex.assessments` (which check permissions) and render; HTMX requests get fragments."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parindex.assessments import access as access_rules
from parindex.assessments import actions, criteria, queries
from parindex.assessments.models import AuditEntry, Evidence, EvidenceLink, UnitAssessment
from parindex.domain import workflow
from parindex.domain.i18n import Message
from parindex.domain.i18n import gettext_noop as N_
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


def _grid_page(request, data: queries.Grid, status: int = 200):
    return render(request, "web/grid.html", {"grid": data, "stages": workflow}, status=status)


@login_required
def grid(request, pk):
    data = queries.grid(_access(request, pk))
    data.only_attention = request.GET.get("show") == "attention"
    return _grid_page(request, data)


@login_required
@require_POST
def take_action(request, pk):
    """A workflow step. The steps nobody can undo themselves (`queries.CONFIRMED_ACTIONS`)
    are taken only with `confirm=1`: the grid's dialog adds it (app.js); without it — a
    browser without JavaScript — the answer is the confirmation page, which sends it."""
    access = _access(request, pk)
    assessment = access.assessment
    action = request.POST.get("action", "")
    version = _int(request.POST.get("version"))
    if version is None:  # the page always says which version it showed
        return bad_request(request, _("Reload the page and try again."))
    if action in queries.CONFIRMED_ACTIONS and request.POST.get("confirm") != "1":
        return _confirm_page(request, access, action)
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
        if action == "submit" and criteria.unsupported_criteria(assessment):
            # What blocks the submission, and nothing else: one click away each.
            return redirect(reverse("web:grid", args=[pk]) + "?show=attention")
    else:
        messages.success(
            request,
            _("Done: %(action)s.") % {"action": _(workflow.ACTION_LABELS.get(action, action))},
        )
    return redirect("web:grid", pk=pk)


def _confirm_page(request, access, action):
    """What the step will do, asked before it is taken (the page of a browser without
    JavaScript; the grid shows the same text in a dialog)."""
    data = queries.grid(access, with_events=False)
    target = request.POST.get("target", "")
    if action == "reopen":
        if not access.is_officer:
            blocked, target = workflow.reopen_refusal(access.state, target, access.roles), ""
        elif target not in access.reopen_targets:
            blocked, target = Message(N_("choose the step to reopen the assessment at")), ""
        elif not request.POST.get("note", "").strip():
            blocked = Message(N_("say why the assessment is reopened"))
        else:
            blocked = None
    elif action in workflow.TRANSITIONS:
        blocked = access.refusal(action)
        if blocked is None and action == "submit":
            blocked = data.blocked_submission
    else:
        blocked = Message(N_("unknown action “%(action)s”"), {"action": action})
    resend = [
        (name, request.POST.get(name, ""))
        for name in ("action", "version", "target", "note")
        if name in request.POST
    ]
    return render(
        request,
        "web/confirm.html",
        {
            "grid": data,
            "action": action,
            "target": target,
            "note": request.POST.get("note", ""),
            "blocked": render_message(blocked) if blocked is not None else "",
            "resend": resend,
        },
    )


def _htmx(request) -> bool:
    return bool(request.headers.get("HX-Request"))


def _row_response(request, access, code, *, typed=None, error="", reason="", name=None):
    """The criterion's row for HTMX, with the totals and area rows it changes (out of band).
    `name`: the input just saved, whose every criterion is recomputed and swapped too;
    `typed`/`reason`/`error`: a refused save, shown as sent."""
    data = queries.grid(access, with_events=False)
    row = data.row(code)
    if row is None:
        message = _("“%(code)s” is not a criterion of this framework") % {"code": code}
        return bad_request(request, message)
    row.typed_points, row.typed_reason, row.error = typed, reason, error
    others = []
    if name is not None and not error:
        others = [
            other
            for other in data.leaves
            if other is not row and any(cell.name == name for cell in other.inputs)
        ]
    return render(
        request, "web/_row.html", {"grid": data, "row": row, "oob": True, "others": others}
    )


def _version(request):
    """The version of the entry the page showed; an empty field means there was none."""
    return _int(request.POST.get("version"))


def _is_criterion(access, code) -> bool:
    node = access.assessment.framework.domain.node_map().get(code)
    return node is not None and node.is_leaf


@login_required
@require_POST
def save_points(request, pk, code):
    access = _access(request, pk)
    typed = request.POST.get("points", "").strip()
    reason = request.POST.get("reason", "")
    on_criterion_page = request.POST.get("next") == "criterion"
    try:
        criteria.set_points(
            access, code, typed or None, expected_version=_version(request), reason=reason
        )
    except actions.ActionRefused as exc:
        error = render_message(exc.message)
        if _htmx(request):
            return _row_response(request, access, code, typed=typed, error=error, reason=reason)
        if not _is_criterion(access, code):  # bonus or penalty: the officer's card
            messages.error(request, f"{code}: {error}")
            return redirect("web:grid", pk=pk)
        # The page again, the points and reason as typed, the refusal beside them.
        if on_criterion_page:
            return _criterion_page(request, access, code, status=422, points=(typed, reason, error))
        data = queries.grid(access)
        row = data.row(code)
        row.typed_points, row.typed_reason, row.error = typed, reason, error
        return _grid_page(request, data, status=422)
    if _htmx(request):
        return _row_response(request, access, code)
    if on_criterion_page and _is_criterion(access, code):
        return redirect("web:criterion", pk=pk, code=code)
    anchor = f"#row-{code}" if _is_criterion(access, code) else ""
    return redirect(reverse("web:grid", args=[pk]) + anchor)


@login_required
@require_POST
def save_note(request, pk, code):
    access = _access(request, pk)
    text = request.POST.get("text", "")
    try:
        criteria.set_note(access, code, text, expected_version=_version(request))
    except actions.ActionRefused as exc:
        if not _is_criterion(access, code):
            return bad_request(request, render_message(exc.message))
        return _criterion_page(
            request, access, code, status=422, note=(text, render_message(exc.message))
        )
    messages.success(request, _("Your text is saved."))
    return redirect("web:criterion", pk=pk, code=code)


def _criterion_page(
    request,
    access,
    code,
    *,
    status=200,
    form=None,
    points=None,
    figure=None,
    note=None,
    review=None,
):
    """The criterion page; after a refused form, what was sent is shown again with the
    reason beside it: `points` (typed, reason, error), `figure` (input name, typed,
    error), `note` (text, error), `review`
    (link id, choice, reason, error), `form` (the evidence form, bound)."""
    assessment = access.assessment
    data = queries.grid(access, with_events=False)  # the steps are the grid's
    row = data.row(code)
    if row is None or not row.is_leaf:
        raise Http404
    if points is not None:
        row.typed_points, row.typed_reason, row.error = points
    if figure is not None:
        data.typed[figure[0]] = figure[1]
        row.error_for, row.error = figure[0], figure[2]
    for link in row.links:
        link.typed = review[1:] if review is not None and review[0] == link.pk else None
    framework = assessment.framework.domain
    names = [cell.name for cell in row.inputs]
    history = list(
        AuditEntry.objects.filter(
            framework_id=assessment.framework_id,
            unit_id=assessment.unit_id,
            key__in=[code, *names],
        ).select_related("user", "batch")
    )
    for entry in history:
        entry.input_title = framework.input_title(entry.key) if entry.key != code else ""
    _name_authors(row.provenance)
    other_evidence = Evidence.objects.filter(assessment=assessment).exclude(links__code=code)
    return render(
        request,
        "web/criterion.html",
        {
            "grid": data,
            "row": row,
            "history": history,
            "form": form or EvidenceForm(initial={"codes": code}),
            "other_evidence": other_evidence,
            "note_typed": note,
        },
        status=status,
    )


def _name_authors(entries) -> None:
    """Each stored value's author by their full name (`updated_by` keeps the user name, or
    the name an operator gave for an import): one query for the whole list."""
    if not entries:
        return
    from django.contrib.auth import get_user_model

    from parindex.units.people import full_name

    usernames = {e.updated_by for e in entries if e.updated_by}
    names = {
        user.get_username(): full_name(user)
        for user in get_user_model().objects.filter(username__in=usernames)
    }
    for entry in entries:
        entry.author = names.get(entry.updated_by, entry.updated_by)


@login_required
def criterion(request, pk, code):
    return _criterion_page(request, _access(request, pk), code)


@login_required
@require_POST
def upload(request, pk, code):
    access = _access(request, pk)
    form = EvidenceForm(request.POST, request.FILES, initial={"codes": code})
    if form.is_valid():
        try:
            criteria.upload_evidence(access, form.cleaned_data["file"], form.info(), [code])
        except actions.ActionRefused as exc:
            form.add_error(None, render_message(exc.message))
        else:
            messages.success(request, _("The document is attached to %(code)s.") % {"code": code})
            return redirect("web:criterion", pk=pk, code=code)
    # The form again with what was entered (a browser never keeps the chosen file).
    return _criterion_page(request, access, code, status=422, form=form)


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
    """The appraiser's review of one document: "accepted" or "insufficient", chosen each
    time (the form has no default, so that nothing is accepted unread)."""
    access = _access(request, pk)
    link_ = get_object_or_404(EvidenceLink, pk=link_id, evidence__assessment=access.assessment)
    choice, reason = request.POST.get("review", ""), request.POST.get("reason", "")
    try:
        if choice not in (EvidenceLink.Review.ACCEPTED, EvidenceLink.Review.INSUFFICIENT):
            raise actions.ActionRefused(
                Message(N_("choose whether the document is accepted or insufficient"))
            )
        criteria.review_evidence(access, link_, choice, reason)
    except actions.ActionRefused as exc:
        review_ = (link_.pk, choice, reason, render_message(exc.message))
        return _criterion_page(request, access, link_.code, status=422, review=review_)
    return redirect("web:criterion", pk=pk, code=link_.code)


@login_required
def evidence_file(request, evidence_id):
    """The only way to a stored document: checked against the reader's roles."""
    evidence = get_object_or_404(Evidence, pk=evidence_id)
    if not access_rules.access_for(request.user, evidence.assessment_id).can_read:
        raise Http404
    return private_file(request, evidence, criteria.download_name(evidence))


def private_file(request, document, filename: str) -> FileResponse:
    """A stored document (evidence of a criterion or of a remediation item) to a reader whose
    right the caller checked: private to them (no shared cache keeps it, checked again at each
    view), never sniffed or run as a page; `?download=1` saves it."""
    response = FileResponse(
        document.file.open("rb"),
        content_type=document.content_type,
        as_attachment=request.GET.get("download") == "1",
        filename=filename,
    )
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
    from parindex.web.forms import date_field

    assessment = _access(request, pk).assessment
    # The same field as every date of the site: dd/mm/yyyy typed (whatever the browser's
    # locale), ISO accepted; 31/02 is not a day of the calendar.
    try:
        until = date_field("").clean(request.POST.get("until", ""))
    except ValidationError:
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
    """The figure of a named input; every criterion reading it is recomputed. HTMX gets the
    rows back (the one the figure was typed in, and out of band every other criterion that
    reads it, the totals and the areas); a plain form gets the grid at that row."""
    access = _access(request, pk)
    code = request.POST.get("code", "")
    raw = request.POST.get("value", "")
    try:
        criteria.set_value(
            access,
            name,
            raw,
            expected_version=_version(request),
            reason=request.POST.get("reason", ""),
        )
    except actions.ActionRefused as exc:
        framework = access.assessment.framework.domain
        error = f"{framework.input_title(name)}: {render_message(exc.message)}"
        if not _is_criterion(access, code):
            if _htmx(request):
                return bad_request(request, error)
            messages.error(request, error)
            return redirect("web:grid", pk=pk)
        # The refusal in the criterion's row, beside the figure as typed.
        if request.POST.get("next") == "criterion" and not _htmx(request):
            return _criterion_page(request, access, code, status=422, figure=(name, raw, error))
        data = queries.grid(access, with_events=not _htmx(request))
        data.typed[name] = raw
        data.row(code).error, data.row(code).error_for = error, name
        if _htmx(request):
            return render(
                request, "web/_row.html", {"grid": data, "row": data.row(code), "oob": True}
            )
        return _grid_page(request, data, status=422)
    if _htmx(request) and _is_criterion(access, code):
        return _row_response(request, access, code, name=name)
    if request.POST.get("next") == "criterion" and _is_criterion(access, code):
        return redirect("web:criterion", pk=pk, code=code)
    anchor = f"#row-{code}" if _is_criterion(access, code) else ""
    return redirect(reverse("web:grid", args=[pk]) + anchor)
