"""`parindex losses` and `parindex what-if` on published results: the documented JSON, exact
sums, nothing stored changed, and every bad input refused in one line."""

import io
import json

import pytest
from conftest import write
from django.core.management import call_command
from django.core.management.base import CommandError
from helpers import make_framework

from parindex.assessments.analysis import AnalysisError, published
from parindex.assessments.models import ScoreEntry
from parindex.assessments.services import import_scores
from parindex.frameworks.models import Framework
from parindex.frameworks.services import save_framework
from parindex.units.models import PeerGroup, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def province(tmp_path):
    save_framework(make_framework(code="t-2023", year=2023), publish=True)
    save_framework(make_framework(previous="t-2023"), publish=True)
    group = PeerGroup.objects.create(code="so", name="Sở")
    for code in ("SYT", "SNV", "STC"):
        Unit.objects.create(code=code, name=code, group=group)

    def load(framework, stage, text):
        path = write(tmp_path / f"{framework}-{stage}.csv", text)
        import_scores(path, framework, stage, actor="t")

    load("t-2023", "self", "unit,criterion,points\nSYT,1.1,1\nSNV,1.1,2\nSTC,1.1,2\n")
    load(
        "t-2024",
        "self",
        'unit,criterion,points\nSYT,1.1,"1,5"\nSNV,1.1,2\nSTC,1.1,1\n',
    )
    load(
        "t-2024",
        "final",
        'unit,criterion,points\nSYT,XHH,7\nSNV,XHH,9\nSTC,XHH,"9,5"\n'
        'SYT,PENALTY,"0,5"\nSNV,BONUS,1\n',
    )


def run(name, *args):
    out = io.StringIO()
    call_command(name, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_losses_add_up_and_name_last_year_and_the_peers(province):
    doc = json.loads(run("losses", "--framework", "t-2024", "--unit", "SYT", "--json"))
    assert {"unit", "framework", "total", "max", "items"} <= set(doc)
    assert doc["unit"] == "SYT" and doc["framework"] == "t-2024"
    lost = sum(item["lost"] for item in doc["items"])
    assert round(lost, 3) == doc["lost"]
    assert round(doc["max"] - doc["total"], 3) == round(lost - doc["bonus"] + doc["penalty"], 3)
    items = {item["code"]: item for item in doc["items"]}
    first = doc["items"][0]
    assert first["recoverable"] == max(i["recoverable"] for i in doc["items"])
    plan = items["1.1"]
    assert plan["score"] == 1.5 and plan["max"] == 2 and plan["lost"] == 0.5
    assert plan["previous"] == {"code": "1.1", "score": 1, "max": 2}
    assert plan["peers_best"] == 2
    assert plan["area_rank"]["rank_of"] == 3
    assert items["XHH"]["lost_by"] == "survey"


def test_the_fewest_recoveries_to_a_target_rank(province):
    doc = json.loads(
        run("losses", "--framework", "t-2024", "--unit", "SYT", "--target-rank", "1", "--json")
    )
    target = doc["target"]
    assert doc["rank"] == 3 and target["reached"] and target["place"]["rank"] == 1
    assert target["codes"] and target["gain"] > 0
    text = run("losses", "--framework", "t-2024", "--unit", "SYT", "--target-rank", "1")
    assert "To rank 1 or better: recover" in text


def test_what_if_has_the_results_shape_plus_before_and_stores_nothing(province):
    stored = list(ScoreEntry.objects.order_by("id").values_list("id", "points", "value"))
    results = json.loads(run("results", "--framework", "t-2024", "--json"))
    published_syt = next(u for u in results["units"] if u["unit"] == "SYT")
    doc = json.loads(
        run("what-if", "--framework", "t-2024", "--unit", "SYT", "--set", "XHH=10", "--json")
    )
    assert set(published_syt) <= set(doc)
    assert doc["before"] == published_syt
    assert doc["total"] == published_syt["total"] + 3
    assert doc["rank"] == 2 and published_syt["rank"] == 3  # 11 against SNV's 12, STC's 10,5
    assert doc["set"] == {"XHH": 10}
    assert list(ScoreEntry.objects.order_by("id").values_list("id", "points", "value")) == stored
    # An input a criterion reads: 1.3 is computed from the dossiers on time.
    doc = json.loads(
        run(
            "what-if",
            "--framework",
            "t-2024",
            "--unit",
            "SYT",
            "--set",
            "dossiers.resolved=100",
            "--set",
            "dossiers.on_time=50",
            "--json",
        )
    )
    area = next(n for n in doc["nodes"] if n["code"] == "1")
    before = next(n for n in doc["before"]["nodes"] if n["code"] == "1")
    assert area["score"] == before["score"] + 1.5  # 1.3 from no figures (0) to 50 % of 3


@pytest.mark.parametrize(
    "setting, message",
    [
        ("1=3", "1 sums its criteria"),
        ("9.9=1", "“9.9” is neither a criterion nor an input"),
        ("1.1=0,3", "1.1 (max 2)"),
        ("1.1=5", "1.1 (max 2)"),
        ("dossiers.on_time=-1", "a count"),
        ("BONUS=9", "above the cap"),
    ],
)
def test_what_if_refuses_bad_settings_in_one_line(province, setting, message):
    with pytest.raises(CommandError) as refused:
        run("what-if", "--framework", "t-2024", "--unit", "SYT", "--set", setting)
    assert message in str(refused.value)


def test_a_draft_is_not_analysed(round_):
    framework = Framework.objects.get(pk=round_.framework_id)
    with pytest.raises(AnalysisError) as refused:
        published(framework, Unit.objects.get(code="A"))
    assert "not published yet" in refused.value.message.render(lambda m: m)


def test_unknown_units_and_units_without_scores_are_refused(province):
    with pytest.raises(CommandError, match="there is no unit"):
        run("losses", "--framework", "t-2024", "--unit", "NOBODY")
    with pytest.raises(CommandError, match="has no scores"):
        Unit.objects.create(code="NEW", name="NEW")
        run("losses", "--framework", "t-2024", "--unit", "NEW")


def test_the_commands_run_from_the_shell(cli, tmp_path):
    result = cli("losses", "--framework", "nope", "--unit", "SYT")
    assert result.returncode == 1 and "nope" in result.stderr
    result = cli("what-if", "--framework", "nope", "--unit", "SYT", "--set", "x")
    assert result.returncode == 2 and "KEY=VALUE" in result.stderr
