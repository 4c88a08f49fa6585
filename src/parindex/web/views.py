"""Pages of the assessment cycle. Views are thin: they read the request, call the actions of
`parindex.assessments` (which check permissions) and render; HTMX requests get fragments."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parindex.assessments import actions, criteria, queries
from parindex.assessments.models import AuditEntry, Evidence, EvidenceLink, UnitAssessment
from parindex.domain import workflow
from parindex.domain.numbers import NumberError, parse_decimal
from parindex.messages import render as render_message
from parindex.units.models import Membership, Unit
from parindex.web.forms import EvidenceForm, RoundForm


def _visible_assessments(user):
    """Every unit assessment the user holds a role in (staff, appraiser, officer, leader)."""
    if user.is_superuser:
        return UnitAssessment.objects.all()
    parents = dict(Unit.objects.values_list("id", "parent_id"))
    memberships = list(Membership.objects.filter(user=user).values_list("unit_id", "role"))
    staff = {unit for unit, role in memberships if role == Membership.Role.STAFF}
    heads = {unit for unit, role in memberships if role != Membership.Role.STAFF}

    def under_a_head(unit_id):
        seen = set()
        while unit_id is not None and unit_id not in seen:
            if unit_id in heads:
                return True
            seen.add(unit_id)
            unit_id = parents.get(unit_id)
        return False

    subtree = {unit for unit in parents if under_a_head(unit)}
    from django.db.models import Q

    return UnitAssessment.objects.filter(
        Q(unit_id__in=staff | subtree) | Q(round__owner_id__in=subtree) | Q(appraisers=user)
    ).distinct()


@login_required
def home(request):
    assessments = (
        _visible_assessments(request.user)
        .select_related("round", "round__framework", "round__owner", "unit")
        .order_by("-round__created_at", "unit__code")
    )
    rounds: dict = {}
    for assessment in assessments:
        rounds.setdefault(assessment.round, []).append(assessment)
    can_open = (
        request.user.is_superuser
        or Membership.objects.filter(user=request.user, role=Membership.Role.OFFICER).exists()
    )
    overview_ids = {
        round_.pk
        for round_ in rounds
        if {workflow.OFFICER, workflow.LEADER} & actions.unit_roles(request.user, round_.owner)
    }
    return render(
        request,
        "web/home.html",
        {"rounds": rounds, "can_open": can_open, "overview_ids": overview_ids},
    )


@login_required
def round_create(request):
    form = RoundForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = actions.open_round(request.user, **form.round_arguments())
        except actions.ActionRefused as exc:
            form.add_error(None, render_message(exc.message))
        else:
            messages.success(request, _("Round “%(title)s” opened.") % {"title": round_.title})
            return redirect("web:home")
    return render(request, "web/round_form.html", {"form": form})


def _assessment_for(request, pk) -> UnitAssessment:
    assessment = get_object_or_404(
        UnitAssessment.objects.select_related("round", "round__owner", "unit"), pk=pk
    )
    if not actions.can_read(request.user, assessment):
        raise Http404  # never confirm that another unit's assessment exists
    return assessment


@login_required
def grid(request, pk):
    _assessment_for(request, pk)
    return render(
        request, "web/grid.html", {"grid": queries.grid(pk, request.user), "stages": workflow}
    )


@login_required
@require_POST
def take_action(request, pk):
    assessment = _assessment_for(request, pk)
    action = request.POST.get("action", "")
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
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


def _row_response(request, pk, code, error=None):
    data = queries.grid(pk, request.user)
    row = next(r for r in data.rows if r.node.code == code)
    return render(request, "web/_row.html", {"grid": data, "row": row, "error": error, "oob": True})


def _criterion_reply(request, pk, code, error, page):
    """The criterion's row for HTMX; otherwise back to `page` with the error as a message."""
    if request.headers.get("HX-Request"):
        return _row_response(request, pk, code, error)
    if error:
        messages.error(request, f"{code}: {error}")
    if page == "web:criterion":
        return redirect(page, pk=pk, code=code)
    return redirect(page, pk=pk)


def _version(request):
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


@login_required
@require_POST
def save_points(request, pk, code):
    assessment = _assessment_for(request, pk)
    raw = request.POST.get("points", "").strip()
    error = None
    try:
        points = parse_decimal(raw, percent=False) if raw else None
        criteria.set_points(
            request.user,
            assessment,
            code,
            points,
            expected_version=_version(request),
            reason=request.POST.get("reason", ""),
        )
    except NumberError as exc:
        error = _("not a number: %(reason)s") % {
            "reason": _(exc.msgid) % exc.params if exc.params else _(exc.msgid)
        }
    except actions.ActionRefused as exc:
        error = render_message(exc.message)
    return _criterion_reply(request, pk, code, error, "web:grid")


@login_required
@require_POST
def save_note(request, pk, code):
    assessment = _assessment_for(request, pk)
    error = None
    try:
        criteria.set_note(
            request.user,
            assessment,
            code,
            request.POST.get("text", ""),
            expected_version=_version(request),
        )
    except actions.ActionRefused as exc:
        error = render_message(exc.message)
    return _criterion_reply(request, pk, code, error, "web:criterion")


@login_required
def criterion(request, pk, code):
    assessment = _assessment_for(request, pk)
    data = queries.grid(pk, request.user)
    row = next((r for r in data.rows if r.node.code == code and r.is_leaf), None)
    if row is None:
        raise Http404
    history = AuditEntry.objects.filter(
        framework_id=assessment.round.framework_id, unit_id=assessment.unit_id, key=code
    ).select_related("user")
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
            "events": assessment.events.select_related("actor"),
        },
    )


@login_required
@require_POST
def upload(request, pk, code):
    assessment = _assessment_for(request, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            criteria.upload_evidence(
                request.user, assessment, form.cleaned_data["file"], form.info(), [code]
            )
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
    assessment = _assessment_for(request, pk)
    evidence = get_object_or_404(Evidence, pk=request.POST.get("evidence"), assessment=assessment)
    try:
        criteria.link_evidence(request.user, evidence, code)
    except actions.ActionRefused as exc:
        messages.error(request, render_message(exc.message))
    return redirect("web:criterion", pk=pk, code=code)


@login_required
@require_POST
def unlink(request, pk, link_id):
    assessment = _assessment_for(request, pk)
    link_ = get_object_or_404(EvidenceLink, pk=link_id, evidence__assessment=assessment)
    try:
        criteria.unlink_evidence(request.user, link_)
    except actions.ActionRefused as exc:
        messages.error(request, render_message(exc.message))
    return redirect("web:criterion", pk=pk, code=link_.code)


@login_required
@require_POST
def review(request, pk, link_id):
    assessment = _assessment_for(request, pk)
    link_ = get_object_or_404(EvidenceLink, pk=link_id, evidence__assessment=assessment)
    try:
        criteria.review_evidence(
            request.user, link_, request.POST.get("review", ""), request.POST.get("reason", "")
        )
    except actions.ActionRefused as exc:
        messages.error(request, render_message(exc.message))
    return redirect("web:criterion", pk=pk, code=link_.code)


@login_required
def evidence_file(request, evidence_id):
    """The only way to a stored document: checked against the reader's roles."""
    evidence = get_object_or_404(
        Evidence.objects.select_related(
            "assessment", "assessment__round", "assessment__round__owner", "assessment__unit"
        ),
        pk=evidence_id,
    )
    if not actions.can_read(request.user, evidence.assessment):
        raise Http404
    response = FileResponse(
        evidence.file.open("rb"),
        content_type=evidence.content_type,
        as_attachment=request.GET.get("download") == "1",
        filename=evidence.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


# --- dashboards -----------------------------------------------------------------------------


@login_required
def dashboard(request, framework, unit):
    """One unit's results in a framework, its peer group's ranking, and last year."""
    from parindex.assessments.results import framework_results
    from parindex.frameworks.models import Framework

    model = get_object_or_404(Framework, code=framework)
    unit_ = get_object_or_404(Unit, code=unit)
    if not actions.unit_roles(request.user, unit_):
        raise Http404
    results = framework_results(model)
    mine = next((r for r in results.units if r.unit.code == unit_.code), None)
    if mine is None:
        return render(
            request, "web/dashboard.html", {"framework": model, "unit": unit_, "result": None}
        )
    peers = [r for r in results.units if r.unit.group and r.unit.group == mine.unit.group]
    lost = []
    for leaf in results.framework.leaves():
        node = mine.score.nodes[leaf.code]
        if node.applicable and node.max - node.score > 0:
            lost.append((node.max - node.score, leaf, node))
    lost.sort(key=lambda item: (-item[0], item[1].code))
    chart = {
        "labels": [n.code for n in mine.nodes],
        "titles": [n.title for n in mine.nodes],
        "current": [float(round(n.score * 100 / n.max, 2)) if n.max else None for n in mine.nodes],
        "previous": [
            float(round(n.previous.score * 100 / n.previous.max, 2))
            if n.previous is not None and n.previous.max
            else None
            for n in mine.nodes
        ],
        "current_label": model.code,
        "previous_label": results.previous_framework.code if results.previous_framework else "",
    }
    return render(
        request,
        "web/dashboard.html",
        {
            "framework": model,
            "unit": unit_,
            "result": mine,
            "results": results,
            "peers": peers,
            "lost": lost[:10],
            "chart": chart,
        },
    )


@login_required
def grid_sheet(request, pk):
    """Download the grid as XLSX (GET) or upload it back filled in (POST)."""
    from parindex.assessments import sheets
    from parindex.commands import describe_row_problem
    from parindex.tables import TableError

    assessment = _assessment_for(request, pk)
    if request.method == "POST" and request.FILES.get("sheet"):
        try:
            report = sheets.import_grid_sheet(request.user, assessment, request.FILES["sheet"])
        except actions.ActionRefused as exc:
            messages.error(request, render_message(exc.message))
        except TableError as exc:
            messages.error(request, _("Nothing was imported:"))
            for problem in exc.problems:
                messages.error(request, describe_row_problem(problem))
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
    content = sheets.grid_workbook(request.user, assessment)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"cham-diem-{assessment.unit.code}-{assessment.round.framework.code}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def extend(request, pk):
    from django.utils.dateparse import parse_date

    assessment = _assessment_for(request, pk)
    until = parse_date(request.POST.get("until", "") or "")
    if until is None:
        messages.error(request, _("Give the new deadline."))
    else:
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
    assessment = _assessment_for(request, pk)
    try:
        criteria.set_value(
            request.user,
            assessment,
            name,
            request.POST.get("value", ""),
            expected_version=_version(request),
        )
    except actions.ActionRefused as exc:
        messages.error(request, f"{name}: {render_message(exc.message)}")
    code = request.POST.get("code", "")
    return redirect(reverse("web:grid", args=[pk]) + (f"#row-{code}" if code else ""))


def _round_for(request, pk):
    from parindex.assessments.models import Round

    round_ = get_object_or_404(Round.objects.select_related("framework", "owner"), pk=pk)
    allowed = {workflow.OFFICER, workflow.LEADER} & actions.unit_roles(request.user, round_.owner)
    if not allowed:
        raise Http404
    return round_


@login_required
def round_detail(request, pk):
    """The officer's and leaders' view of a round: every unit's state and totals."""
    round_ = _round_for(request, pk)
    rows = queries.round_overview(round_)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.assessment.state] = counts.get(row.assessment.state, 0) + 1
    return render(
        request,
        "web/round.html",
        {
            "round": round_,
            "rows": rows,
            "counts": counts,
            "can_publish": actions.is_officer_of(request.user, round_.owner)
            and counts.get(workflow.FINAL, 0) > 0,
        },
    )


@login_required
@require_POST
def round_publish(request, pk):
    round_ = _round_for(request, pk)
    try:
        events = actions.publish_round(request.user, round_)
    except actions.ActionRefused as exc:
        messages.error(request, render_message(exc.message))
    else:
        messages.success(request, _("%(count)s unit(s) published.") % {"count": len(events)})
    return redirect("web:round", pk=pk)
