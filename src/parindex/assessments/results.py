"""Published results of a framework, computed by the engine from what is stored.

Only published figures leave this module unless an officer asks for the provisional ranking:
drafts and appraisals in progress are private to the people working on them.

Nothing here is stored: every number is recomputed from the entries, so a result can always be
traced back to its inputs. Recomputing a peer group over two years is the costly part of a
dashboard, so the computed results are kept in memory under a fingerprint of everything they
depend on (the entries, the framework, the units); any change makes a new fingerprint.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from django.db.models import Count, Max, OuterRef, Q, Subquery, Sum
from django.utils.translation import gettext as _

from parindex.assessments.models import ScoreEntry, UnitAssessment
from parindex.domain import workflow
from parindex.domain.comparison import Change, signed
from parindex.domain.scoring import Results, StageData, UnitInfo, compute_results
from parindex.frameworks.models import Framework
from parindex.units.models import Unit


def _shown(round_id: int | None) -> Q:
    """Assessments whose figures a results page may show: published ones — and, in the
    provisional ranking of one round's officer, that round's finalised ones. Results recorded
    outside any round (no assessment) are published figures and always shown."""
    shown = Q(state=workflow.PUBLISHED)
    if round_id is not None:
        shown |= Q(state=workflow.FINAL, round_id=round_id)
    return shown


def _hidden(framework: Framework, round_id: int | None):
    return UnitAssessment.objects.filter(framework=framework).exclude(_shown(round_id))


def load_stages(
    framework: Framework, round_id: int | None = None
) -> tuple[list[UnitInfo], dict[str, dict[str, StageData]]]:
    """Every unit whose figures may be shown (see `_shown`), with its entries by stage
    (2 queries). Drafts and appraisals in progress stay private."""
    rows = (
        ScoreEntry.objects.filter(framework=framework)
        .exclude(unit_id__in=_hidden(framework, round_id).values("unit_id"))
        .values_list("unit_id", "stage", "key", "points", "value")
    )
    by_unit: dict[int, dict[str, StageData]] = {}
    for unit_id, stage, key, points, value in rows.iterator(chunk_size=20000):
        data = by_unit.setdefault(unit_id, {}).setdefault(stage, StageData())
        # Stored with fixed places (2.9910 for 2.991): equal as numbers, and nothing is shown
        # before format_number rounds it, so no normalising here (it is the hot loop).
        if points is not None:
            data.points[key] = points
        else:
            data.values[key] = value
    units = Unit.objects.filter(id__in=by_unit).values_list("id", "code", "name", "group__code")
    infos, stages = [], {}
    for unit_id, code, name, group in units:
        infos.append(UnitInfo(code, name, group))
        stages[code] = by_unit[unit_id]
    return infos, stages


_CACHE: OrderedDict[tuple, Results] = OrderedDict()
_CACHE_SIZE = 16
_LOCK = threading.Lock()


def clear_cache() -> None:
    with _LOCK:
        _CACHE.clear()


def _fingerprint(framework: Framework, round_id: int | None) -> tuple:
    """What the results depend on, in one query: the entries (count, newest id, last change)
    and the assessments (count, sum of versions — every transition bumps a version, and
    publishing changes what may be shown)."""

    def scalar(queryset, expression):
        rows = (
            queryset.filter(framework=OuterRef("pk"))
            .values("framework")
            .annotate(result=expression)
            .values("result")
        )
        return Subquery(rows)

    # Only the entries that may be shown: a draft typed all day long does not invalidate the
    # published results everybody else is looking at.
    shown = ScoreEntry.objects.exclude(unit_id__in=_hidden(framework, round_id).values("unit_id"))
    assessments = UnitAssessment.objects.all()
    figures = (
        Framework.objects.filter(pk=framework.pk)
        .values_list(
            "updated_at",
            scalar(shown, Count("id")),
            scalar(shown, Max("id")),
            scalar(shown, Max("updated_at")),
            scalar(assessments, Count("id")),
            scalar(assessments, Count("id", filter=_shown(round_id))),
            scalar(assessments, Sum("version")),
        )
        .get()
    )
    return (framework.pk, *figures, round_id)


def _units_fingerprint() -> int:
    # Names and peer groups shape the results too; there are hundreds of units, not millions.
    return hash(tuple(Unit.objects.order_by("id").values_list("id", "code", "name", "group__code")))


def framework_results(
    framework: Framework, *, with_previous: bool = True, provisional=None
) -> Results:
    """The published results of `framework` (and of its previous one): units whose
    assessment is published, and results recorded outside a round. `provisional`: a round,
    whose finalised, not yet published units are added (its officer's provisional ranking;
    `Results.provisional` names them). Treat the results as read-only: they may be shared
    with other requests."""
    return results_history(framework, years=2 if with_previous else 1, provisional=provisional)[0]


# How far back a trend goes: a framework a year. The cache (16 entries) holds a chain this long
# beside the frameworks' own results.
MAX_YEARS = 12


def results_history(
    framework: Framework, *, years: int = MAX_YEARS, provisional=None
) -> list[Results]:
    """The results of `framework` (as `framework_results`: compared with its previous year),
    then those of each earlier framework of its chain (`previous`), newest first, at most
    `years` of them. Earlier years are published results only, each computed once and cached
    on its own, without its own previous year (last year's results survive this year's
    changes). A warm call costs a query for the units, then the fingerprint of each year and
    the framework of each earlier one. A chain that loops stops before it repeats itself."""
    units = _units_fingerprint()
    chain = [framework]
    seen = {framework.code}
    while len(chain) < years:
        code = chain[-1].domain.previous
        if not code or code in seen:
            break
        earlier = Framework.objects.filter(code=code).first()
        if earlier is None:
            break
        chain.append(earlier)
        seen.add(code)
    earlier_years = [_cached(model, None, None, units, None) for model in chain[1:]]
    previous, previous_key = earlier_years[0] if earlier_years else (None, None)
    round_id = provisional.pk if provisional is not None else None
    newest, _key = _cached(framework, previous, previous_key, units, round_id)
    return [newest, *(results for results, _key in earlier_years)]


def _cached(framework: Framework, previous: Results | None, previous_key, units: int, round_id):
    key = (_fingerprint(framework, round_id), previous_key, units)
    with _LOCK:
        cached = _CACHE.get(key)
        if cached is not None:
            _CACHE.move_to_end(key)
            return cached, key
    results = _compute(framework, previous, round_id)
    with _LOCK:
        _CACHE[key] = results
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return results, key


def _compute(framework: Framework, previous: Results | None, round_id: int | None) -> Results:
    units, stages = load_stages(framework, round_id)
    results = compute_results(framework.domain, units, stages, previous)
    if round_id is not None:
        results.provisional = frozenset(
            UnitAssessment.objects.filter(
                framework=framework, round_id=round_id, state=workflow.FINAL
            ).values_list("unit__code", flat=True)
        )
    return results


# --- a change against last year, in words (the dashboards, the workbook, the CLI) ---------


@dataclass(frozen=True)
class ChangeView:
    """A change against last year as the pages write it: `main` is how it is read (points,
    or percentage points of the maximum when the maximum changed), `detail` the raw points
    beside it when those are not the main reading."""

    main: str
    detail: str
    direction: str  # "up", "down", "same" or "" (not comparable): a class for the colour
    in_points: bool


def change_view(change: Change | None) -> ChangeView | None:
    if change is None:
        return None
    points = _("%(value)s points") % {"value": signed(change.points)}
    direction = {1: "up", -1: "down", 0: "same"}.get(change.direction, "")
    if change.in_points:
        return ChangeView(points, "", direction, True)
    if change.pct_points is None:  # an area that did not apply one of the years
        return ChangeView("—", points, "", False)
    pct = _("%(value)s pct points") % {"value": signed(change.pct_points, 2)}
    return ChangeView(pct, points, direction, False)
