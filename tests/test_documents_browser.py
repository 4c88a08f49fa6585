"""The document pages in Debian's Chromium, laptop (1366×768) and phone (390×844): a leader
downloads the results letter in Vietnamese and in English from the dashboard; a CCHC officer
checks a report with a slip on the checker page, uploads then withdraws an English template,
and sets who signs the Sở's documents. Nothing scrolls sideways. Screenshots:
documents-dashboard-*, document-check-*, document-templates-*."""

import io

import browser as browser_support
import docx
import pytest

from parindex.documents import builtin

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = browser_support.SIZES


def persona(browser, live_server, name, viewport):
    return browser_support.Persona(
        browser, live_server, name, password=f"{name}-demo", viewport=viewport
    )


def download(page, link, folder):
    with page.expect_download() as info:
        link.click()
    target = folder / info.value.suggested_filename
    info.value.save_as(target)
    return target


def all_text(path) -> str:
    document = docx.Document(str(path))
    cells = [cell.text for table in document.tables for cell in table._cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


@pytest.mark.parametrize("size,viewport", SIZES)
def test_the_leader_downloads_the_letter_in_both_languages(
    browser, live_server, demo_site, size, viewport, tmp_path
):
    leader = persona(browser, live_server, "lanhdao", viewport)
    leader.goto("/dashboard/so-2022/SYT/")
    links = leader.page.get_by_test_id("documents")
    links.scroll_into_view_if_needed()
    leader.assert_fits("dashboard with its documents")
    leader.shoot(f"documents-dashboard-{size}")
    letter = links.locator(".doc-links").first
    vietnamese = download(leader.page, letter.get_by_role("link", name="DOCX"), tmp_path)
    assert vietnamese.name == "results-letter-SYT-so-2022.docx"
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in all_text(vietnamese)
    english = download(leader.page, letter.get_by_role("link", name="English"), tmp_path)
    assert english.name == "results-letter-SYT-so-2022-en.docx"
    text = all_text(english)
    assert "SOCIALIST REPUBLIC OF VIETNAM" in text and "ranked" in text
    leader.close()


@pytest.mark.parametrize("size,viewport", SIZES)
def test_the_officer_checks_a_report_and_replaces_a_template(
    browser, live_server, demo_site, size, viewport, tmp_path
):
    officer = persona(browser, live_server, "chuyenvien", viewport)
    page = officer.page
    officer.goto("/documents/check/")
    report = tmp_path / "bao-cao.txt"
    report.write_text(
        "Tiếp nhận 3.105 hồ sơ, trong đó đúng hạn 3.050 hồ sơ (97,23 %), trễ hạn 55 hồ sơ.",
        encoding="utf-8",
    )
    page.set_input_files("input[type=file]", str(report))
    page.locator("main button[type=submit]").click()
    page.wait_for_selector("ol.findings")
    findings = page.locator("ol.findings").inner_text()
    assert "98,23" in findings  # the suggested correction
    officer.assert_fits("checker with a finding")
    officer.shoot(f"document-check-{size}")

    officer.goto("/documents/templates/")
    document = docx.Document(str(builtin.path_of("results-letter", "en")))
    document.add_paragraph("Prepared by the Office for {{ unit_name }}.")
    template = tmp_path / "letter-en.docx"
    out = io.BytesIO()
    document.save(out)
    template.write_bytes(out.getvalue())
    page.select_option("select[name=kind]", "results-letter")
    page.select_option("select[name=document_language]", "en")
    page.fill("input[name=year]", "2022")
    page.set_input_files("input[name=file]", str(template))
    page.get_by_test_id("template-form").locator("button[type=submit]").click()
    page.wait_for_selector(".messages li")
    row = page.locator("tr", has_text="letter-en.docx")
    cells = [c.inner_text() for c in row.locator("td").all()]
    assert cells[:4] == ["results-letter", "en", "2022", "letter-en.docx"]
    officer.assert_fits("templates page with an upload")
    row.get_by_role("button").click()
    page.wait_for_selector(".messages li")
    assert "thu hồi" in page.locator("tr", has_text="letter-en.docx").inner_text()

    signer = page.get_by_test_id("signer-form")
    signer.locator("select[name=signer-unit]").select_option(label="SYT — Sở Y tế")
    signer.locator("input[name=signer-title]").fill("giám đốc")
    signer.locator("input[name=signer-name]").fill("Trần Văn Minh")
    signer.locator("button[type=submit]").click()
    page.wait_for_selector(".messages li")
    assert "GIÁM ĐỐC\nTrần Văn Minh" in page.locator("tr", has_text="Trần Văn Minh").inner_text()
    officer.assert_fits("templates page with a signer")
    officer.shoot(f"document-templates-{size}")
    officer.close()
