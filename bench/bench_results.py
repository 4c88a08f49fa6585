"""Benchmark: published results for 60 peer groups × 40 units × 120 criteria.

    .venv/bin/python bench/bench_results.py                 # the full size, embedded SQLite
    .venv/bin/python bench/bench_results.py --groups 2 --units 5 --criteria 10   # a smoke run
    DATABASE_URL=postgres://… .venv/bin/python bench/bench_results.py --database-url env

Reports two figures, each the median (min–max) of --repeat runs:
- "cold": the computation itself, the in-memory results cache emptied before each run (the
  first view after a restart, or after a score of the year changed);
- "cached": the same call when nothing changed (the fingerprint query and a cache hit).
The cold time is also given per 100 000 criterion scores and, as machines differ, as ratios
against two baselines measured in the same run on the same data:
- "fetch": reading the raw score rows out of the database (the floor for any computation);
- "sum": adding the same Decimals up in a plain Python loop (the floor for the arithmetic).
No threshold is asserted anywhere: the figures are for reading and comparing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--groups", type=int, default=60)
    parser.add_argument("--units", type=int, default=40, help="units per peer group")
    parser.add_argument("--criteria", type=int, default=120, help="scored criteria")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--database-url",
        default=None,
        help="'env' to use DATABASE_URL; default: a temporary SQLite file",
    )
    return parser.parse_args(argv)


def framework_document(criteria: int) -> dict:
    """8 areas; every fourth criterion computes from named inputs (a ratio of counts)."""
    areas = []
    per_area = max(1, criteria // 8)
    made = 0
    for a in range(1, 9):
        children = []
        count = per_area if a < 8 else criteria - made
        for c in range(1, count + 1):
            node = {"code": f"{a}.{c}", "title": f"Tiêu chí {a}.{c}", "max": 1}
            if c % 4 == 0:
                node["rule"] = {
                    "type": "ratio",
                    "numerator": f"d{a}_{c}.done",
                    "denominator": f"d{a}_{c}.total",
                    "empty": "full",
                }
            else:
                node["rule"] = {"type": "manual", "step": 0.25}
            children.append(node)
        made += count
        areas.append({"code": str(a), "title": f"Lĩnh vực {a}", "children": children})
    return {
        "code": "bench-2025",
        "title": "Benchmark",
        "year": 2025,
        "bonus_max": 5,
        "penalty_max": 5,
        "bands": [{"min": 90, "label": "A"}, {"min": 0, "label": "B"}],
        "nodes": areas,
    }


def build(args):
    from parindex.assessments.models import ScoreEntry
    from parindex.domain.framework import load_framework
    from parindex.frameworks.services import save_framework
    from parindex.units.models import PeerGroup, Unit

    domain, problems = load_framework(framework_document(args.criteria))
    assert domain is not None, problems.errors
    framework, _ = save_framework(domain, publish=True)
    groups = PeerGroup.objects.bulk_create(
        [PeerGroup(code=f"g{g}", name=f"Nhóm {g}") for g in range(args.groups)]
    )
    units = Unit.objects.bulk_create(
        [
            Unit(code=f"U{g}-{u}", name=f"Đơn vị {g}-{u}", group=group)
            for g, group in enumerate(groups)
            for u in range(args.units)
        ]
    )
    entries = []
    for index, unit in enumerate(units):
        for leaf in domain.leaves():
            names = list(leaf.effective_rule.inputs())
            if names:
                total = 100 + (index * 7) % 900
                entries.append(
                    ScoreEntry(
                        framework=framework, unit=unit, stage="self", key=names[1], value=total
                    )
                )
                entries.append(
                    ScoreEntry(
                        framework=framework,
                        unit=unit,
                        stage="self",
                        key=names[0],
                        value=total - index % 13,
                    )
                )
            else:
                points = Decimal((index + len(leaf.code)) % 5) / 4
                entries.append(
                    ScoreEntry(
                        framework=framework, unit=unit, stage="self", key=leaf.code, points=points
                    )
                )
    ScoreEntry.objects.bulk_create(entries, batch_size=5000)
    return framework, len(units) * args.criteria


@dataclass
class Timing:
    times: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    def __str__(self) -> str:
        return (
            f"{duration(self.median)} (min {duration(min(self.times))}, "
            f"max {duration(max(self.times))}, {len(self.times)} runs)"
        )


def duration(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    return f"{seconds * 1000:.1f} ms" if seconds >= 0.001 else f"{seconds * 1e6:.0f} µs"


def timed(function, repeat: int, before=None) -> Timing:
    """Runs `function` `repeat` times; `before` (not timed) runs before each run."""
    times = []
    for _ in range(repeat):
        if before is not None:
            before()
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return Timing(times)


def main(argv=None) -> None:
    args = parse_args(argv)
    tmp = tempfile.TemporaryDirectory()
    if args.database_url != "env":
        default = f"sqlite:///{Path(tmp.name) / 'bench.sqlite3'}"
        os.environ["DATABASE_URL"] = args.database_url or default
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parindex.settings")
    os.environ.setdefault("PARINDEX_DATA_DIR", tmp.name)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from parindex.assessments.models import ScoreEntry
    from parindex.assessments.results import clear_cache, framework_results

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    framework, scores = build(args)
    built = time.perf_counter() - start

    def fetch():
        return list(
            ScoreEntry.objects.filter(framework=framework).values_list(
                "unit_id", "stage", "key", "points", "value"
            )
        )

    rows = fetch()

    def plain_sum():
        total = Decimal(0)
        for row in rows:
            total += row[3] if row[3] is not None else row[4]
        return total

    def results():
        return framework_results(framework)

    fetch_t = timed(fetch, args.repeat)
    sum_t = timed(plain_sum, args.repeat)
    cold = timed(results, args.repeat, before=clear_cache)  # computed every time
    clear_cache()
    results()  # fills the cache; the timed runs below find nothing changed
    cached = timed(results, args.repeat)
    per_100k = cold.median * 100_000 / scores
    print(
        f"database: {connection.vendor}; {args.groups} groups × {args.units} units × "
        f"{args.criteria} criteria = {scores:,} criterion scores ({len(rows):,} rows); "
        f"set-up {built:.1f} s"
    )
    print(f"results, cold (cache emptied before each run): {cold}")
    print(f"  = {per_100k:.3f} s per 100k criterion scores")
    fetch_x, sum_x = cold.median / fetch_t.median, cold.median / sum_t.median
    print(f"  {fetch_x:.1f}× the fetch, {sum_x:.1f}× the sum")
    print(f"results, cached (nothing changed): {cached}")
    print(
        f"  {cached.median / fetch_t.median:.3f}× the fetch, "
        f"{cached.median / sum_t.median:.3f}× the sum, 1/{cold.median / cached.median:.0f} of cold"
    )
    print(f"baseline fetch rows: {fetch_t}")
    print(f"baseline plain sum:  {sum_t}")
    tmp.cleanup()


if __name__ == "__main__":
    sys.exit(main())
