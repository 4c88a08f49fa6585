"""The registers pages in Debian's Chromium as the CCHC officer, on a laptop (1366×768) and a
phone (390×844): the page never scrolls sideways (the 06a table scrolls inside its box with its
first column in view), the charts are drawn inside their box, a number opens its dossiers.
Screenshots: registers-unit-laptop/phone, registers-dossiers-laptop/phone."""

import browser as browser_support
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = browser_support.SIZES


@pytest.fixture
def demo():
    from parindex.library.accounts import load_demo_accounts
    from parindex.library.demo import load_demo
    from parindex.library.demo_registers import load_demo_registers

    load_demo()
    load_demo_accounts()
    load_demo_registers()


@pytest.mark.parametrize("size,viewport", SIZES)
def test_the_register_of_a_unit(browser, live_server, demo, size, viewport):
    officer = browser_support.Persona(
        browser, live_server, "chuyenvien", password="chuyenvien-demo", viewport=viewport
    )
    page = officer.page
    officer.goto("/registers/BVDK/2023/")
    page.wait_for_selector("#on-time-chart svg")
    page.wait_for_selector("#channel-chart svg text")
    width = page.viewport_size["width"]
    for selector in ("#on-time-chart", "#channel-chart"):
        box = page.locator(selector).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (selector, box)
    officer.assert_fits()
    # The unit stays in view when the table scrolls sideways inside its box.
    page.locator(".table-06a").evaluate("box => box.scrollLeft = 2000")
    first = page.locator(".table-06a tbody th").bounding_box()
    assert 0 <= first["x"] < width / 2, first
    page.locator(".table-06a").evaluate("box => box.scrollLeft = 0")
    officer.shoot(f"registers-unit-{size}")
    late = page.locator(".table-06a tbody td a").nth(7)  # col 10: resolved late
    count = int(late.inner_text().replace(".", ""))
    late.click()
    page.wait_for_selector("table.dossiers")
    assert page.locator("table.dossiers tbody tr").count() == min(count, 50)
    officer.assert_fits()
    officer.shoot(f"registers-dossiers-{size}")
