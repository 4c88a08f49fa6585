"""Published results of a framework, computed by the engine from what is stored.

Nothing here is stored: every number is recomputed from the entries, so a result can always be
traced back to its inputs.
"""

from __future__ import annotations

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


def framework_results(framework: Framework, *, with_previous: bool = True) -> Results:
    units, stages = load_stages(framework)
    previous = None
    domain = framework.domain
    if with_previous and domain.previous:
        earlier = Framework.objects.filter(code=domain.previous).first()
        if earlier is not None:
            previous = framework_results(earlier, with_previous=False)
    return compute_results(domain, units, stages, previous)
