"""The leader's dashboard and the ranking in Debian's Chromium, on a laptop (1366×768) and on
a phone (390×844): the page never scrolls sideways (wide tables scroll inside their own box,
the charts fit their box), the chart legends say the years, the trend is drawn, and the
ranking downloads as an Excel workbook. Screenshots: dashboard-laptop, dashboard-phone,
ranking-laptop, ranking-phone."""

import io

import browser as browser_support
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = browser_support.SIZES


def persona(browser, live_server, viewport):
    return browser_support.Persona(
        browser, live_server, "lanhdao", password="lanhdao-demo", viewport=viewport
    )


def _chart_texts(page, selector):
    page.wait_for_selector(f"{selector} svg text")
    return page.eval_on_selector_all(f"{selector} svg text", "all => all.map(t => t.textContent)")


@pytest.mark.parametrize("size,viewport", SIZES)
def test_the_leaders_dashboard_fits_the_screen(browser, live_server, demo_site, size, viewport):
    leader = persona(browser, live_server, viewport)
    page = leader.page
    leader.goto("/dashboard/so-2022/SYT/")
    assert page.locator("h1").inner_text().startswith("Sở Y tế")
    # Legends name the years, not the frameworks' codes.
    areas = _chart_texts(page, "#area-chart")
    assert "2021" in areas and "2022" in areas
    assert not any("so-20" in text for text in areas)
    trend = _chart_texts(page, "#trend-chart")
    assert "2021" in trend and "SYT" in trend and "Trung bình của nhóm" in trend
    # The charts stay inside their box; the tables scroll inside theirs.
    width = page.viewport_size["width"]
    for selector in ("#area-chart", "#trend-chart"):
        box = page.locator(selector).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (selector, box)
    peers = page.locator("table.peers")
    assert peers.locator("tr.mine").inner_text().startswith("9")
    mine_unit = peers.locator("tr.mine td.unit")
    # The unit's name stays in view when the table scrolls sideways inside its box.
    page.locator("table.peers").evaluate("t => t.parentElement.scrollLeft = 2000")
    box = mine_unit.bounding_box()
    assert box["x"] >= 0 and box["x"] < width / 2, box
    page.locator("table.peers").evaluate("t => t.parentElement.scrollLeft = 0")
    # The year-over-year change where area 1's maximum shrank: in pct points, points beside.
    row = page.locator("table.areas tbody tr").first.inner_text()
    assert "−6,11 điểm %" in row and "−3 điểm" in row
    leader.shoot(f"dashboard-{size}")
    leader.assert_fits(f"the dashboard on a {size}")
    assert leader.violations == []
    leader.close()


@pytest.mark.parametrize("size,viewport", SIZES)
def test_the_ranking_page_fits_and_downloads_as_excel(
    browser, live_server, demo_site, size, viewport
):
    from openpyxl import load_workbook

    leader = persona(browser, live_server, viewport)
    page = leader.page
    leader.goto("/dashboard/so-2022/SYT/")
    page.click("a:has-text('Xếp hạng trong nhóm')")
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text().startswith("Xếp hạng 2022")
    assert page.locator("table.peers tbody tr").count() == 21
    leader.shoot(f"ranking-{size}")
    leader.assert_fits(f"the ranking on a {size}")
    with page.expect_download() as info:
        page.click("a:has-text('Tải bảng xếp hạng (Excel)')")
    download = info.value
    assert download.suggested_filename == "xep-hang-so-2022-so-nganh.xlsx"
    with open(download.path(), "rb") as handle:
        book = load_workbook(io.BytesIO(handle.read()))
    assert book.worksheets[0]["A1"].value.startswith("Xếp hạng Chỉ số CCHC năm 2022")
    assert leader.violations == []
    leader.close()


def _overlap(page, table):
    """How far the sticky unit column covers the rank column, in px (0: none), header and rows."""
    return page.evaluate(
        """(table) => Math.max(...[...document.querySelectorAll(`table.${table} tr`)].map(tr => {
            const rank = tr.querySelector('.rank'), unit = tr.querySelector('.unit');
            if (!rank || !unit) return 0;
            const r = rank.getBoundingClientRect(), u = unit.getBoundingClientRect();
            return Math.max(0, r.right - u.left);
        }))""",
        table,
    )


@pytest.mark.parametrize("size,viewport", SIZES)
def test_the_rank_column_of_the_peer_table_is_never_covered(
    browser, live_server, demo_site, size, viewport
):
    """ "Hạng" stays readable beside the sticky "Đơn vị", also scrolled sideways."""
    leader = persona(browser, live_server, viewport)
    for url in ("/dashboard/so-2022/SYT/", "/dashboard/so-2022/?group=so-nganh"):
        leader.goto(url)
        page = leader.page
        assert _overlap(page, "peers") < 1, (url, size)
        page.eval_on_selector("table.peers", "t => t.closest('.scroll').scrollLeft = 400")
        assert _overlap(page, "peers") < 1, (url, size)
        head = page.locator("table.peers th.rank")
        assert head.evaluate("th => th.scrollWidth <= th.clientWidth"), (url, size)
    assert leader.violations == []


def test_a_table_wider_than_the_phone_says_it_scrolls(browser, live_server, demo_site):
    """At 390 px the area table is wider than the screen: a hint says so and a shadow marks
    the edge with more columns; scrolled to the end, the shadow goes; the body never scrolls."""
    leader = persona(browser, live_server, browser_support.PHONE)
    leader.goto("/dashboard/so-2022/SYT/")
    page = leader.page
    frame = page.locator(".scroll-frame:has(table.areas)")
    page.wait_for_function(
        "() => document.querySelector('.scroll-frame:has(table.areas)')?.classList.contains('more')"
    )
    hint = frame.locator(".scroll-hint")
    assert hint.is_visible() and "Vuốt ngang" in hint.inner_text()
    page.eval_on_selector(
        "table.areas", "t => { const s = t.closest('.scroll'); s.scrollLeft = s.scrollWidth; }"
    )
    page.wait_for_function(
        "() => !document.querySelector('.scroll-frame:has(table.areas)').classList.contains('more')"
    )
    leader.shoot("dashboard-phone-scrolled")
    leader.assert_fits("the dashboard on a phone, its table scrolled")
    # On a laptop the table fits: no hint.
    laptop = persona(browser, live_server, browser_support.LAPTOP)
    laptop.goto("/dashboard/so-2022/SYT/")
    assert not laptop.page.locator(".scroll-frame:has(table.areas) .scroll-hint").is_visible()
