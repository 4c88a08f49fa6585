"""The home page of every role: what is waiting for them, with deadlines and days left, and the
way to their work and their dashboards. Personas: alice (staff of the hospital A), bob (staff
of the CDC B), carol (appraiser of A), dave (leader of the Sở Y tế), erin (its CCHC officer),
frank (no role)."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, translation
from helpers import act, assessment, publish, round_dates, today

from parindex.assessments.access import access_for
from parindex.assessments.actions import extend_deadline
from parindex.assessments.criteria import set_note, set_points
from parindex.assessments.models import Round
from parindex.units.models import Membership

pytestmark = pytest.mark.django_db


def home(client, people, name, language="en"):
    client.force_login(people[name])
    client.cookies["django_language"] = language
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def grid_url(round_, code):
    return reverse("web:grid", args=[assessment(round_, code).pk])


def _text(page):
    """The page's words without tags and with single spaces, to read sentences."""
    import re

    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


# --- unit staff ------------------------------------------------------------------------------


def test_alice_sees_what_to_fill_how_far_she_got_and_how_long_she_has(client, people, round_):
    a = assessment(round_, "A")
    set_points(access_for(people["alice"], a), "1.1", Decimal(2), expected_version=None)
    page = home(client, people, "alice")
    text = _text(page)
    assert "Score the criteria, attach the evidence, then submit" in text
    assert "Scored 1 of 6 criteria" in text and "5 still empty" in text
    assert '<progress value="1" max="6">' in page
    # 1.1 is scored without evidence: named, with a link to its page.
    assert "Evidence or an explanation is needed for: 1.1" in text
    assert reverse("web:criterion", args=[a.pk, "1.1"]) in page
    due = round_dates().self_due.strftime("%d/%m/%Y")
    assert f"Deadline for the self-assessment: {due} · 5 days left" in text
    assert f'href="{grid_url(round_, "A")}"' in page
    assert "CDC B" not in page  # bob's unit is not hers


def test_the_same_in_vietnamese(client, people, round_):
    a = assessment(round_, "A")
    set_points(access_for(people["alice"], a), "1.1", Decimal(2), expected_version=None)
    text = _text(home(client, people, "alice", "vi"))
    assert "Việc đang chờ bạn" in text
    assert "Đã chấm 1/6 tiêu chí" in text
    due = round_dates().self_due.strftime("%d/%m/%Y")
    assert f"Hạn tự đánh giá: {due} · còn 5 ngày" in text
    assert "Đang soạn" in text  # a badge standing alone starts with a capital
    assert "Các đợt đánh giá" in text


def test_an_extension_for_her_unit_shows_on_her_home_page(client, people, round_):
    a = assessment(round_, "A")
    later = round_dates().self_due + timedelta(days=10)
    extend_deadline(people["erin"], a, "self", later, reason="Mất điện")
    text = _text(home(client, people, "alice"))
    scheduled = round_dates().self_due.strftime("%d/%m/%Y")
    assert (
        f"Deadline for the self-assessment: extended to {later:%d/%m/%Y} "
        f"(the round's: {scheduled}) · 15 days left"
    ) in text
    text = _text(home(client, people, "alice", "vi"))
    assert f"đã gia hạn đến {later:%d/%m/%Y}" in text
    assert "15 days left" not in _text(home(client, people, "bob"))  # only A was extended


def test_a_passed_deadline_says_so_and_whom_to_ask(client, people, round_):
    due = today() - timedelta(days=3)
    Round.objects.filter(pk=round_.pk).update(self_due=due)
    text = _text(home(client, people, "alice"))
    assert "3 days overdue" in text
    assert (
        f"The self-assessment deadline passed on {due:%d/%m/%Y}; "
        "ask the CCHC officer for an extension."
    ) in text
    grid = client.get(grid_url(round_, "A")).content.decode()
    assert 'value="submit"' not in grid  # no button for what would be refused
    assert "The self-assessment deadline passed on" in grid  # but the reason, and the way out
    vi = _text(home(client, people, "alice", "vi"))
    assert "quá hạn 3 ngày" in vi
    assert "đề nghị công chức phụ trách CCHC gia hạn" in vi


def test_a_submission_waiting_for_its_appraisal_is_not_alices_work(client, people, round_):
    act(people["alice"], round_, "A", "submit")
    Round.objects.filter(pk=round_.pk).update(self_due=today() - timedelta(days=3))
    text = _text(home(client, people, "alice"))
    assert "Nothing is waiting for you now." in text and "overdue" not in text


def test_alice_sees_the_explanations_asked_for(client, people, round_):
    a = assessment(round_, "A")
    act(people["alice"], round_, "A", "submit")
    act(people["carol"], round_, "A", "start_appraisal")
    set_note(access_for(people["carol"], a), "2.2", "Thiếu báo cáo quý", expected_version=None)
    set_note(access_for(people["carol"], a), "1.1", "Chưa có kế hoạch", expected_version=None)
    act(people["carol"], round_, "A", "request_explanation")
    set_note(access_for(people["alice"], a), "1.1", "Đã bổ sung", expected_version=None)
    page = home(client, people, "alice")
    text = _text(page)
    assert "Answer the appraisers' comments, then send the explanations" in text
    assert "The appraisers commented on 2 criteria: 1.1 ✓, 2.2" in text
    assert "(1 of 2 answered)" in text
    due = round_dates().explanation_due
    assert f"Deadline for the explanations: {due:%d/%m/%Y}" in text
    assert reverse("web:criterion", args=[a.pk, "2.2"]) in page
    vi = _text(home(client, people, "alice", "vi"))
    assert "Hạn giải trình" in vi


# --- appraiser, leader, officer --------------------------------------------------------------


def test_carol_sees_the_appraisals_due(client, people, round_):
    assert "Nothing is waiting for you now." in _text(home(client, people, "carol"))
    act(people["alice"], round_, "A", "submit")
    text = _text(home(client, people, "carol"))
    due = round_dates().appraisal_due
    assert "Submitted: start the appraisal" in text
    assert f"Deadline for the appraisal: {due:%d/%m/%Y} · 36 days left" in text
    act(people["carol"], round_, "A", "start_appraisal")
    assert "Appraise the self-assessment (round 1)" in _text(home(client, people, "carol"))
    act(people["carol"], round_, "A", "request_explanation")
    act(people["alice"], round_, "A", "answer")
    text = _text(home(client, people, "carol"))
    due = round_dates().appraisal2_due
    assert "Appraise the explanations (round 2)" in text
    assert f"Deadline for the second appraisal: {due:%d/%m/%Y}" in text


def test_dave_finds_the_departments_own_submission_to_approve_and_only_that(
    client, people, syt, round_
):
    Membership.objects.create(user=people["bob"], unit=syt["SYT"], role="staff")
    act(people["bob"], round_, "SYT", "submit")
    act(people["alice"], round_, "A", "submit")
    page = home(client, people, "dave")
    text = _text(page)
    assert text.count("Approve the department's self-assessment") == 1
    assert f'href="{grid_url(round_, "SYT")}"' in page
    assert "waiting for a leader's approval" in text
    grid = client.get(grid_url(round_, "SYT")).content.decode()
    assert 'value="approve"' in grid
    assert 'value="approve"' not in client.get(grid_url(round_, "A")).content.decode()
    client.post(
        reverse("web:action", args=[assessment(round_, "SYT").pk]),
        {"action": "approve", "version": assessment(round_, "SYT").version},
    )
    assert assessment(round_, "SYT").approved_at is not None
    text = _text(home(client, people, "dave"))
    assert "Approve the department's self-assessment" not in text
    assert "Nothing is waiting for you now." in text


def test_erin_sees_units_to_start_to_publish_and_overdue(client, people, round_):
    act(people["alice"], round_, "A", "submit")
    page = home(client, people, "erin")
    text = _text(page)
    assert "Submitted: start the appraisal" in text  # the officer may start it too
    assert reverse("web:round", args=[round_.pk]) in page
    assert "Being drafted: 2" in text and "Submitted: 1" in text
    act(people["carol"], round_, "A", "start_appraisal")
    act(people["carol"], round_, "A", "finalize")
    page = home(client, people, "erin")
    assert "Appraisal finished: publish the results" in _text(page)
    Round.objects.filter(pk=round_.pk).update(self_due=today() - timedelta(days=2))
    text = _text(home(client, people, "erin"))
    assert "Overdue: B (self-assessment, 2 days), SYT (self-assessment, 2 days)" in text


def test_frank_is_told_that_nothing_concerns_him_yet(client, people, round_):
    text = _text(home(client, people, "frank"))
    assert "Nothing is waiting for you now." in text
    assert "No assessment round concerns you yet." in text
    assert "CCHC 2024" not in text


# --- dashboards --------------------------------------------------------------------------------


def test_everyone_gets_the_dashboards_they_may_open_in_the_page_and_the_menu(
    client, people, round_
):
    assert "No published results of your units yet" in _text(home(client, people, "alice"))
    a = assessment(round_, "A")
    set_points(access_for(people["alice"], a), "1.1", Decimal(2), expected_version=None)
    set_note(access_for(people["alice"], a), "1.1", "Kế hoạch số 12/KH", expected_version=None)
    publish(people, round_, "A")
    url = reverse("web:dashboard", args=["t-2024", "A"])
    for name in ("alice", "dave", "erin"):
        page = home(client, people, name)
        assert f'href="{url}"' in page, name
        assert "Bệnh viện A — results of 2024" in _text(page)
        assert client.get(url).status_code == 200  # a link the person may follow
        # The menu of another page links it too (kept from the home page, no query).
        nav = client.get(grid_url(round_, "A")).content.decode().split("</nav>")[0]
        assert f'href="{url}"' in nav and "Results 2024 — Bệnh viện A" in nav
    for name in ("bob", "carol", "frank"):
        assert f'href="{url}"' not in home(client, people, name), name


# --- the page stays cheap -----------------------------------------------------------------------


def _count(client, url="/"):
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["alice", "carol", "dave", "erin"])
def test_the_home_page_costs_the_same_with_ten_times_the_units(client, people, syt, round_, name):
    from parindex.assessments.actions import open_round
    from parindex.units.models import Unit

    a = assessment(round_, "A")
    set_points(access_for(people["alice"], a), "1.1", Decimal(2), expected_version=None)
    client.force_login(people[name])
    few = _count(client)
    units = [
        Unit.objects.create(code=f"U{i}", name=f"Đơn vị {i}", parent=syt["SYT"]) for i in range(30)
    ]
    for unit in units:
        Membership.objects.create(user=people["alice"], unit=unit, role="staff")
    framework = round_.framework
    from helpers import make_framework

    from parindex.frameworks.services import save_framework

    other, _ = save_framework(make_framework(code="t-2025", year=2025), publish=True)
    second = open_round(
        people["erin"],
        framework=other,
        owner=syt["SYT"],
        title="CCHC 2025",
        dates=round_dates(),
        units=units,
        appraisers={unit.pk: [people["carol"]] for unit in units},
    )
    for unit in units[:10]:
        set_points(
            access_for(people["alice"], assessment(second, unit.code)),
            "1.1",
            Decimal(0),
            expected_version=None,
        )
        extend_deadline(people["erin"], assessment(second, unit.code), "self", today(), reason="x")
    for unit in units[10:15]:
        act(people["alice"], second, unit.code, "submit")
    assert framework.pk != other.pk
    more = _count(client)
    assert more <= few + 1, (few, more)  # the extensions, read once when any exists


# --- words: dates and times ---------------------------------------------------------------------


@pytest.mark.parametrize("language", ["vi", "en"])
def test_date_times_read_day_month_year_then_the_time(language):
    moment = datetime(2026, 11, 24, 0, 43)
    with translation.override(language):
        for name in ("DATETIME_FORMAT", "SHORT_DATETIME_FORMAT"):
            assert formats.date_format(moment, name) == "24/11/2026 00:43"
        assert formats.date_format(moment.date(), "SHORT_DATE_FORMAT") == "24/11/2026"


# --- words: sentences start with a capital ------------------------------------------------------


def test_a_refusal_shown_as_a_message_starts_with_a_capital(client, people, round_):
    a = assessment(round_, "A")
    set_points(access_for(people["alice"], a), "1.1", Decimal(2), expected_version=None)
    client.force_login(people["alice"])
    client.cookies["django_language"] = "vi"
    response = client.post(
        reverse("web:action", args=[a.pk]), {"action": "submit", "version": a.version}, follow=True
    )
    page = response.content.decode()
    assert "Cần đính kèm tài liệu kiểm chứng hoặc giải trình cho 1.1 trước khi gửi" in page
    assert ">cần đính kèm" not in page


def test_the_home_page_and_the_grid_count_completion_alike(client, people, round_):
    """One definition of completion: survey points the officer entered count on both pages."""
    from parindex.assessments import queries
    from parindex.assessments.scores import write_one

    a = assessment(round_, "A")
    set_points(access_for(people["alice"], a), "1.1", Decimal(2), expected_version=None)
    write_one(access_for(people["erin"], a), "XHH", points=Decimal(8), expected_version=None)
    grid = queries.grid(access_for(people["alice"], a), with_events=False)
    filled, total = grid.completion.filled, grid.completion.total
    assert filled == 2
    assert f"Scored {filled} of {total} criteria" in _text(home(client, people, "alice"))


def test_an_appraiser_without_a_unit_role_is_not_told_their_units_lack_results(
    client, people, round_
):
    text = _text(home(client, people, "carol"))
    assert "No published results of your units yet" not in text
    assert "you hold none" in text
    assert "No published results of your units yet" in _text(home(client, people, "alice"))
