"""Benchmark: the what-if of one unit among 21 peers × 120 criteria (target ≤ 50 ms a call).

    .venv/bin/python bench/bench_whatif.py                          # the full size, SQLite
    .venv/bin/python bench/bench_whatif.py --units 3 --criteria 16 --repeat 3   # a smoke run
    DATABASE_URL=postgres://… .venv/bin/python bench/bench_whatif.py --database-url env

Reports the median (min–max) of --repeat calls of what a user waits for:
- "what-if, page call": what the what-if page does per keystroke (`analysis.published` —
  the results fingerprint, a cache hit, the unit's entries — then the settings read, the
  unit scored again and ranked among its peers), with the published results in memory;
- "what-if, cold": the same with the results cache emptied before each call (the first
  what-if after a score of the year changed: the peer group is computed again);
- "engine only": `whatif.what_if` on data already in memory;
- "loss analysis with a target rank": `analysis.loss_report(…, 5)`, results in memory;
- "what-if page, HTMX request": the whole HTTP request of one keystroke through Django's
  test client (login, access check, the page call, the fragment rendered; target < 100 ms).
Each is also given as a ratio of a baseline measured in the same run: scoring the unit once
with the engine (`scoring.score_unit`), the floor of any what-if. The target (≤ 50 ms for the
page call) is printed beside the figure, never asserted.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_results import Timing, duration, timed

TARGET_MS = 50
PAGE_TARGET_MS = 100


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=21, help="units of the peer group")
    parser.add_argument("--criteria", type=int, default=120, help="scored criteria")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument(
        "--database-url",
        default=None,
        help="'env' to use DATABASE_URL; default: a temporary SQLite file",
    )
    return parser.parse_args(argv)


def build(args):
    from bench.bench_results import build as build_results

    namespace = argparse.Namespace(groups=1, units=args.units, criteria=args.criteria)
    return build_results(namespace)


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

    from parindex.assessments.analysis import loss_report, published, read_settings, run_what_if
    from parindex.assessments.results import clear_cache
    from parindex.domain.scoring import score_unit
    from parindex.domain.whatif import what_if
    from parindex.units.models import Unit

    call_command("migrate", verbosity=0)
    framework, scores = build(args)
    unit = Unit.objects.order_by("code").first()
    domain = framework.domain
    leaves = domain.leaves()
    # What a user types: two criteria's points and one input figure.
    manual = [leaf for leaf in leaves if not leaf.effective_rule.inputs()]
    computed = [leaf for leaf in leaves if leaf.effective_rule.inputs()]
    raw_points = {leaf.code: "1" for leaf in manual[:2]}
    raw_values = {}
    if computed:
        raw_values[sorted(computed[0].effective_rule.inputs())[0]] = "50"

    def page_call():
        data = published(framework, unit)
        points, values, problems = read_settings(data.results.framework, raw_points, raw_values)
        assert not problems, problems
        return run_what_if(data, points, values)

    data = published(framework, unit)
    points, values, _problems = read_settings(domain, raw_points, raw_values)

    def engine():
        return what_if(data.results, unit.code, data.stages, points, values)

    def baseline():
        return score_unit(data.results.framework, data.stages)

    def losses():
        return loss_report(published(framework, unit), 5)

    page_call()
    base = timed(baseline, args.repeat)
    warm = timed(page_call, args.repeat)
    cold = timed(page_call, max(3, args.repeat // 5), before=clear_cache)
    inner = timed(engine, args.repeat)
    page_call()  # the cache filled again
    lost = timed(losses, max(3, args.repeat // 3))

    from django.contrib.auth.models import User
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    setup_test_environment()  # the test client's host
    client = Client()
    client.force_login(User.objects.create_superuser("bench", password="bench-pw-0"))
    url = reverse("web:what_if", args=[framework.code, unit.code])
    query = {f"p:{key}": value for key, value in raw_points.items()}
    query.update({f"v:{key}": value for key, value in raw_values.items()})

    def request():
        response = client.get(url, query, headers={"HX-Request": "true"})
        assert response.status_code == 200, response.status_code

    request()
    http = timed(request, args.repeat)

    def line(label: str, timing: Timing, target: int | None = None) -> str:
        ratio = timing.median / base.median
        verdict = ""
        if target is not None:
            ok = timing.median * 1000 <= target
            verdict = f"  [target ≤ {target} ms: {'PASS' if ok else 'FAIL'}]"
        return f"{label}: {timing}  = {ratio:.1f}× the baseline{verdict}"

    print(
        f"database: {connection.vendor}; 1 peer group × {args.units} units × {args.criteria} "
        f"criteria = {scores:,} criterion scores"
    )
    print(line("what-if, page call (results in memory)", warm, target=TARGET_MS))
    print(line("what-if, cold (results cache emptied)", cold))
    print(line("engine only (whatif.what_if)", inner))
    print(line("loss analysis with a target rank", lost))
    print(line("what-if page, HTMX request (HTTP)", http, target=PAGE_TARGET_MS))
    print(f"baseline (score_unit, one unit): {base}")
    print(f"  ({duration(base.median)} a unit scored)")
    tmp.cleanup()


if __name__ == "__main__":
    sys.exit(main())
