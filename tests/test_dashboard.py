"""Dashboards a leader reads at a glance: a unit's results against last year (in % of the
maximum when the maximum changed), its trend over the years against its peers, its peer
group's ranking with the maximum, the ranking as a page, and the dashboards a person may open.

The demo's 21 departments have published results for 2021 and 2022, and several areas of the
2022 framework have another maximum than in 2021 (area 1: 8,25/11,5 → 5,25/8)."""

import json
import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from parindex.assessments.models import UnitAssessment
from parindex.library.demo import load_demo
from parindex.units.models import Membership, PeerGroup, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    load_demo()
    dave = User.objects.create_user("dave")
    bob = User.objects.create_user("bob")
    Membership.objects.create(user=dave, unit=Unit.objects.get(code="SYT"), role="leader")
    Membership.objects.create(user=bob, unit=Unit.objects.get(code="CDC"), role="staff")
    return {"dave": dave, "bob": bob}


def _page(client, user, url="/dashboard/so-2022/SYT/"):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _row(page, cls, starts):
    """The text of the table row (of `table.cls`) whose first cell starts with `starts`."""
    table = re.search(rf'<table class="{cls}">(.*?)</table>', page, re.S).group(1)
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S):
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
        if text.startswith(starts):
            return text
    raise AssertionError(f"no row {starts!r} in table.{cls}")


def _json(page, id_):
    return json.loads(
        re.search(rf'<script id="{id_}" type="application/json">(.*?)</script>', page, re.S).group(
            1
        )
    )


def test_dave_sees_the_departments_dashboard(client, demo):
    page = _page(client, demo["dave"])
    assert "81,779" in page and "9/21" in page  # total and rank among the 21 departments
    assert 'id="chart-data"' in page and "echarts-6.1.0.min.js" in page
    assert "8,25/11,5" in page  # an area against its size last year
    assert "SNGV — Sở Ngoại vụ" in page  # the peer group's ranking


# --- year over year -----------------------------------------------------------------------------


def test_an_area_whose_maximum_changed_is_compared_in_pct_points_with_the_points_beside(
    client, demo
):
    # The finding: 8,25/11,5 → 5,25/8 was shown as "-3".
    row = _row(_page(client, demo["dave"]), "areas", "1 ")
    assert "8,25/11,5" in row and "5,25" in row and "71,74%" in row and "65,63%" in row
    assert "−6,11 điểm %" in row  # 65,625% − 71,739%
    assert "−3 điểm" in row  # the raw points stay visible


def test_an_area_with_the_same_maximum_is_compared_in_points(client, demo):
    Membership.objects.create(user=demo["dave"], unit=Unit.objects.get(code="SNV"), role="leader")
    row = _row(_page(client, demo["dave"]), "areas", "6 ")  # 4,25/4,5 → 4,5/6
    assert "4,25/4,5" in row and "điểm %" in row
    page = _page(client, demo["dave"], "/dashboard/so-2022/SNV/")
    rows = [_row(page, "areas", code) for code in ("1 ", "2 ", "3 ", "4 ", "5 ", "6 ", "7 ")]
    same = [row for row in rows if "điểm %" not in row]
    assert same  # some areas kept their maximum
    for row in same:  # same maximum both years: a change in points only
        assert re.search(r"(?:[+−][\d.,]+|0) điểm$", row), row


def test_the_total_shows_last_year_this_year_and_the_change(client, demo):
    page = _page(client, demo["dave"])
    total = _row(page, "areas", "Tổng điểm")
    # 84,033/98 (85,75%) in 2021, 81,779/100 (81,78%) in 2022: another maximum.
    assert "84,033/98" in total and "85,75%" in total and "81,779" in total and "81,78%" in total
    assert "−3,97 điểm %" in total and "−2,254 điểm" in total
    assert "Năm 2021" in page and "Thay đổi so với năm 2021" in page


# --- years, not codes ---------------------------------------------------------------------------


def test_the_chart_legend_and_the_headings_say_the_years(client, demo):
    page = _page(client, demo["dave"])
    chart = _json(page, "chart-data")
    assert (chart["previous_label"], chart["current_label"]) == ("2021", "2022")
    assert chart["previous"][0] == 71.74 and chart["current"][0] == 65.63
    shown = re.sub(r'href="[^"]*"', "", page)  # the links to the other years aside
    assert "so-2021" not in shown  # neither in the legend nor in a heading


# --- trend over the years -----------------------------------------------------------------------


def test_the_trend_follows_the_framework_chain_with_the_peer_average(client, demo):
    page = _page(client, demo["dave"])
    trend = _json(page, "trend-data")
    assert trend["labels"] == ["2021", "2022"]
    assert trend["unit"] == [85.75, 81.78]
    assert trend["average"][0] < trend["unit"][0] and trend["average"][1] < trend["unit"][1]
    # The same numbers as a table, readable without JavaScript.
    row = _row(page, "trend", "2021")
    assert "85,75%" in row and "3/21" in row and " 21 " in row
    assert "81,78%" in _row(page, "trend", "2022")


def test_the_trend_of_a_round_in_progress_shows_the_published_years(client, demo):
    # so-2023 (previous: so-2022) has nothing published yet; the years before have.
    page = _page(client, demo["dave"], "/dashboard/so-2023/SYT/")
    assert "Đơn vị chưa có kết quả theo bộ tiêu chí này." in page
    assert _json(page, "trend-data")["labels"] == ["2021", "2022", "2023"]
    assert _json(page, "trend-data")["unit"] == [85.75, 81.78, None]


def test_the_trend_reads_only_published_results(client, demo, people=None):
    from parindex.assessments.results import results_history
    from parindex.frameworks.models import Framework

    history = results_history(Framework.objects.get(code="so-2023"))
    assert [r.framework.code for r in history] == ["so-2023", "so-2022", "so-2021"]
    in_progress = set(
        UnitAssessment.objects.filter(framework__code="so-2023").values_list(
            "unit__code", flat=True
        )
    )
    assert not in_progress & {r.unit.code for r in history[0].units}


# --- the peer table -----------------------------------------------------------------------------


def test_the_peer_table_has_the_maximum_index_band_and_highlights_the_unit(client, demo):
    page = _page(client, demo["dave"])
    head = re.search(r'<table class="peers">\s*<thead>(.*?)</thead>', page, re.S).group(1)
    assert [h for h in re.findall(r"<th[^>]*>([^<]*)</th>", head)][:7] == [
        "Hạng",
        "Đơn vị",
        "Tổng điểm",
        "Tối đa",
        "Chỉ số",
        "Xếp loại",
        "So với 2021",
    ]
    mine = _row(page, "peers", "9 ")
    assert mine.startswith("9 SYT — Sở Y tế 81,779 100 81,78% Tốt −3,97 điểm %")
    assert 'class="mine" aria-current="true"' in page
    assert _row(page, "peers", "1 ").startswith("1 SNGV — Sở Ngoại vụ 87,864 97,5 90,12%")


def test_a_group_of_one_unit_shows_no_rank(client, demo):
    from parindex.assessments.services import import_score_rows
    from parindex.tables import Row

    solo = PeerGroup.objects.create(code="solo", name="Một mình")
    unit = Unit.objects.create(code="SOLO", name="Ban Một mình", group=solo)
    import_score_rows(
        [Row(2, {"unit": "SOLO", "criterion": "1.1", "points": "1"})],
        "so-2022",
        "final",
        actor="operator",
        reason="test",
    )
    Membership.objects.create(user=demo["bob"], unit=unit, role="staff")
    page = _page(client, demo["bob"], "/dashboard/so-2022/SOLO/")
    assert "không xếp hạng — nhóm chỉ có 1 đơn vị" in page
    assert "1/1" not in page
    assert '<table class="peers">' not in page


def test_a_first_published_year_compares_with_nothing(client, demo):
    """A unit without a result last year: no empty series, change column or note on maxima."""
    from parindex.assessments.services import import_score_rows
    from parindex.tables import Row

    import_score_rows(
        [Row(2, {"unit": "BVDK", "criterion": "1.1", "points": "1"})],
        "so-2022",
        "final",
        actor="operator",
        reason="test",
    )
    page = _page(client, demo["dave"], "/dashboard/so-2022/BVDK/")
    assert "Chưa có kết quả năm 2021 để so sánh." in page
    assert "Thay đổi so với năm 2021" not in page and "điểm %" not in page
    assert _json(page, "chart-data")["previous_label"] == ""


def test_bob_cannot_see_another_units_dashboard(client, demo):
    client.force_login(demo["bob"])
    assert client.get("/dashboard/so-2022/SYT/").status_code == 404


def test_the_dashboard_links_the_ranking_page_and_its_workbook(client, demo):
    page = _page(client, demo["dave"])
    assert 'href="/dashboard/so-2022/?group=so-nganh"' in page
    assert 'href="/dashboard/so-2022/ranking.xlsx?group=so-nganh"' in page
    assert 'href="/dashboard/so-2021/SYT/"' in page  # the other years


# --- the ranking page ---------------------------------------------------------------------------


def test_the_ranking_page_lists_the_groups_the_person_may_see(client, demo):
    page = _page(client, demo["dave"], "/dashboard/so-2022/")
    assert "Sở, ban, ngành tỉnh" in page and page.count('<table class="peers">') == 1
    assert _row(page, "peers", "9 ").startswith("9 SYT — Sở Y tế 81,779 100")
    assert 'href="/dashboard/so-2022/ranking.xlsx"' in page
    client.force_login(demo["bob"])  # staff of the CDC: not a department
    assert client.get("/dashboard/so-2022/?group=so-nganh").status_code == 404
    assert client.get("/dashboard/so-2022/ranking.xlsx?group=so-nganh").status_code == 404
    assert client.get("/dashboard/so-2022/?provisional=1").status_code == 404


def test_the_ranking_page_takes_a_fixed_number_of_queries(client, demo):
    client.force_login(demo["dave"])
    client.get("/dashboard/so-2022/")
    with CaptureQueriesContext(connection) as warm:
        client.get("/dashboard/so-2022/")
    assert len(warm) <= 11, [q["sql"][:80] for q in warm]


# --- dashboards a person may open ---------------------------------------------------------------


def test_dashboards_for_lists_the_newest_published_year_of_each_unit(demo):
    from parindex.web.dashboards import dashboards_for

    boards = dashboards_for(demo["dave"])
    first = boards[0]
    # so-2023 is in progress: the newest published year of the Sở is 2022.
    assert (first.unit_code, first.framework_code, first.year, first.own) == (
        "SYT",
        "so-2022",
        2022,
        True,
    )
    assert first.url == "/dashboard/so-2022/SYT/"
    assert first.ranking_url == "/dashboard/so-2022/?group=so-nganh"  # the leader's
    assert all(not b.own for b in boards[1:])  # the units under the Sở, if any has results
    assert dashboards_for(demo["bob"]) == []  # the CDC has no published results
    frank = User.objects.create_user("frank")
    assert dashboards_for(frank) == []


def test_dashboards_for_staff_offer_no_ranking_link(demo):
    from parindex.web.dashboards import dashboards_for

    Membership.objects.create(user=demo["bob"], unit=Unit.objects.get(code="SNV"), role="staff")
    (board,) = dashboards_for(demo["bob"])
    assert board.unit_code == "SNV" and board.ranking_url is None


def test_dashboards_for_take_a_fixed_number_of_queries(demo, django_assert_max_num_queries):
    from parindex.web.dashboards import dashboards_for

    with django_assert_max_num_queries(3):  # memberships, unit tree, the pairs
        dashboards_for(demo["dave"])


# --- queries ------------------------------------------------------------------------------------


def test_the_dashboard_takes_a_fixed_number_of_queries(client, demo):
    from parindex.assessments.results import clear_cache

    client.force_login(demo["dave"])
    with CaptureQueriesContext(connection) as first:
        client.get("/dashboard/so-2022/SYT/")
    clear_cache()
    Membership.objects.create(user=demo["dave"], unit=Unit.objects.get(code="SNV"), role="leader")
    with CaptureQueriesContext(connection) as second:
        client.get("/dashboard/so-2022/SNV/")
    # Two years of 21 units × 34–43 criteria: the same handful of queries whatever the sizes
    # (the baseline itself is in test_query_counts.py).
    assert len(first) == len(second)
    with CaptureQueriesContext(connection) as warm:
        client.get("/dashboard/so-2022/SNV/")
    assert len(warm) < len(second)  # the computed results are reused


def test_one_more_year_costs_two_queries_when_warm(client, demo):
    client.force_login(demo["dave"])
    url = reverse("web:dashboard", args=["so-2022", "SYT"])
    client.get(url)
    with CaptureQueriesContext(connection) as two_years:
        client.get(url)
    url = reverse("web:dashboard", args=["so-2023", "SYT"])
    client.get(url)
    with CaptureQueriesContext(connection) as three_years:
        client.get(url)
    # so-2023's page also reads its round's assessment; the history adds the framework and
    # its fingerprint.
    assert len(three_years) <= len(two_years) + 2


def test_a_chain_that_loops_stops_before_it_repeats_itself(db):
    from helpers import make_framework

    from parindex.assessments.results import results_history
    from parindex.frameworks.services import save_framework

    save_framework(make_framework(code="t-2023", year=2023, previous="t-2024"))
    newest, _ = save_framework(make_framework(code="t-2024", year=2024, previous="t-2023"))
    history = results_history(newest)
    assert [r.framework.code for r in history] == ["t-2024", "t-2023"]
    assert [r.framework.code for r in results_history(newest, years=1)] == ["t-2024"]


def test_the_gap_to_the_average_has_its_unit_and_a_shared_rank_says_so(client, demo):
    """ "So với trung bình" is in percentage points ("+9,78" alone reads as points); a shared
    rank reads "17/21 (đồng hạng)", not the "17=/21" of the printed tables."""
    page = _page(client, demo["dave"])
    row = _row(page, "trend", "2021")
    assert re.search(r"[+−]\d+,\d+ điểm %", row), row
    area = _row(page, "areas", "1 ")
    assert "17/21 (đồng hạng)" in area and "17=" not in area
    assert "=/" not in page.split('<table class="peers">')[0]  # above the peer table
