"""Dashboards: a unit's results, areas against last year, the peer ranking, lost points."""

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parindex.library.demo import load_demo
from parindex.units.models import Membership, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    load_demo()
    dave = User.objects.create_user("dave")
    bob = User.objects.create_user("bob")
    Membership.objects.create(user=dave, unit=Unit.objects.get(code="SYT"), role="leader")
    Membership.objects.create(user=bob, unit=Unit.objects.get(code="CDC"), role="staff")
    return {"dave": dave, "bob": bob}


def test_dave_sees_the_departments_dashboard(client, demo):
    client.force_login(demo["dave"])
    page = client.get("/dashboard/so-2022/SYT/").content.decode()
    assert "81,779" in page and "9/21" in page  # total and rank among the 21 departments
    assert "so-2021" in page  # last year is compared
    assert 'id="chart-data"' in page and "echarts-6.1.0.min.js" in page
    assert "8,25/11,5" in page  # an area against its size last year
    assert "SNGV — Sở Ngoại vụ" in page  # the peer group's ranking


def test_the_chart_numbers_are_also_a_table_and_lost_points_are_listed(client, demo):
    client.force_login(demo["dave"])
    page = client.get("/dashboard/so-2021/SYT/").content.decode()
    assert "8.3" in page and "−1" in page  # the postal criterion lost its point


def test_bob_cannot_see_another_units_dashboard(client, demo):
    client.force_login(demo["bob"])
    assert client.get("/dashboard/so-2022/SYT/").status_code == 404


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
