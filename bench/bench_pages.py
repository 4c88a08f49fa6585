"""Benchmark: server-side rendering of the scoring grid (120 criteria) and of a dashboard
(40 units in the peer group, two years), on the embedded database by default.

    .venv/bin/python bench/bench_pages.py                       # 120 criteria, 40 units
    .venv/bin/python bench/bench_pages.py --criteria 16 --units 4 --repeat 3   # a smoke run

Reports the median time per page, the SQL queries per page, and the ratio to a baseline
measured in the same run: the login page, a template render with no data. The dashboard is
measured on unchanged data (computed results reused), on the first view after a score of the
year changed (this year recomputed, last year reused), and with nothing cached. The issue's
target is "well under 200 ms" per page on the embedded database; it is printed, not asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--criteria", type=int, default=120)
    parser.add_argument("--units", type=int, default=40, help="at least 2")
    parser.add_argument("--repeat", type=int, default=15)
    return parser.parse_args(argv)


def build(args):
    from bench_results import framework_document
    from django.contrib.auth.models import User

    from parindex.assessments.actions import RoundDates, open_round
    from parindex.assessments.models import ScoreEntry
    from parindex.domain.framework import load_framework
    from parindex.frameworks.services import save_framework
    from parindex.units.models import Membership, PeerGroup, Unit

    documents = []
    for year in (2024, 2025):
        document = framework_document(args.criteria)
        document.update(code=f"bench-{year}", year=year)
        if year == 2025:
            document["previous"] = "bench-2024"
        documents.append(document)
    group = PeerGroup.objects.create(code="so", name="Sở")
    owner = Unit.objects.create(code="SYT", name="Sở Y tế", group=group)
    units = [owner] + [
        Unit(code=f"U{i}", name=f"Đơn vị {i}", parent=owner, group=group)
        for i in range(1, args.units)
    ]
    Unit.objects.bulk_create(units[1:])
    officer = User.objects.create_user("erin")
    Membership.objects.create(user=officer, unit=owner, role="officer")
    frameworks, domains = [], []
    for document in documents:
        domain, problems = load_framework(document)
        assert domain is not None, problems.errors
        framework, _ = save_framework(domain, publish=True)
        frameworks.append(framework)
        domains.append(domain)
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    # The department's own assessment of this year is in progress (its grid is measured);
    # the other units' figures were recorded outside a round, i.e. published (the dashboard
    # of U1 is measured). A round is opened before any score of its unit exists.
    round_ = open_round(
        officer,
        framework=frameworks[1],
        owner=owner,
        title="Bench",
        dates=RoundDates(
            today + timedelta(days=5),
            today + timedelta(days=6),
            today + timedelta(days=7),
            today + timedelta(days=8),
        ),
        units=[owner],
    )
    for framework, domain in zip(frameworks, domains, strict=True):
        entries = []
        for index, unit in enumerate(units):
            for leaf in domain.leaves():
                names = list(leaf.effective_rule.inputs())
                if names:
                    entries.append(
                        ScoreEntry(
                            framework=framework, unit=unit, stage="self", key=names[1], value=500
                        )
                    )
                    entries.append(
                        ScoreEntry(
                            framework=framework,
                            unit=unit,
                            stage="self",
                            key=names[0],
                            value=500 - index % 7,
                        )
                    )
                else:
                    entries.append(
                        ScoreEntry(
                            framework=framework,
                            unit=unit,
                            stage="self",
                            key=leaf.code,
                            points=Decimal((index + len(leaf.code)) % 5) / 4,
                        )
                    )
        ScoreEntry.objects.bulk_create(entries, batch_size=5000)
    return officer, round_.assessments.get(), frameworks[1]


def measure(client, url, repeat, cold=False, touch=None):
    """Median seconds and queries per render. `cold` empties the results cache before each
    render (as after a restart); `touch` changes one score first (as after an edit)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from parindex.assessments.results import clear_cache

    client.get(url)  # warm caches (templates, translations)
    times = []
    for _ in range(repeat):
        if cold:
            clear_cache()
        if touch is not None:
            touch()
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    if cold:
        clear_cache()
    if touch is not None:
        touch()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(times), len(queries)


def main(argv=None):
    args = parse_args(argv)
    tmp = tempfile.TemporaryDirectory()
    os.environ["DATABASE_URL"] = f"sqlite:///{Path(tmp.name) / 'pages.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parindex.settings")
    os.environ["PARINDEX_DATA_DIR"] = tmp.name
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    settings.ALLOWED_HOSTS = ["testserver"]
    setup_test_environment()
    settings.DEBUG = False
    call_command("migrate", verbosity=0)
    officer, assessment, framework = build(args)
    client = Client()
    baseline, _ = measure(client, "/accounts/login/", args.repeat)
    client.force_login(officer)
    from django.utils import timezone

    from parindex.assessments.models import ScoreEntry

    def touch():  # a unit's score of this year changes
        first = ScoreEntry.objects.filter(framework=framework, unit__code="U1").order_by("pk")
        ScoreEntry.objects.filter(pk__in=first.values("pk")[:1]).update(updated_at=timezone.now())

    # U1's published figures (recorded outside a round): the department's own are in progress.
    dashboard = f"/dashboard/{framework.code}/U1/"
    scale = f"{args.units} units, 2 years"
    pages = {
        f"grid ({args.criteria} criteria)": (f"/assessments/{assessment.pk}/", False, None),
        f"dashboard ({scale}), unchanged data": (dashboard, False, None),
        f"dashboard ({scale}), first view after a score changed": (dashboard, False, touch),
        f"dashboard ({scale}), nothing cached (after a restart)": (dashboard, True, None),
    }
    page = client.get(dashboard).content.decode()
    assert 'id="area-chart"' in page, "the dashboard shows no results: nothing to measure"
    print(f"database: sqlite; baseline (login page): {baseline * 1000:.1f} ms")
    for name, (url, cold, change) in pages.items():
        seconds, queries = measure(client, url, args.repeat, cold, change)
        print(
            f"{name}: {seconds * 1000:.1f} ms, {queries} SQL queries, "
            f"{seconds / baseline:.1f}× the baseline"
        )
    tmp.cleanup()


if __name__ == "__main__":
    sys.exit(main())
