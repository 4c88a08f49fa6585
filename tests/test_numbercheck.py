"""The number checker on its corpus (tests/data/numbercheck.yaml): every known slip found with
its kind, every known-correct passage passes; the readings of the mixed number styles; and a
finding says what was stated, what the other numbers give, and a correction."""

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from parindex.domain import numbercheck

CORPUS = yaml.safe_load(
    (Path(__file__).parent / "data" / "numbercheck.yaml").read_text(encoding="utf-8")
)


@pytest.mark.parametrize("passage", CORPUS, ids=[p["id"] for p in CORPUS])
def test_the_corpus(passage):
    found = numbercheck.check(passage["text"])
    assert sorted(f.kind for f in found) == sorted(passage["expect"]), [
        (f.kind, f.stated, f.computed, str(f.suggestion)) for f in found
    ]


def test_the_corpus_has_slips_of_every_kind_and_tricky_correct_passages():
    kinds = {kind for passage in CORPUS for kind in passage["expect"]}
    assert kinds == set(numbercheck.KINDS)
    assert sum(1 for p in CORPUS if not p["expect"]) >= 20


@pytest.mark.parametrize(
    "text, values",
    [
        ("3.105", {Decimal("3105"), Decimal("3.105")}),
        ("92,125", {Decimal("92.125"), Decimal("92125")}),
        ("98,75", {Decimal("98.75")}),
        ("12.5", {Decimal("12.5")}),
        ("1.234.567", {Decimal("1234567")}),
        ("1.234,5", {Decimal("1234.5")}),
        ("1,234.5", {Decimal("1234.5")}),
        ("1234,56", {Decimal("1234.56")}),
        ("7", {Decimal(7)}),
    ],
)
def test_the_readings_of_a_figure(text, values):
    assert set(numbercheck.readings(text)) == values


def test_a_finding_says_what_to_correct():
    (finding,) = numbercheck.check("Đạt 98,32% (3.050/3.105 hồ sơ).")
    assert finding.kind == "rate"
    assert (finding.stated, finding.computed) == ("98,32 %", "98,23 %")
    assert str(finding.suggestion) == "3.050/3.105 is 98,23 %, not 98,32 %"
    assert finding.numbers == ("3.050", "3.105", "98,32")
    assert finding.sentence == "Đạt 98,32% (3.050/3.105 hồ sơ)."
