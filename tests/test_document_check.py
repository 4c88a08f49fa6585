"""`parindex document check` and its page: a report read as Word, PDF (through LibreOffice's
conversion, a real writer of PDF) or text; the findings as documented; bad files refused in
one line, never a traceback."""

import json
import os
import re
import shutil
import subprocess

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from parindex.documents.reading import join_lines, read_text

SLIP = (
    "Năm 2022 tiếp nhận 3.105 hồ sơ, trong đó đúng hạn 3.050 hồ sơ (98,23%), "
    "trễ hạn 55 hồ sơ (2,77%)."
)
RIGHT = "Sở Y tế đạt 81,779/100 điểm, xếp thứ 9/21, tăng 3 bậc so với năm 2021 (xếp thứ 12/21)."


def report_docx(path):
    document = docx.Document()
    document.add_paragraph("BÁO CÁO KẾT QUẢ CÔNG TÁC CẢI CÁCH HÀNH CHÍNH NĂM 2022")
    document.add_paragraph(RIGHT)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Một cửa"
    table.rows[0].cells[1].text = SLIP
    document.save(path)
    return path


def run(*args):
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_a_word_report_is_checked_paragraphs_and_tables(tmp_path):
    data = json.loads(run("document", "check", str(report_docx(tmp_path / "bc.docx")), "--json"))
    (finding,) = data["findings"]
    assert finding == {
        "kind": "rate",
        "sentence": SLIP,
        "stated": "2,77 %",
        "computed": "1,77 %",
        "suggestion": "55/3.105 is 1,77 %, not 2,77 %",
        "numbers": ["55", "3.105", "2,77"],
    }


def test_a_pdf_report_is_checked_through_its_text(tmp_path):
    assert shutil.which("soffice"), "LibreOffice is missing: scripts/test installs it"
    source = report_docx(tmp_path / "bc.docx")
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
        timeout=180,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    text = run("document", "check", str(tmp_path / "bc.pdf"))
    assert "1 numbers contradict each other" in text or "1 number" in text
    assert "55/3.105 is 1,77 %, not 2,77 %" in text


def test_a_text_report_without_slips(tmp_path):
    path = tmp_path / "bc.txt"
    path.write_text(RIGHT + "\n", encoding="utf-8")
    assert "No number contradicts another." in run("document", "check", str(path))


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("none.txt", None, "file not found"),
        ("latin.txt", "Tỷ lệ".encode("cp1258", "replace") + b"\xff\xfe\xfa", "not UTF-8"),
        ("fake.docx", b"PK\x03\x04 broken", "not a Word document"),
        ("fake.pdf", b"%PDF-1.4 nothing else", "not a PDF"),
        ("picture.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "not a Word document (.docx), a PDF"),
    ],
)
def test_bad_files_are_refused_in_one_line(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CommandError, match=re.escape(message)):
        run("document", "check", str(path))


def test_printed_lines_are_joined_back_into_sentences():
    text = "Năm 2022 tiếp nhận 3.105 hồ sơ, trong đó đúng\nhạn 3.050 hồ sơ.\n- Mục một\n- Mục hai"
    assert join_lines(text) == (
        "Năm 2022 tiếp nhận 3.105 hồ sơ, trong đó đúng hạn 3.050 hồ sơ.\n- Mục một\n- Mục hai"
    )


def test_the_page_checks_an_upload_and_stores_nothing(client, people, tmp_path):
    client.force_login(people["alice"])
    page = client.get("/documents/check/").content.decode()
    assert "Kiểm tra số liệu của báo cáo" in page
    upload = SimpleUploadedFile("bc.docx", report_docx(tmp_path / "bc.docx").read_bytes())
    text = client.post("/documents/check/", {"file": upload}).content.decode()
    assert "55/3.105 là 1,77 %, không phải 2,77 %" in text and 'data-kind="rate"' in text
    bad = SimpleUploadedFile("x.pdf", b"%PDF-1.4 nothing")
    response = client.post("/documents/check/", {"file": bad})
    assert (
        response.status_code == 422
        and "không phải là tệp PDF đọc được" in response.content.decode()
    )
    client.logout()
    assert client.get("/documents/check/").status_code == 302


def test_read_text_reads_utf8_with_a_bom(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeff".encode() + RIGHT.encode())
    assert read_text(path) == RIGHT
