"""The web pages of the cycle, read like sentences: who may see and do what."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from helpers import act, assessment, publish

from parindex.assessments.access import access_for
from parindex.assessments.criteria import EvidenceInfo, set_points, upload_evidence
from parindex.assessments.models import ScoreEntry

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def evidence_dir(settings, tmp_path):
    settings.EVIDENCE_ROOT = tmp_path / "evidence"


def login(client, people, name):
    client.force_login(people[name])
    return client


def grid_url(round_, code):
    return reverse("web:grid", args=[assessment(round_, code).pk])


def test_anonymous_visitors_are_sent_to_the_login_page(client, round_):
    response = client.get(grid_url(round_, "A"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_login_page_speaks_vietnamese_first(client):
    response = client.get("/accounts/login/")
    assert "Đăng nhập" in response.content.decode()


def test_alice_sees_her_units_grid_and_bob_gets_not_found(client, people, round_):
    assert login(client, people, "alice").get(grid_url(round_, "A")).status_code == 200
    assert client.get(grid_url(round_, "B")).status_code == 404
    assert login(client, people, "bob").get(grid_url(round_, "A")).status_code == 404


def test_dave_and_erin_see_every_unit_and_frank_none(client, people, round_):
    for name in ("dave", "erin"):
        assert login(client, people, name).get(grid_url(round_, "B")).status_code == 200
    home = login(client, people, "frank").get("/").content.decode()
    assert "CCHC 2024" not in home
    assert client.get(grid_url(round_, "A")).status_code == 404


def test_the_home_page_lists_the_rounds_of_the_user(client, people, round_):
    page = login(client, people, "alice").get("/").content.decode()
    assert "CCHC 2024" in page and "Bệnh viện A" in page and "CDC B" not in page


def test_alice_saves_a_score_with_htmx_and_gets_the_row_back(client, people, round_):
    a = assessment(round_, "A")
    url = reverse("web:points", args=[a.pk, "1.1"])
    response = login(client, people, "alice").post(
        url, {"points": "1,75", "version": ""}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="row-1.1"' in body and "1,75" in body and 'id="totals"' in body
    assert ScoreEntry.objects.get(key="1.1").points == Decimal("1.75")


def test_a_stale_save_gets_a_clear_message_and_changes_nothing(client, people, round_):
    a = assessment(round_, "A")
    set_points(access_for(people["alice"], a), "1.1", Decimal(1), expected_version=None)
    url = reverse("web:points", args=[a.pk, "1.1"])
    body = (
        login(client, people, "alice")
        .post(url, {"points": "2", "version": ""}, HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert "1.1 đã được alice sửa lúc" in body  # someone changed it (Vietnamese by default)
    assert ScoreEntry.objects.get(key="1.1").points == 1


def test_bob_cannot_post_a_score_for_alices_unit(client, people, round_):
    url = reverse("web:points", args=[assessment(round_, "A").pk, "1.1"])
    assert login(client, people, "bob").post(url, {"points": "1"}).status_code == 404
    assert not ScoreEntry.objects.exists()


def test_evidence_is_served_only_to_those_who_may_read_it(client, people, round_):
    evidence = upload_evidence(
        access_for(people["alice"], assessment(round_, "A")),
        SimpleUploadedFile("kh.pdf", PDF),
        EvidenceInfo("Kế hoạch"),
        ["1.1"],
    )
    url = reverse("web:evidence", args=[evidence.pk])
    for name in ("alice", "carol", "dave", "erin"):
        response = login(client, people, name).get(url)
        assert response.status_code == 200, name
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
    for name in ("bob", "frank"):
        assert login(client, people, name).get(url).status_code == 404, name


def test_upload_through_the_page(client, people, round_):
    a = assessment(round_, "A")
    url = reverse("web:upload", args=[a.pk, "1.1"])
    response = login(client, people, "alice").post(
        url,
        {
            "file": SimpleUploadedFile("qd.pdf", PDF),
            "title": "Quyết định kiện toàn",
            "number": "15/QĐ-SYT",
            "issued_on": "2024-03-01",
            "issuer": "Sở Y tế",
        },
        follow=True,
    )
    assert "15/QĐ-SYT" in response.content.decode()
    fake = login(client, people, "alice").post(
        url, {"file": SimpleUploadedFile("x.pdf", b"not really"), "title": "x"}, follow=True
    )
    assert "không phải tệp PDF" in fake.content.decode()


def test_workflow_buttons_follow_the_roles(client, people, round_):
    a = assessment(round_, "A")
    page = login(client, people, "alice").get(grid_url(round_, "A")).content.decode()
    assert 'value="submit"' in page
    page = login(client, people, "carol").get(grid_url(round_, "A")).content.decode()
    assert 'value="submit"' not in page
    url = reverse("web:action", args=[a.pk])
    data = {"action": "submit", "version": a.version}
    asked = login(client, people, "alice").post(url, data).content.decode()
    assert "Sau khi gửi" in asked and assessment(round_, "A").state == "draft"  # asked first
    response = client.post(url, {**data, "confirm": "1"}, follow=True)
    assert 'class="badge submitted"' in response.content.decode()
    assert assessment(round_, "A").state == "submitted"


def test_the_grid_takes_a_fixed_number_of_queries(client, people, round_):
    login(client, people, "alice")
    url = grid_url(round_, "A")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for code in ("1.1", "2.2"):
        set_points(
            access_for(people["alice"], assessment(round_, "A")),
            code,
            Decimal(0),
            expected_version=None,
            reason="ghi đè có giải trình",  # 2.2 is computed from a figure: an override
        )
    upload_evidence(
        access_for(people["alice"], assessment(round_, "A")),
        SimpleUploadedFile("k.pdf", PDF),
        EvidenceInfo("Kế hoạch"),
        ["1.1", "1.2", "1.3"],
    )
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(few)


def test_the_criterion_page_shows_the_audit_trail(client, people, round_):
    a = assessment(round_, "A")
    set_points(
        access_for(people["alice"], a), "1.1", Decimal(1), expected_version=None, reason="tự chấm"
    )
    page = (
        login(client, people, "dave")
        .get(reverse("web:criterion", args=[a.pk, "1.1"]))
        .content.decode()
    )
    assert "tự chấm" in page and "alice" in page


def test_published_assessments_show_no_edit_controls(client, people, round_):
    publish(people, round_)
    page = login(client, people, "erin").get(grid_url(round_, "A")).content.decode()
    assert 'name="points"' not in page


def test_vietnamese_unless_the_user_switches_even_with_an_english_browser(client, people, round_):
    login(client, people, "alice")
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Các đợt đánh giá" in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Assessment rounds" in client.get("/").content.decode()


def test_erin_enters_a_bonus_extends_a_deadline_and_reopens(client, people, round_):
    from datetime import timedelta

    from helpers import round_dates

    from parindex.assessments.actions import deadline

    a = assessment(round_, "A")
    login(client, people, "erin")
    page = client.get(grid_url(round_, "A")).content.decode()
    assert 'name="window"' in page
    client.post(reverse("web:points", args=[a.pk, "BONUS"]), {"points": "0,5", "version": ""})
    assert ScoreEntry.objects.get(key="BONUS").points == Decimal("0.5")
    later = round_dates().self_due + timedelta(days=10)
    client.post(
        reverse("web:extend", args=[a.pk]),
        {"window": "self", "until": later.isoformat(), "reason": "Mất điện"},
    )
    assert deadline(a, "self") == later
    # Typed as people write dates (dd/mm/yyyy), whatever the browser's locale.
    typed = later + timedelta(days=1)
    client.post(
        reverse("web:extend", args=[a.pk]),
        {"window": "self", "until": typed.strftime("%d/%m/%Y"), "reason": "Mất điện"},
    )
    assert deadline(a, "self") == typed
    assert 'placeholder="dd/mm/yyyy"' in client.get(grid_url(round_, "A")).content.decode()
    act(people["alice"], round_, "A", "submit")
    client.post(
        reverse("web:action", args=[a.pk]),
        {
            "action": "reopen",
            "target": "draft",
            "note": "Nộp nhầm",
            "version": assessment(round_, "A").version,
            "confirm": "1",
        },
    )
    assert assessment(round_, "A").state == "draft"
    steps = client.get(grid_url(round_, "A")).content.decode()
    assert "Nộp nhầm" in steps and "Mất điện" in steps


def test_alice_sees_no_officer_controls(client, people, round_):
    page = login(client, people, "alice").get(grid_url(round_, "A")).content.decode()
    assert 'name="window"' not in page
    url = reverse("web:extend", args=[assessment(round_, "A").pk])
    client.post(url, {"window": "self", "until": "2099-01-01", "reason": "x"})
    assert not assessment(round_, "A").extensions.exists()


def test_the_admin_is_for_superusers_only(client, people, round_):
    people["erin"].is_staff = True
    people["erin"].save()
    assert login(client, people, "erin").get("/admin/").status_code == 302
    from django.contrib.auth.models import User

    root = User.objects.create_superuser("root", password="root-pw")
    client.force_login(root)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/assessments/unitassessment/").status_code == 200


@pytest.mark.parametrize(
    ("name", "method", "data"),
    [
        ("web:grid", "get", None),
        ("web:sheet", "get", None),
        ("web:action", "post", {"action": "submit"}),
        ("web:extend", "post", {"window": "self", "until": "2099-01-01", "reason": "x"}),
    ],
)
def test_bob_gets_not_found_on_every_page_of_alices_unit(
    client, people, round_, name, method, data
):
    url = reverse(name, args=[assessment(round_, "A").pk])
    response = getattr(login(client, people, "bob"), method)(url, data or {})
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("web:points", {"points": "1"}),
        ("web:note", {"text": "x"}),
        ("web:upload", {"title": "x"}),
        ("web:link", {"evidence": "1"}),
    ],
)
def test_bob_cannot_touch_a_criterion_of_alices_unit(client, people, round_, name, data):
    url = reverse(name, args=[assessment(round_, "A").pk, "1.1"])
    assert login(client, people, "bob").post(url, data).status_code == 404
    assert (
        login(client, people, "bob")
        .get(reverse("web:criterion", args=[assessment(round_, "A").pk, "1.1"]))
        .status_code
        == 404
    )


def test_erin_follows_the_progress_of_every_unit_and_publishes_the_finished_ones(
    client, people, round_
):
    set_points(
        access_for(people["alice"], assessment(round_, "A")),
        "1.1",
        Decimal(2),
        expected_version=None,
    )
    url = reverse("web:round", args=[round_.pk])
    page = login(client, people, "erin").get(url).content.decode()
    assert "Bệnh viện A" in page and "CDC B" in page and 'class="error">1<' in page
    assert "Công bố mọi đơn vị" not in page  # nothing is finished yet
    from parindex.assessments.criteria import set_note

    set_note(
        access_for(people["alice"], assessment(round_, "A")),
        "1.1",
        "Đã có kế hoạch",
        expected_version=None,
    )
    for user, action in [("alice", "submit"), ("carol", "start_appraisal"), ("carol", "finalize")]:
        act(people[user], round_, "A", action)
    asked = client.post(reverse("web:round_publish", args=[round_.pk])).content.decode()
    assert "A — Bệnh viện A" in asked and assessment(round_, "A").state == "final"
    client.post(reverse("web:round_publish", args=[round_.pk]), {"confirm": "1"})
    assert assessment(round_, "A").state == "published"
    assert assessment(round_, "B").state == "draft"


def test_the_round_page_is_for_officers_and_leaders(client, people, round_):
    url = reverse("web:round", args=[round_.pk])
    assert login(client, people, "dave").get(url).status_code == 200
    for name in ("alice", "carol", "frank"):
        assert login(client, people, name).get(url).status_code == 404
    assert (
        login(client, people, "dave")
        .post(reverse("web:round_publish", args=[round_.pk]), {"confirm": "1"}, follow=True)
        .status_code
        == 200
    )
