"""The what-if and loss pages in Debian's Chromium, laptop (1366×768) and phone (390×844): the
leader types a score and the result follows without a page load (HTMX), a bad value is marked
beside its field, the target rank highlights the proposed recoveries, and nothing scrolls
sideways. Screenshots: what-if-laptop, what-if-phone, losses-laptop, losses-phone."""

import browser as browser_support
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = browser_support.SIZES


def leader(browser, live_server, viewport):
    return browser_support.Persona(
        browser, live_server, "lanhdao", password="lanhdao-demo", viewport=viewport
    )


@pytest.mark.parametrize("size,viewport", SIZES)
def test_the_what_if_recomputes_as_the_leader_types(
    browser, live_server, demo_site, size, viewport
):
    person = leader(browser, live_server, viewport)
    page = person.page
    person.goto("/dashboard/so-2022/SYT/")
    page.get_by_role("link", name="Giả định…? Thử điểm khác").first.click()
    page.wait_for_selector("#what-if")
    rank = page.get_by_test_id("rank-after")
    assert rank.inner_text() == "9/21"
    loads = []
    page.on("load", lambda _page: loads.append(1))
    page.fill("input[name='p:2.1']", "3")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=rank-after]').textContent === '8/21'"
    )
    assert "84,779" in page.locator("#what-if-result").inner_text()
    page.fill("input[name='p:8.2']", "2,5")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=rank-after]').textContent === '3/21'"
    )
    assert not loads  # recomputed in place, no page load
    assert "p%3A2.1=3" in page.url  # the address keeps the what-if, to share or come back to
    # A bad value: marked beside its field and left out.
    page.fill("input[name='p:1.2']", "9")
    page.wait_for_selector("#what-if-result [role=alert]")
    problem = page.locator("#e-p-1_2")
    assert "1.2 (tối đa 2)" in problem.inner_text()
    assert page.get_by_test_id("rank-after").inner_text() == "3/21"
    page.fill("input[name='p:1.2']", "2")  # mended: the mark goes
    page.wait_for_selector("#what-if-result [role=alert]", state="detached")
    assert problem.inner_text() == ""
    person.assert_fits("what-if")
    person.shoot(f"what-if-{size}")
    person.close()


@pytest.mark.parametrize("size,viewport", SIZES)
def test_the_target_rank_highlights_the_recoveries(browser, live_server, demo_site, size, viewport):
    person = leader(browser, live_server, viewport)
    page = person.page
    person.goto("/dashboard/so-2022/SYT/losses/")
    page.select_option("select[name=target]", "5")
    page.wait_for_selector("[role=status]")
    assert "Lấy lại trọn điểm 2.1, 8.2" in page.locator("[role=status]").inner_text()
    highlighted = page.locator("table.lost tr.mine .code").all_inner_texts()
    assert highlighted == ["2.1", "8.2"]
    person.assert_fits("losses")
    person.shoot(f"losses-{size}")
    person.close()
