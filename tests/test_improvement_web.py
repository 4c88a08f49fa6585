"""The loss analysis and what-if pages: who may open them, what they show, and that bad input
is reported beside its field without a 500 and without writing anything."""

import pytest
from django.contrib.auth.models import User

from parindex.assessments.models import AuditEntry, ScoreEntry
from parindex.library.demo import load_demo
from parindex.units.models import Membership, Unit

pytestmark = pytest.mark.django_db

LOSSES = "/dashboard/so-2022/SYT/losses/"
WHAT_IF = "/dashboard/so-2022/SYT/what-if/"


@pytest.fixture
def demo():
    load_demo()
    dave = User.objects.create_user("dave")
    bob = User.objects.create_user("bob")
    frank = User.objects.create_user("frank")
    Membership.objects.create(user=dave, unit=Unit.objects.get(code="SYT"), role="leader")
    Membership.objects.create(user=bob, unit=Unit.objects.get(code="CDC"), role="staff")
    return {"dave": dave, "bob": bob, "frank": frank}


def page(client, user, url, **headers):
    client.force_login(user)
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_dave_sees_where_the_points_were_lost_and_what_reaches_the_top_5(client, demo):
    text = page(client, demo["dave"], LOSSES)
    assert "81,779" in text and "18,721" in text and "9/21" in text
    assert "100 − 18,721 điểm mất + 0,5 điểm thưởng − 0 điểm trừ = 81,779 điểm." in text
    assert "Xây dựng VBQPPL đúng tiến độ" in text  # 2.1, the largest loss, first
    assert text.index("2.1</span>") < text.index("3.2</span>")
    text = page(client, demo["dave"], LOSSES + "?target=5")
    assert "Lấy lại trọn điểm 2.1, 8.2 (2 tiêu chí)" in text and "hạng 3/21" in text


@pytest.mark.parametrize("url", [LOSSES, WHAT_IF])
def test_only_people_with_a_role_in_the_unit_open_the_pages(client, demo, url):
    for name in ("bob", "frank"):  # staff of another unit; no role at all
        client.force_login(demo[name])
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_the_what_if_recomputes_and_writes_nothing(client, demo):
    stored = ScoreEntry.objects.count(), AuditEntry.objects.count()
    text = page(client, demo["dave"], WHAT_IF + "?p:2.1=3")
    assert "84,779" in text and "8/21" in text and "+3" in text
    fragment = page(client, demo["dave"], WHAT_IF + "?p:2.1=3&p:8.2=2,5", **{"HX-Request": "true"})
    assert "<html" not in fragment and "87,279" in fragment and "3/21" in fragment
    assert (ScoreEntry.objects.count(), AuditEntry.objects.count()) == stored


def test_an_input_changes_the_criteria_that_read_it(client, demo):
    # 3.3: postal dossiers ≥ 10 % of 3.105 received → 1 point; the register recorded 0.
    text = page(client, demo["dave"], WHAT_IF + "?v:dossiers.postal=400")
    assert "82,779" in text


def test_bad_values_are_shown_beside_their_field_and_left_out(client, demo):
    text = page(client, demo["dave"], WHAT_IF + "?p:2.1=abc&p:1.2=9&v:dossiers.received=-5")
    assert text.count('aria-invalid="true"') == 3
    assert "3 giá trị không đọc được và đã bị bỏ qua" in text
    assert "81,779" in text  # the published total: nothing was applied
    # Unknown fields are not the form's: ignored.
    assert "81,779" in page(client, demo["dave"], WHAT_IF + "?p:9.9=1&x=1&p:2=4")


def test_a_unit_without_published_results_is_told_so(client, demo):
    for url in ("/dashboard/so-2023/SYT/losses/", "/dashboard/so-2023/SYT/what-if/"):
        assert "Đơn vị “SYT” chưa có điểm trong so-2023" in page(client, demo["dave"], url)
