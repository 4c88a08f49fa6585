"""Results from the database: the service the CLI and, later, the dashboards call."""

from decimal import Decimal

import pytest
from conftest import write
from helpers import make_framework

from parindex.assessments.results import framework_results
from parindex.assessments.services import import_scores
from parindex.domain.scoring import results_to_json
from parindex.frameworks.models import Framework
from parindex.frameworks.services import save_framework
from parindex.units.models import PeerGroup, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def province():
    save_framework(make_framework(code="t-2023", year=2023), publish=True)
    save_framework(make_framework(previous="t-2023"), publish=True)
    group = PeerGroup.objects.create(code="so", name="Sở")
    for code in ("SYT", "SNV", "STC"):
        Unit.objects.create(code=code, name=code, group=group)


def load(tmp_path, framework, stage, text):
    import_scores(write(tmp_path / f"{framework}-{stage}.csv", text), framework, stage, actor="t")


def test_results_follow_stages_ties_and_last_year(province, tmp_path):
    load(tmp_path, "t-2023", "self", "unit,criterion,points\nSYT,1.1,1\nSNV,1.1,2\nSTC,1.1,2\n")
    load(tmp_path, "t-2024", "self", "unit,criterion,points\nSYT,1.1,2\nSNV,1.1,2\nSTC,1.1,1\n")
    load(tmp_path, "t-2024", "appraisal", 'unit,criterion,points\nSNV,1.1,"1,5"\n')
    load(
        tmp_path,
        "t-2024",
        "final",
        'unit,criterion,points\nSYT,XHH,9\nSNV,XHH,9\nSTC,XHH,"9,5"\nSYT,PENALTY,"0,5"\n',
    )
    doc = results_to_json(framework_results(Framework.objects.get(code="t-2024")))
    units = {u["unit"]: u for u in doc["units"]}
    assert units["SYT"]["total"] == 10.5 and units["SYT"]["penalty"] == 0.5
    assert units["SNV"]["total"] == 10.5  # the appraisal lowered 2 → 1,5
    assert units["STC"]["total"] == 10.5
    assert [(u["rank"], u["tied"]) for u in doc["units"]] == [(1, True)] * 3
    assert units["SYT"]["previous"] == {
        "framework": "t-2023",
        "total": 1,
        "rank": 3,
        "delta": 9.5,
        "change_pct_points": 47.5,  # beside the documented keys: the pages' reading
        "same_max": True,
    }
    assert units["SNV"]["previous"]["rank"] == 1


def test_a_unit_with_no_score_is_left_out(province, tmp_path):
    load(tmp_path, "t-2024", "self", "unit,criterion,points\nSYT,1.1,2\n")
    doc = results_to_json(framework_results(Framework.objects.get(code="t-2024")))
    assert [u["unit"] for u in doc["units"]] == ["SYT"]
    assert doc["units"][0]["rank_of"] == 1


def test_results_take_a_fixed_number_of_queries(province, tmp_path, django_assert_max_num_queries):
    load(tmp_path, "t-2023", "self", "unit,criterion,points\nSYT,1.1,1\nSNV,1.1,2\n")
    load(tmp_path, "t-2024", "self", "unit,criterion,points\nSYT,1.1,1\nSNV,1.1,2\nSTC,1.1,1\n")
    framework = Framework.objects.get(code="t-2024")
    with django_assert_max_num_queries(9):  # cold: fingerprints, then both years' rows
        first = framework_results(framework)
    with django_assert_max_num_queries(4):  # warm: only the fingerprints
        assert framework_results(framework) is first


def test_any_change_of_the_data_gives_fresh_results(province, tmp_path):
    load(tmp_path, "t-2024", "self", "unit,criterion,points\nSYT,1.1,1\n")
    framework = Framework.objects.get(code="t-2024")
    assert framework_results(framework).units[0].score.total == 1
    load(tmp_path, "t-2024", "self", "unit,criterion,points\nSYT,1.1,2\n")
    assert framework_results(framework).units[0].score.total == 2
    Unit.objects.filter(code="SYT").update(name="Sở Y tế tỉnh")
    assert framework_results(framework).units[0].unit.name == "Sở Y tế tỉnh"


def test_stored_decimals_come_back_exact(province, tmp_path):
    load(
        tmp_path,
        "t-2024",
        "self",
        "unit,criterion,value\nSYT,dossiers.on_time,3071\nSYT,dossiers.resolved,3080\n",
    )
    result = framework_results(Framework.objects.get(code="t-2024")).units[0]
    assert result.score.nodes["1.3"].score == Decimal(3) * 3071 / 3080


def _results_json(*args):
    import io
    import json

    from django.core.management import call_command

    out = io.StringIO()
    call_command(
        "results", "--framework", "so-2022", "--json", *args, stdout=out, stderr=io.StringIO()
    )
    return json.loads(out.getvalue())


def test_the_json_change_reads_as_every_page():
    """`parindex results --json` keeps the documented keys and gives the change as the pages
    and the workbook read it: `delta` the difference of the figures shown (SNGV 87,864 −
    81,43 = 6,434, not the exact 6,43476… rounded to 6,435), `change_pct_points` the change in
    percentage points of the maximum, `same_max` whether points compare."""
    from parindex.library.demo import load_demo

    load_demo()
    units = {u["unit"]: u for u in _results_json()["units"]}
    sngv = units["SNGV"]["previous"]
    assert {"framework", "total", "rank", "delta"} <= set(sngv)
    assert sngv["delta"] == 6.434
    syt = units["SYT"]
    assert syt["previous"]["delta"] == -2.254
    assert syt["previous"]["same_max"] is False
    assert syt["previous"]["change_pct_points"] == -3.97
    survey = next(n for n in syt["nodes"] if n["code"] == "XHH")
    assert {"code", "score", "max", "delta"} <= set(survey["previous"])
    assert survey["previous"]["delta"] == -0.918  # fewer points …
    assert survey["previous"]["change_pct_points"] == 5.56  # … of a smaller maximum: a rise
    assert survey["previous"]["same_max"] is False
    for unit in units.values():
        last = unit["previous"]
        if last is not None:
            assert round(unit["total"] - last["total"], 3) == last["delta"]
