"""The small registers on the web: who reads and who keeps them, the form's rules (the
import's), the list's timeliness badges, deleting with a confirmation."""

import pytest
from django.test import Client

from parindex.registers.models import DirectiveTask, Feedback, PlanTask


def client(people, name):
    c = Client()
    c.force_login(people[name])
    return c


@pytest.mark.parametrize(
    ("name", "read", "write"),
    [
        ("alice", 200, 200),
        ("erin", 200, 200),
        ("dave", 200, 404),
        ("bob", 404, 404),
        ("carol", 404, 404),
    ],
)
def test_who_reads_and_who_keeps_the_registers_of_a(syt, people, name, read, write):
    c = client(people, name)
    assert c.get("/registers/A/feedback/?year=2025").status_code == read
    assert c.get("/registers/A/feedback/new/").status_code == write
    response = c.post(
        "/registers/A/feedback/new/", {"ma_pakn": "P1", "ngay_tiep_nhan": "03/03/2025"}
    )
    assert response.status_code == (302 if write == 200 else 404)
    assert Feedback.objects.exists() == (write == 200)


def test_the_form_follows_the_import_rules(syt, people):
    c = client(people, "alice")
    bad = c.post(
        "/registers/A/feedback/new/",
        {"ma_pakn": "P1", "ngay_tiep_nhan": "03/03/2025", "ngay_xu_ly": "01/03/2025"},
    )
    assert bad.status_code == 400
    fields = {f["name"]: f for f in bad.context["fields"]}
    assert fields["ngay_xu_ly"]["error"] and fields["ngay_xu_ly"]["value"] == "01/03/2025"
    assert not Feedback.objects.exists()
    wrong = c.post("/registers/A/feedback/new/", {"ma_pakn": "P1", "ngay_tiep_nhan": "32/03/2025"})
    assert wrong.status_code == 400
    ok = c.post("/registers/A/feedback/new/", {"ma_pakn": "P1", "ngay_tiep_nhan": "03/03/2025"})
    assert ok.status_code == 302
    twice = c.post("/registers/A/feedback/new/", {"ma_pakn": "P1", "ngay_tiep_nhan": "04/03/2025"})
    assert twice.status_code == 400 and Feedback.objects.count() == 1


def test_edit_list_and_delete(syt, people):
    c = client(people, "erin")
    c.post(
        "/registers/A/directives/new/",
        {
            "ma_nhiem_vu": "NV1",
            "so_van_ban": "1/UBND",
            "noi_dung": "Báo cáo",
            "han_hoan_thanh": "31/03/2025",
            "ngay_hoan_thanh": "02/04/2025",
        },
    )
    task = DirectiveTask.objects.get()
    assert task.state == "done"
    page = c.get("/registers/A/directives/?year=2025")
    assert page.context["table"][0]["status"][0] == "late"
    # Another year shows nothing, and the way to the years that have rows.
    empty = c.get("/registers/A/directives/?year=2026")
    assert empty.context["table"] == [] and empty.context["years"] == [2025]
    assert 'href="?year=2025"' in empty.content.decode()
    edit = c.post(
        f"/registers/A/directives/{task.pk}/",
        {
            "ma_nhiem_vu": "NV1",
            "so_van_ban": "1/UBND",
            "noi_dung": "Báo cáo",
            "han_hoan_thanh": "31/03/2025",
            "ngay_hoan_thanh": "30/03/2025",
        },
    )
    assert edit.status_code == 302
    page = c.get("/registers/A/directives/?year=2025")
    assert page.context["table"][0]["status"][0] == "ok"
    asked = c.post(f"/registers/A/directives/{task.pk}/delete/")
    assert asked.status_code == 200 and DirectiveTask.objects.exists()
    gone = c.post(f"/registers/A/directives/{task.pk}/delete/", {"confirm": "1"})
    assert gone.status_code == 302 and not DirectiveTask.objects.exists()


def test_a_plan_task_goes_back_to_its_year(syt, people):
    c = client(people, "alice")
    response = c.post(
        "/registers/A/plan-tasks/new/", {"nam": "2024", "ma_nhiem_vu": "1", "noi_dung": "KH"}
    )
    assert response["Location"].endswith("?year=2024") and PlanTask.objects.get().year == 2024
    assert c.get("/registers/A/plan-tasks/").context["years"] == [2024]


@pytest.mark.parametrize(
    "url",
    [
        "/registers/A/bogus/",
        "/registers/A/feedback/?year=abc",
        "/registers/A/feedback/999/",
        "/registers/NOPE/feedback/",
    ],
)
def test_junk_is_not_found(syt, people, url):
    assert client(people, "erin").get(url).status_code == 404


def test_choices_the_year_shown_and_the_confirmation(syt, people):
    c = client(people, "alice")
    form = c.get("/registers/A/feedback/new/")
    outcome = next(f for f in form.context["fields"] if f["name"] == "ket_qua")
    # Each outcome once, as the lists name it, whatever spellings the import accepts.
    values = [value for value, _label in outcome["choices"]]
    assert len(values) == len(set(values)) == 4
    assert ("handled", "đã xử lý") in outcome["choices"]
    assert "<textarea" in form.content.decode()  # the content runs to several lines
    saved = c.post(
        "/registers/A/feedback/new/",
        {"ma_pakn": "PA1", "ngay_tiep_nhan": "03/03/2024", "ket_qua": "handled"},
    )
    # Back to the year of the row just saved; without a year, the latest that has rows.
    assert saved["Location"].endswith("/registers/A/feedback/?year=2024")
    page = c.get("/registers/A/feedback/")
    assert page.context["year"] == 2024 and len(page.context["table"]) == 1
    row = Feedback.objects.get()
    assert c.get(f"/registers/A/feedback/{row.pk}/delete/").status_code == 200  # reloadable
    gone = c.post(f"/registers/A/feedback/{row.pk}/delete/", {"confirm": "1"})
    assert gone["Location"].endswith("?year=2024") and not Feedback.objects.exists()


@pytest.mark.parametrize("kind", ["feedback", "directives", "reports", "plan-tasks"])
def test_a_field_has_one_label_in_the_list_and_in_the_form(syt, people, kind):
    c = client(people, "erin")
    headers = c.get(f"/registers/A/{kind}/?year=2025").context["headers"]
    labels = [f["label"] for f in c.get(f"/registers/A/{kind}/new/").context["fields"]]
    assert headers and set(headers) <= set(labels), (headers, labels)
    assert len(set(labels)) == len(labels)
