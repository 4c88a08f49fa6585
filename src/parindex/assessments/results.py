"""Published results of a framework, computed by the engine from what is stored.

Nothing here is stored: every number is recomputed from the entries, so a result can always be
traced back to its inputs. Recomputing a peer group over two years is the costly part of a
dashboard, so the computed results are kept in memory under a fingerprint of everything they
depend on (the entries, the framework, the units); any change makes a new fingerprint.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from django.db.models import Count, Max

from parindex.assessments.models import ScoreEntry
from parindex.domain.scoring import Results, StageData, UnitInfo, compute_results
from parindex.frameworks.models import Framework
from parindex.units.models import Unit


def load_stages(framework: Framework) -> tuple[list[UnitInfo], dict[str, dict[str, StageData]]]:
    """Every unit with an entry for the framework, and its entries by stage (2 queries)."""
    rows = ScoreEntry.objects.filter(framework=framework).values_list(
        "unit_id", "stage", "key", "points", "value"
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


def _fingerprint(framework: Framework) -> tuple:
    entries = ScoreEntry.objects.filter(framework=framework).aggregate(
        count=Count("id"), top=Max("id"), last=Max("updated_at")
    )
    return (framework.pk, framework.updated_at, entries["count"], entries["top"], entries["last"])


def _units_fingerprint() -> int:
    # Names and peer groups shape the results too; there are hundreds of units, not millions.
    return hash(tuple(Unit.objects.order_by("id").values_list("id", "code", "name", "group__code")))


def framework_results(framework: Framework, *, with_previous: bool = True) -> Results:
    """The results of `framework` (and of its previous one). Treat them as read-only: they
    may be shared with other requests."""
    units = _units_fingerprint()
    previous, previous_key = None, None
    domain = framework.domain
    if with_previous and domain.previous:
        earlier = Framework.objects.filter(code=domain.previous).first()
        if earlier is not None:
            # Cached on its own: last year's results survive this year's changes.
            previous, previous_key = _cached(earlier, None, None, units)
    return _cached(framework, previous, previous_key, units)[0]


def _cached(framework: Framework, previous: Results | None, previous_key, units: int):
    key = (_fingerprint(framework), previous_key, units)
    with _LOCK:
        cached = _CACHE.get(key)
        if cached is not None:
            _CACHE.move_to_end(key)
            return cached, key
    results = _compute(framework, previous)
    with _LOCK:
        _CACHE[key] = results
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return results, key


def _compute(framework: Framework, previous: Results | None) -> Results:
    units, stages = load_stages(framework)
    return compute_results(framework.domain, units, stages, previous)
