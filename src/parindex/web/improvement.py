"""The loss analysis and the what-if of one unit's published result (`assessments.analysis`).

Whoever may open the unit's dashboard may open these (the same rule: a role in the unit). The
what-if page recomputes as the user types: the form sends its fields (GET: nothing is written)
and HTMX swaps in the result fragment; without JavaScript the button does the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils.translation import gettext as _

from parindex.assessments import access as access_rules
from parindex.assessments.analysis import (
    AnalysisError,
    loss_report,
    published,
    read_settings,
    run_what_if,
)
from parindex.domain import losses
from parindex.domain.comparison import signed
from parindex.domain.framework import BONUS, PENALTY
from parindex.frameworks.models import Framework
from parindex.messages import render as render_message
from parindex.units.models import Unit
from parindex.web.dashboards import place_text

# Form field prefixes: a criterion's points, an input's value.
POINTS, VALUE = "p:", "v:"
MAX_TARGET = 1000


def _unit_page(request, framework: str, unit: str):
    model = get_object_or_404(Framework, code=framework)
    unit_ = get_object_or_404(Unit.objects.select_related("parent__parent__parent"), code=unit)
    if not access_rules.unit_roles(request.user, unit_):
        raise Http404
    try:
        data = published(model, unit_)
    except AnalysisError as exc:
        return model, unit_, None, render_message(exc.message)
    return model, unit_, data, ""


def _target(request) -> int | None:
    try:
        target = int(request.GET.get("target", ""))
    except ValueError:
        return None
    return target if 1 <= target <= MAX_TARGET else None


@login_required
def loss_page(request, framework, unit):
    model, unit_, data, refusal = _unit_page(request, framework, unit)
    context = {"framework": model, "unit": unit_, "refusal": refusal}
    if data is not None:
        target = _target(request)
        report = loss_report(data, target)
        result = report.result
        context.update(
            {
                "report": report,
                "result": result,
                "rank": place_text(result.place),
                "target": target,
                "targets": range(1, result.place.of + 1) if result.place else (),
                "chosen": set(report.target.codes) if report.target else set(),
                "cap": losses.CAP_ITEM,
                "data_fix": any(item.data_fix for item in report.items),
            }
        )
    return render(request, "web/losses.html", context)


@dataclass
class Field:
    """One line of the what-if form: a criterion's points or an input's value."""

    name: str  # the form field
    key: str
    label: str
    current: object  # the published figure (points, or the input's value)
    max: object  # a criterion's max (None for an input)
    raw: str  # what the user typed
    problem: str = ""

    @property
    def dom_id(self) -> str:
        """An HTML id that keeps codes apart (1.12 and 11.2 both slugify to 112)."""
        return self.name.replace(":", "-").replace(".", "_")


def _fields(data, result, request) -> tuple[list[Field], list[Field]]:
    framework = data.results.framework
    score = result.score
    criteria = []
    for leaf in framework.leaves():
        node = score.nodes[leaf.code]
        if not node.applicable:
            continue
        # Every criterion can be set; those that lost points come first, in the page's order.
        criteria.append(
            Field(
                POINTS + leaf.code,
                leaf.code,
                leaf.title,
                node.score,
                node.max,
                request.GET.get(POINTS + leaf.code, "").strip(),
            )
        )
    criteria.sort(key=lambda f: f.current >= f.max)
    for key, label in ((BONUS, _("Bonus points")), (PENALTY, _("Penalty points"))):
        current = score.bonus if key == BONUS else score.penalty
        cap = framework.bonus_max if key == BONUS else framework.penalty_max
        if cap:
            criteria.append(
                Field(POINTS + key, key, label, current, cap, request.GET.get(POINTS + key, ""))
            )
    values = {}
    for stage in ("self", "appraisal", "appraisal2", "final"):
        if stage in data.stages:
            values.update(data.stages[stage].values)
    inputs = [
        Field(
            VALUE + name,
            name,
            info.title,
            values.get(name),
            None,
            request.GET.get(VALUE + name, "").strip(),
        )
        for name, info in framework.inputs_info.items()
    ]
    return criteria, inputs


@login_required
def what_if_page(request, framework, unit):
    model, unit_, data, refusal = _unit_page(request, framework, unit)
    context = {"framework": model, "unit": unit_, "refusal": refusal}
    if data is None:
        return render(request, "web/what_if.html", context)
    result = next(r for r in data.results.units if r.unit.code == unit_.code)
    criteria, inputs = _fields(data, result, request)
    points, values, problems = read_settings(
        data.results.framework,
        {f.key: f.raw for f in criteria if f.raw},
        {f.key: f.raw for f in inputs if f.raw},
    )
    for field in (*criteria, *inputs):
        if field.key in problems:
            field.problem = render_message(problems[field.key])
    outcome = run_what_if(data, points, values)
    before, after = outcome.before, outcome.after
    areas = [
        {
            "code": new.code,
            "title": new.title,
            "before": old.score,
            "after": new.score,
            "max": new.max,
            "delta": signed(new.score - old.score),
            "changed": new.score != old.score,
            "rank_before": place_text(old.place),
            "rank_after": place_text(new.place),
        }
        for old, new in zip(before.nodes, after.nodes, strict=True)
    ]
    context.update(
        {
            "criteria": criteria,
            "inputs": inputs,
            "outcome": outcome,
            "before": before,
            "after": after,
            "delta": signed(after.score.total - before.score.total),
            "rank_before": place_text(before.place),
            "rank_after": place_text(after.place),
            "areas": areas,
            "problems": len(problems),
        }
    )
    if request.headers.get("HX-Request"):
        # The fields stay as typed (the one being typed in keeps its focus); each field's
        # problem, or its absence, comes along out of band.
        return render(request, "web/_what_if_result.html", {**context, "oob": True})
    return render(request, "web/what_if.html", context)


urls = [
    path("dashboard/<slug:framework>/<str:unit>/losses/", loss_page, name="losses"),
    path("dashboard/<slug:framework>/<str:unit>/what-if/", what_if_page, name="what_if"),
]
