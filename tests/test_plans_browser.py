"""The remediation plan in Debian's Chromium, laptop (1366×768) and phone (390×844): the CCHC
officer edits an item in the plan editor and it is saved in place (HTMX), the leader approves,
and a unit's staff opens its item from the home page, attaches the evidence and marks it done.
Nothing scrolls sideways. Screenshots: plan-editor-*, plan-approved-*, plan-item-*, home-unit-*."""

import browser as browser_support
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = browser_support.SIZES
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def persona(browser, live_server, name, viewport):
    return browser_support.Persona(
        browser, live_server, name, password=f"{name}-demo", viewport=viewport
    )


@pytest.mark.parametrize("size,viewport", SIZES)
def test_the_officer_edits_the_plan_and_the_leader_approves(
    browser, live_server, demo_site, size, viewport
):
    from django.contrib.auth.models import User

    from parindex.plans import services
    from parindex.plans.models import RemediationItem, RemediationPlan

    plan = RemediationPlan.objects.get()
    leader_user = User.objects.get(username="lanhdao")
    services.transition(services.Actor.person(leader_user), plan, "reopen", reason="Rà soát")
    item = RemediationItem.objects.get(plan=plan, code="1.4")

    officer = persona(browser, live_server, "chuyenvien", viewport)
    page = officer.page
    officer.goto("/dashboard/so-2022/SYT/")
    page.get_by_role("link", name="Kế hoạch khắc phục").first.click()
    card = page.locator(f"#i{item.pk}")
    card.scroll_into_view_if_needed()
    loads = []
    page.on("load", lambda _page: loads.append(1))
    card.locator("textarea[name$='-solution']").fill("Theo dõi nhiệm vụ trên phần mềm hằng tuần")
    card.locator("select[name$='-responsible']").select_option("CDC")
    card.locator("input[name$='-deadline']").fill("30/06/2027")
    card.get_by_role("button", name="Lưu").click()
    page.wait_for_selector(f"#i{item.pk} [role=status]")
    assert not loads  # saved in place
    item.refresh_from_db()
    assert item.responsible.code == "CDC" and item.deadline.isoformat() == "2027-06-30"
    assert "CDC" in page.locator(f"#i{item.pk} .facts").inner_text()
    officer.assert_fits("plan editor")
    officer.shoot(f"plan-editor-{size}")
    officer.close()

    leader = persona(browser, live_server, "lanhdao", viewport)
    leader.goto("/plans/so-2022/SYT/")
    leader.page.get_by_role("button", name="Phê duyệt kế hoạch").click()
    leader.page.wait_for_selector(".messages li")
    assert "Kế hoạch đã được phê duyệt" in leader.page.locator(".messages").inner_text()
    plan.refresh_from_db()
    assert plan.state == "approved"
    leader.assert_fits("approved plan")
    leader.shoot(f"plan-approved-{size}")
    leader.close()


@pytest.mark.parametrize("size,viewport", SIZES)
def test_a_unit_reports_its_item_done_with_evidence(
    browser, live_server, demo_site, size, viewport, tmp_path
):
    from parindex.plans.models import RemediationItem

    item = RemediationItem.objects.get(code="8.1")  # the CDC's
    staff = persona(browser, live_server, "canbo.cdc", viewport)
    page = staff.page
    card = page.locator(f".task.remediation[data-code='{item.code}']")
    assert "Chưa bắt đầu" in card.inner_text()
    staff.assert_fits("unit home")
    staff.shoot(f"home-unit-{size}")
    card.get_by_role("link", name="Báo cáo tiến độ").click()
    page.wait_for_selector("[data-testid=item-facts]")
    document = tmp_path / "bao-cao-sipas.pdf"
    document.write_bytes(PDF)
    page.set_input_files("input[type=file]", str(document))
    page.fill("input[name=title]", "Báo cáo khảo sát SIPAS quý IV")
    page.get_by_role("button", name="Đính kèm").click()
    page.wait_for_selector("ul.evidence a")
    page.select_option("select[name=status]", "done")
    page.fill("input[name=progress]", "100")
    page.fill("textarea[name=progress_note]", "Đã khảo sát 400 người dân")
    page.get_by_role("button", name="Lưu tiến độ").click()
    page.wait_for_selector(".messages li")
    assert "Đã lưu tiến độ của 8.1." in page.locator(".messages").inner_text()
    assert "Xong" in page.get_by_test_id("item-facts").inner_text()
    item.refresh_from_db()
    assert (item.status, item.progress) == ("done", 100)
    staff.assert_fits("item page")
    staff.shoot(f"plan-item-{size}")
    staff.close()
