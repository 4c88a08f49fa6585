"""Benchmark: each official document generated for one unit of 21 peers × 120 criteria
(target ≤ 1 s a document, without PDF).

    .venv/bin/python bench/bench_documents.py                            # the full size
    .venv/bin/python bench/bench_documents.py --units 3 --criteria 16 --repeat 2   # a smoke run

Reports the median (min–max) of --repeat generations of each kind — the published results
read (cold: the results cache emptied first, as after a change), the context built, the
template checked and filled, the DOCX written — and the same with the results cached. The
unit keeps a year of 3.105 dossiers, so the annual report draws its one-stop table and chart.
Each is also given as a ratio of a baseline measured in the same run: reading the unit's published
result (`analysis.published`, cold), the floor of any document about it. The target is
printed beside the figure, never asserted.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_results import timed

TARGET_MS = 1000


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=21)
    parser.add_argument("--criteria", type=int, default=120)
    parser.add_argument("--repeat", type=int, default=5)
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    tmp = tempfile.TemporaryDirectory()
    os.environ["DATABASE_URL"] = f"sqlite:///{Path(tmp.name) / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parindex.settings")
    os.environ.setdefault("PARINDEX_DATA_DIR", tmp.name)
    import django

    django.setup()
    from django.core.management import call_command

    from bench.bench_results import build
    from parindex.assessments.analysis import published
    from parindex.assessments.results import clear_cache
    from parindex.documents.context import KINDS
    from parindex.documents.render import generate
    from parindex.plans.services import Actor, draft
    from parindex.units.models import Unit

    call_command("migrate", verbosity=0)
    framework, _scores = build(
        argparse.Namespace(groups=1, units=args.units, criteria=args.criteria)
    )
    unit = Unit.objects.order_by("code").first()
    draft(Actor.terminal("bench"), framework, unit)
    _dossiers(framework, unit, Path(tmp.name))  # the annual report's table and chart
    self_assessed = _self_assessed(framework, Path(tmp.name))
    base = timed(lambda: published(framework, unit), args.repeat, before=clear_cache)
    print(f"{args.units} units × {len(framework.domain.leaves())} criteria, unit {unit.code}")
    print(f"baseline, the published result read (cold): {base}")
    for kind in KINDS:
        who = self_assessed if kind == "self-assessment" else unit
        generate(kind, framework, who)  # the template and the imports loaded once
        for label, before in (("cold", clear_cache), ("cached", None)):
            timing = timed(
                lambda kind=kind, who=who: generate(kind, framework, who),
                args.repeat,
                before=before,
            )
            ms = timing.median * 1000
            verdict = "ok" if ms <= TARGET_MS else "OVER"
            print(
                f"{kind}, {label}: {timing}, {timing.median / base.median:.1f} × the baseline; "
                f"target ≤ {TARGET_MS} ms: {verdict}"
            )


def _dossiers(framework, unit, folder: Path, count: int = 3105) -> None:
    """A year of the unit's one-stop register, through the real import."""
    from parindex.registers.generate import dossiers, write
    from parindex.registers.imports import import_register
    from parindex.registers.models import RegisterKind

    frame = dossiers(count, [unit.code], framework.year, seed=2025)
    path = write(frame, folder / "dossiers.csv")
    import_register(RegisterKind.DOSSIERS, path, actor="bench")


def _self_assessed(framework, folder: Path):
    """A unit of its own in a round, every criterion self-scored at half its maximum."""
    from django.contrib.auth.models import User

    from parindex.assessments.actions import RoundDates, open_round
    from parindex.assessments.services import import_scores
    from parindex.units.models import Unit

    unit = Unit.objects.create(code="SA", name="Đơn vị tự đánh giá")
    officer = User.objects.create_superuser("bench-officer", password="bench-pw-0")
    from datetime import date, timedelta

    day = date.today()
    dates = RoundDates(*(day + timedelta(days=n) for n in (10, 20, 30, 40)))
    open_round(officer, framework=framework, owner=unit, title="bench", dates=dates, units=[unit])
    rows = ["unit,criterion,points"] + [
        f'SA,{leaf.code},"{str(leaf.effective_max / 2).replace(".", ",")}"'
        for leaf in framework.domain.leaves()
        if not leaf.effective_rule.inputs()
    ]
    path = folder / "self.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    import_scores(path, framework.code, "self", actor="bench")
    return unit


if __name__ == "__main__":
    main()
