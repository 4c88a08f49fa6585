"""The plan pages: who opens what, the officer's editor (HTMX and plain forms), the leader's
approval, the unit's progress with evidence, the workbook, and the home page's items and
reminders; bad input answered beside its field, nothing written, never a 500."""

import io
from datetime import date

import openpyxl
import pytest
from plan_helpers import TODAY, actor, approved, drafted, pdf, planned

from parindex.plans import services
from parindex.plans.models import ItemEvidence, PlanChange, RemediationItem, RemediationPlan

pytestmark = pytest.mark.django_db

PLAN = "/plans/so-2022/SYT/"


def login(client, plan_demo, name):
    client.force_login(plan_demo["people"][name])
    return client


def test_the_officer_drafts_the_plan_from_the_page(client, plan_demo):
    login(client, plan_demo, "erin")
    text = client.get(PLAN).content.decode()
    assert "Chưa có kế hoạch khắc phục" in text and 'action="/plans/so-2022/SYT/draft/"' in text
    response = client.post(PLAN + "draft/", follow=True)
    text = response.content.decode()
    assert "Kế hoạch có 19 nội dung (thêm 19 từ phân tích điểm bị mất)." in text
    assert "Xây dựng VBQPPL đúng tiến độ" in text and "−3 điểm" in text
    assert 'hx-post="/plan-items/' in text  # the editor


def test_the_leader_cannot_draft_and_reads_without_an_editor(client, plan_demo):
    login(client, plan_demo, "dave")
    text = client.get(PLAN).content.decode()
    assert "Công chức phụ trách CCHC soạn kế hoạch." in text
    client.post(PLAN + "draft/")
    assert not RemediationPlan.objects.exists()
    drafted(plan_demo)
    text = client.get(PLAN).content.decode()
    assert "hx-post" not in text and "Phê duyệt kế hoạch" in text
    assert "disabled" in text  # nothing planned yet: the approval waits


@pytest.mark.parametrize("name", ["alice", "bob", "frank"])
def test_people_outside_the_so_do_not_open_its_plan(client, plan_demo, name):
    approved(plan_demo)
    login(client, plan_demo, name)
    assert client.get(PLAN).status_code == 404
    assert client.get(PLAN + "sheet/").status_code == 404


def test_an_item_page_opens_for_its_units_only(client, plan_demo):
    plan = approved(plan_demo)
    hospital = plan.items.get(code="2.1")  # BVDK's
    office = plan.items.get(code="8.2")  # SYT-VP's
    login(client, plan_demo, "alice")
    text = client.get(f"/plan-items/{hospital.pk}/").content.decode()
    assert "Báo cáo tiến độ" in text and 'name="progress"' in text
    assert client.get(f"/plan-items/{office.pk}/").status_code == 404
    login(client, plan_demo, "bob")
    assert client.get(f"/plan-items/{hospital.pk}/").status_code == 404
    login(client, plan_demo, "dave")  # the leader reads it, without a form
    text = client.get(f"/plan-items/{hospital.pk}/").content.decode()
    assert 'name="progress"' not in text and "Xây dựng VBQPPL đúng tiến độ" in text
    client.logout()
    assert client.get(f"/plan-items/{hospital.pk}/").status_code == 302


def test_the_editor_saves_an_item_with_htmx(client, plan_demo):
    plan = drafted(plan_demo)
    item = plan.items.get(code="2.1")
    login(client, plan_demo, "erin")
    form = {
        "version": item.version,
        f"i{item.pk}-cause": "Chưa có kế hoạch xây dựng VBQPPL",
        f"i{item.pk}-solution": "Lập danh mục VBQPPL",
        f"i{item.pk}-responsible": "BVDK",
        f"i{item.pk}-supporting": ["CDC"],
        f"i{item.pk}-deadline": "30/06/2027",
    }
    response = client.post(f"/plan-items/{item.pk}/plan/", form, headers={"HX-Request": "true"})
    text = response.content.decode()
    assert response.status_code == 200 and "<html" not in text and "đã lưu" in text
    item.refresh_from_db()
    assert (item.responsible.code, item.deadline, item.solution) == (
        "BVDK",
        date(2027, 6, 30),
        "Lập danh mục VBQPPL",
    )
    assert [u.code for u in item.supporting.all()] == ["CDC"]
    # The same form again, with the version it was read at: someone saved meanwhile.
    response = client.post(f"/plan-items/{item.pk}/plan/", form, headers={"HX-Request": "true"})
    assert response.status_code == 422 and "tải lại trang" in response.content.decode()


def test_a_bad_deadline_is_shown_beside_its_field_and_nothing_is_written(client, plan_demo):
    plan = drafted(plan_demo)
    item = plan.items.get(code="2.1")
    login(client, plan_demo, "erin")
    changes = PlanChange.objects.count()
    form = {"version": item.version, f"i{item.pk}-deadline": "31/02/2027"}
    response = client.post(f"/plan-items/{item.pk}/plan/", form, headers={"HX-Request": "true"})
    assert response.status_code == 422 and "Nhập một ngày hợp lệ" in response.content.decode()
    form = {"version": item.version, f"i{item.pk}-responsible": "NOPE"}
    response = client.post(f"/plan-items/{item.pk}/plan/", form, headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert PlanChange.objects.count() == changes
    # Without JavaScript: the plan page again, with the message.
    response = client.post(f"/plan-items/{item.pk}/plan/", form, follow=True)
    assert response.status_code == 200


def test_the_leader_approves_and_the_officer_reopens_with_a_reason(client, plan_demo):
    plan = drafted(plan_demo)
    for item in plan.items.all():
        planned(plan_demo, plan, item.code)
    plan.refresh_from_db()
    login(client, plan_demo, "erin")
    client.post(PLAN + "approve/", {"version": plan.version})
    plan.refresh_from_db()
    assert plan.state == "draft"  # the officer does not approve
    login(client, plan_demo, "dave")
    text = client.post(PLAN + "approve/", {"version": plan.version}, follow=True).content.decode()
    assert "Kế hoạch đã được phê duyệt" in text
    plan.refresh_from_db()
    assert plan.state == "approved"
    login(client, plan_demo, "erin")
    text = client.post(PLAN + "reopen/", {"version": plan.version}, follow=True).content.decode()
    assert "Nêu lý do mở lại kế hoạch" in text
    client.post(PLAN + "reopen/", {"version": plan.version, "reason": "Đổi hạn"})
    plan.refresh_from_db()
    assert plan.state == "draft"
    assert client.post(PLAN + "publish/", {"version": plan.version}).status_code == 302
    plan.refresh_from_db()
    assert plan.state == "draft"


def test_the_unit_reports_progress_with_its_evidence(client, plan_demo):
    plan = approved(plan_demo)
    item = plan.items.get(code="2.1")
    url = f"/plan-items/{item.pk}/"
    login(client, plan_demo, "alice")
    done = {"version": item.version, "status": "done", "progress": "100", "progress_note": "Xong"}
    response = client.post(url + "progress/", done)
    assert response.status_code == 422
    assert "đính kèm tài liệu chứng minh hoàn thành" in response.content.decode()
    response = client.post(url + "evidence/", {"title": "Quyết định 15/QĐ-BV", "file": pdf()})
    assert response.status_code == 302
    item.refresh_from_db()
    done["version"] = item.version
    response = client.post(url + "progress/", done, follow=True)
    assert "Đã lưu tiến độ của 2.1." in response.content.decode()
    item.refresh_from_db()
    assert (item.status, item.progress, item.progress_note) == ("done", 100, "Xong")
    evidence = ItemEvidence.objects.get(item=item)
    assert client.get(f"/plan-evidence/{evidence.pk}/").status_code == 200
    login(client, plan_demo, "bob")
    assert client.get(f"/plan-evidence/{evidence.pk}/").status_code == 404


def test_an_upload_that_is_no_document_is_answered_on_the_page(client, plan_demo):
    plan = approved(plan_demo)
    item = plan.items.get(code="2.1")
    login(client, plan_demo, "alice")
    fake = io.BytesIO(b"MZ\x90\x00 not a document")
    fake.name = "quyet-dinh.pdf"
    response = client.post(f"/plan-items/{item.pk}/evidence/", {"title": "QĐ", "file": fake})
    assert response.status_code == 422
    assert "không phải tệp PDF" in response.content.decode()
    assert not ItemEvidence.objects.exists()


def test_the_plan_workbook_has_every_item(client, plan_demo):
    plan = approved(plan_demo)
    item = plan.items.get(code="2.1")
    services.update_item(actor(plan_demo, "alice"), item, {"progress": 40})
    login(client, plan_demo, "dave")
    response = client.get(PLAN + "sheet/")
    assert response.status_code == 200
    assert "ke-hoach-khac-phuc-SYT-so-2022.xlsx" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows.index(next(r for r in rows if r and r[0] == "STT"))
    items = rows[header + 1 :]
    assert len(items) == 19
    first = dict(zip(rows[header], items[0], strict=True))
    assert first["Tiêu chí"] == "2.1" and first["Điểm bị mất"] == 3
    assert first["Đơn vị chủ trì"] == "BVDK" and first["Tiến độ (%)"] == 40
    assert first["Hạn"].date() == TODAY.replace(month=3, day=31)
    assert sum(row[4] for row in items) == pytest.approx(18.721)


def test_the_home_page_lists_the_units_items_and_reminders(client, plan_demo):
    plan = approved(plan_demo)
    item = plan.items.get(code="2.1")
    services.send_reminders(item.deadline)
    login(client, plan_demo, "alice")
    text = client.get("/").content.decode()
    assert "Khắc phục điểm bị mất" in text
    assert f'href="/plan-items/{item.pk}/"' in text
    assert "Đến hạn hôm nay: nội dung khắc phục 2.1 của SYT" in text
    reminder = services.unread_reminders(plan_demo["people"]["alice"]).get()
    client.post("/reminders/read/", {"reminder": [reminder.pk, "x"]})
    assert not services.unread_reminders(plan_demo["people"]["alice"]).exists()
    login(client, plan_demo, "dave")  # the leader follows the plan
    text = client.get("/").content.decode()
    assert "0 trên 19 nội dung đã xong" in text and 'href="/plans/so-2022/SYT/"' in text
    login(client, plan_demo, "frank")
    assert "Khắc phục điểm bị mất" not in client.get("/").content.decode()


def test_items_are_never_written_by_a_get(client, plan_demo):
    plan = approved(plan_demo)
    item = plan.items.get(code="2.1")
    login(client, plan_demo, "alice")
    assert client.get(f"/plan-items/{item.pk}/progress/?progress=50").status_code == 405
    assert RemediationItem.objects.get(pk=item.pk).progress == 0
