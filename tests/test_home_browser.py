"""The first hour of every role in the demo, in Debian's Chromium: each demo account's home
page on a laptop and on a phone (screenshots; the page never scrolls sideways), and the
leader approving the Sở's own self-assessment from the link on the home page."""

import browser as browser_support
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What each demo account finds waiting on its home page (Vietnamese, the default language).
WAITING = {
    "lanhdao": "Phê duyệt bản tự đánh giá của Sở",
    "canbo.syt": "Xây dựng VBQPPL đúng tiến độ",  # the Sở's remediation item 2.1
    "canbo.bvdk": "Đã chấm 4/",
    "canbo.cdc": "Mức độ hài lòng về phục vụ hành chính",  # the CDC's remediation item 8.1
    "thamdinh": "Đã gửi: bắt đầu thẩm định",
    "chuyenvien": "Đã gửi: bắt đầu thẩm định",
}


def persona(browser, live_server, name, viewport=browser_support.LAPTOP):
    return browser_support.Persona(
        browser, live_server, name, password=f"{name}-demo", viewport=viewport
    )


def test_every_demo_account_finds_its_work_on_a_laptop_and_a_phone(browser, live_server, demo_site):
    from parindex.library.accounts import DEMO_ACCOUNTS

    assert {a.username for a in DEMO_ACCOUNTS} == set(WAITING)
    for name, waiting in WAITING.items():
        for size, viewport in (
            ("laptop", browser_support.LAPTOP),
            ("phone", browser_support.PHONE),
        ):
            person = persona(browser, live_server, name, viewport)
            page = person.page
            assert waiting in page.locator("main").inner_text(), name
            assert page.locator("h1").first.inner_text() == "Việc đang chờ bạn"
            person.shoot(f"home-{name}-{size}")
            person.assert_fits(f"the home page of {name} on a {size}")
            assert person.violations == []
            person.close()


def test_the_leader_approves_the_sos_own_submission_from_the_home_page(
    browser, live_server, demo_site
):
    from parindex.assessments.models import UnitAssessment

    leader = persona(browser, live_server, "lanhdao")
    page = leader.page
    # The menu links the dashboards the leader may read.
    assert page.locator("nav.nav a", has_text="Kết quả").count() >= 1
    task = page.locator("article.task", has_text="Phê duyệt bản tự đánh giá của Sở")
    assert task.count() == 1
    task.locator("a.button").click()
    page.wait_for_selector("table.grid")
    assert "Sở Y tế" in page.locator("h1").inner_text()
    approve = page.locator("form:has(input[name=action][value=approve]) button[type=submit]")
    assert approve.count() == 1
    page.on("dialog", lambda dialog: dialog.accept())  # a confirmation, if the grid asks one
    approve.click()
    page.wait_for_load_state("load")
    confirm = page.locator("dialog[open] button[type=submit]")
    if confirm.count():
        confirm.first.click()
        page.wait_for_load_state("load")
    own = UnitAssessment.objects.get(unit__code="SYT", framework__code="so-2023")
    assert own.approved_at is not None and own.approved_by.username == "lanhdao"
    assert page.locator("form:has(input[name=action][value=approve])").count() == 0
    leader.shoot("grid-approved-by-the-leader-laptop")
    page.goto(f"{leader.url}/")
    assert "Hiện không có việc nào đang chờ bạn" in page.locator("main").inner_text()
    assert leader.violations == []
    leader.close()

    # The officer may now start the department's own appraisal.
    officer = persona(browser, live_server, "chuyenvien")
    cards = officer.page.locator("article.task", has_text="Sở Y tế")
    assert "Đã gửi: bắt đầu thẩm định" in cards.first.inner_text()
    officer.close()
