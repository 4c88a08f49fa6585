"""Benchmark: the number checker's precision and recall on its corpus, and its speed.

    .venv/bin/python bench/bench_numbercheck.py

Two sets of passages written for the project, each of known slips of each kind and
known-correct passages in tricky number styles: the corpus (tests/data/numbercheck.yaml), which
the tests hold the checker to, and a held-out set (tests/data/numbercheck-heldout.yaml), never
tuned against: its figures say what the checker does on phrasing it was not shaped by.

A finding counts as a true positive when its passage expects a finding of its kind (each
expected finding matched once), a false positive otherwise; an expected finding not found is a
false negative. Reported per kind and in all: precision = TP / (TP + FP), recall = TP / (TP +
FN). The time to check the whole corpus is given as a ratio of a baseline measured in the same
run: cutting the same text into sentences (the floor of any check).
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from parindex.domain import numbercheck  # noqa: E402

CORPUS = ROOT / "tests" / "data" / "numbercheck.yaml"
HELD_OUT = ROOT / "tests" / "data" / "numbercheck-heldout.yaml"


def score(passages) -> dict[str, Counter]:
    counts = {kind: Counter() for kind in numbercheck.KINDS}
    for passage in passages:
        expected = Counter(passage["expect"])
        found = Counter(f.kind for f in numbercheck.check(passage["text"]))
        for kind in numbercheck.KINDS:
            hit = min(expected[kind], found[kind])
            counts[kind]["tp"] += hit
            counts[kind]["fp"] += found[kind] - hit
            counts[kind]["fn"] += expected[kind] - hit
    return counts


def ratio(part: int, whole: int) -> str:
    return f"{part / whole:.2f}" if whole else "—"


def report(path: Path) -> list:
    passages = yaml.safe_load(path.read_text(encoding="utf-8"))
    counts = score(passages)
    total = Counter()
    print(f"{path.relative_to(ROOT)}: {len(passages)} passages")
    print(f"  {'kind':<8} {'TP':>4} {'FP':>4} {'FN':>4} {'precision':>10} {'recall':>8}")
    for kind, c in counts.items():
        total.update(c)
        print(
            f"  {kind:<8} {c['tp']:>4} {c['fp']:>4} {c['fn']:>4} "
            f"{ratio(c['tp'], c['tp'] + c['fp']):>10} {ratio(c['tp'], c['tp'] + c['fn']):>8}"
        )
    print(
        f"  {'all':<8} {total['tp']:>4} {total['fp']:>4} {total['fn']:>4} "
        f"{ratio(total['tp'], total['tp'] + total['fp']):>10} "
        f"{ratio(total['tp'], total['tp'] + total['fn']):>8}"
    )
    return passages


def main() -> None:
    passages = report(CORPUS)
    passages += report(HELD_OUT)
    text = "\n".join(p["text"] for p in passages) * 20
    runs = 5
    start = time.perf_counter()
    for _ in range(runs):
        numbercheck.sentences(text)
    floor = (time.perf_counter() - start) / runs
    start = time.perf_counter()
    for _ in range(runs):
        numbercheck.check(text)
    checked = (time.perf_counter() - start) / runs
    print(
        f"checking {len(text):,} characters: {checked * 1000:.1f} ms "
        f"({checked / floor:.0f} × the baseline: cutting it into sentences, {floor * 1000:.2f} ms)"
    )


if __name__ == "__main__":
    main()
