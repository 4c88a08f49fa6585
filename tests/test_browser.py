"""A whole cycle in Debian's real Chromium, driven by Playwright (never a downloaded browser):
erin opens a round, alice self-scores with an evidence upload and submits, carol appraises
twice with an explanation in between, erin publishes."""

import browser as browser_support
import pytest
from helpers import make_framework

from parindex.frameworks.services import save_framework

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The steps the grid confirms in a dialog before taking them.
CONFIRMED = {"submit", "withdraw", "request_explanation", "answer", "finalize", "publish"}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def evidence_dir(settings, tmp_path):
    settings.EVIDENCE_ROOT = tmp_path / "evidence"


class Persona(browser_support.Persona):
    def open_unit(self, code):
        self.page.goto(f"{self.url}/")
        self.page.click(f"a:has-text('{code} —')")
        self.page.wait_for_selector("table.grid")

    def act(self, action):
        """A workflow step; one nobody can undo is confirmed in its dialog first."""
        self.page.click(f"form:has(input[name=action][value={action}]) button")
        if action in CONFIRMED:
            dialog = self.page.locator(f"dialog#confirm-{action}")
            dialog.wait_for(state="visible")
            with self.page.expect_navigation():
                dialog.locator("[data-confirm-ok]").click()
        self.page.wait_for_load_state("load")

    def score(self, code, points, reason="Chưa đủ căn cứ"):
        row = self.page.locator(f"tr[id='row-{code}']")
        row.locator("input[name=points], select[name=points]").first.fill(points)
        if row.locator("input[name=reason]").count():  # an appraiser lowering the points
            row.locator("input[name=reason]").fill(reason)
        with self.page.expect_response(lambda r: "/points/" in r.url):
            row.locator("button[type=submit]").click()
        self.page.wait_for_timeout(100)  # let HTMX swap the row

    def badge(self):
        return self.page.locator(".actions .badge").first.inner_text()


def test_a_whole_cycle_in_the_browser(browser, live_server, people, syt, tmp_path):
    save_framework(make_framework(), publish=True)
    people["carol"].memberships.create(unit=syt["SYT"], role="appraiser")
    erin = Persona(browser, live_server, "erin")
    page = erin.page
    page.click("a.button")  # Mở đợt đánh giá
    page.select_option("#id_framework", label="2024 — Bộ chỉ số thử")
    page.select_option("#id_owner", label="SYT — Sở Y tế")
    page.fill("#id_title", "Đợt thử nghiệm")
    from helpers import round_dates

    dates = round_dates()
    for field in ("self_due", "appraisal_due", "explanation_due", "appraisal2_due"):
        page.fill(f"#id_{field}", getattr(dates, field).strftime("%d/%m/%Y"))
    page.check("label:has-text('A — Bệnh viện A') input")
    page.check("#common-appraisers label:has-text('carol') input")  # the appraiser role's
    page.click("main form button[type=submit]")
    assert "Đợt thử nghiệm" in page.content()

    alice = Persona(browser, live_server, "alice")
    alice.open_unit("A")
    alice.score("1.1", "1,5")
    assert "1,5" in alice.page.locator("#totals").inner_text()
    assert "1.1" in alice.page.locator("#totals").inner_text()  # scored without evidence
    alice.page.click("tr[id='row-1.1'] a")
    pdf = tmp_path / "ke-hoach.pdf"
    pdf.write_bytes(PDF)
    alice.page.set_input_files("#id_file", str(pdf))
    alice.page.fill("#id_title", "Kế hoạch CCHC năm 2024")
    alice.page.fill("#id_number", "12/KH-SYT")
    alice.page.click("form[enctype] button[type=submit]")
    assert "12/KH-SYT" in alice.page.content()
    alice.open_unit("A")
    alice.act("submit")
    assert alice.badge() == "Đã gửi"

    carol = Persona(browser, live_server, "carol")
    carol.open_unit("A")
    carol.act("start_appraisal")
    carol.score("1.1", "1")
    carol.page.click("tr[id='row-1.1'] a")
    carol.page.fill("textarea[name=text]", "Kế hoạch ban hành chậm")
    carol.page.click("form:has(textarea) button[type=submit]")
    carol.open_unit("A")
    carol.act("request_explanation")
    assert carol.badge() == "Đang giải trình"

    alice.page.goto(f"{alice.url}/")
    alice.open_unit("A")
    alice.page.click("tr[id='row-1.1'] a")
    alice.page.fill("textarea[name=text]", "Kế hoạch ban hành đúng hạn theo văn bản số 12")
    alice.page.click("form:has(textarea) button[type=submit]")
    alice.open_unit("A")
    alice.act("answer")

    carol.open_unit("A")
    carol.score("1.1", "1,25")
    carol.act("finalize")
    assert carol.badge() == "Đã thẩm định xong"

    erin.open_unit("A")
    erin.act("publish")
    assert erin.badge() == "Đã công bố kết quả"
    row = erin.page.locator("tr[id='row-1.1']").inner_text()
    assert "1,25" in row and "1,5" in row  # self score kept; the second appraisal prevails
    erin.page.click("a:has-text('Kết quả và biểu đồ')")
    erin.page.wait_for_selector("#area-chart svg")  # ECharts drew the areas
    assert "1,25" in erin.page.locator("table").first.inner_text()
    erin.page.hover("#area-chart svg")  # the chart's tooltip
    erin.page.mouse.move(300, 300)
    erin.page.wait_for_timeout(300)
    # The language switch sends its form from app.js (no inline handler).
    erin.page.select_option("select[name=language]", "en")
    erin.page.wait_for_selector("html[lang=en]")
    assert "Log out" in erin.page.content()

    # The Content Security Policy held on every page of the cycle (no inline script or style).
    violations = [v for persona in (erin, alice, carol) for v in persona.violations]
    assert violations == [], "\n".join(violations)
    for persona in (erin, alice, carol):
        persona.context.close()
