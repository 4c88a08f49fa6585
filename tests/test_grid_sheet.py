"""The grid's Excel round trip: download, fill in offline, upload back (all or nothing)."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from helpers import act, assessment
from openpyxl import load_workbook

from parindex.assessments.access import access_for
from parindex.assessments.models import AuditEntry, ScoreEntry

pytestmark = pytest.mark.django_db


def download(client, people, name, round_, code="A"):
    client.force_login(people[name])
    response = client.get(reverse("web:sheet", args=[assessment(round_, code).pk]))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def upload(client, book, round_, code="A", follow=True):
    buffer = io.BytesIO()
    book.save(buffer)
    return client.post(
        reverse("web:sheet", args=[assessment(round_, code).pk]),
        {"sheet": SimpleUploadedFile("diem.xlsx", buffer.getvalue())},
        follow=follow,
    )


def rows(book):
    sheet = book.active
    header = [c.value for c in sheet[1]]
    return header, {row[1].value: row for row in sheet.iter_rows(min_row=2)}


def test_alice_fills_the_sheet_offline_and_uploads_it(client, people, round_):
    book = download(client, people, "alice", round_)
    header, by_code = rows(book)
    assert header == ["unit", "criterion", "title", "max", "rule", "points", "note", "version"]
    assert "XHH" not in by_code  # survey criteria are not self-scored
    by_code["1.1"][5].value = 1.75
    by_code["2.2"][5].value = "1,5"
    by_code["2.2"][6].value = "một báo cáo chậm"
    page = upload(client, book, round_).content.decode()
    assert "2 điểm mới" in page  # "2 new and 0 changed scores …"
    assert ScoreEntry.objects.get(key="1.1", stage="self").points == Decimal("1.75")
    change = AuditEntry.objects.get(key="2.2")
    assert change.user.username == "alice" and change.reason == "một báo cáo chậm"
    again = download(client, people, "alice", round_)
    assert rows(again)[1]["1.1"][5].value == 1.75


def test_a_bad_sheet_is_refused_whole_with_row_and_column(client, people, round_):
    book = download(client, people, "alice", round_)
    _, by_code = rows(book)
    by_code["1.1"][5].value = 1.75
    by_code["1.2"][5].value = 5  # above the max of 1
    by_code["2.2"][0].value = "B"  # another unit's row
    by_code["2.2"][5].value = 1
    page = upload(client, book, round_).content.decode()
    assert "Không nhập dữ liệu nào" in page or "không nhập dữ liệu nào" in page.lower()
    assert "dòng 3" in page and "cột “points”" in page
    assert "chỉ dành cho A" in page
    assert not ScoreEntry.objects.exists()


def test_carol_uploads_appraisal_scores_in_round_one(client, people, round_):
    from parindex.assessments.criteria import set_points

    set_points(
        access_for(people["alice"], assessment(round_, "A")),
        "1.1",
        Decimal(0),
        expected_version=None,
    )
    act(people["alice"], round_, "A", "submit")
    act(people["carol"], round_, "A", "start_appraisal")
    book = download(client, people, "carol", round_)
    _, by_code = rows(book)
    by_code["1.1"][5].value = 0.5
    upload(client, book, round_)
    assert ScoreEntry.objects.get(key="1.1", stage="appraisal").points == Decimal("0.5")


def test_bob_cannot_download_or_upload_alices_sheet(client, people, round_):
    client.force_login(people["bob"])
    url = reverse("web:sheet", args=[assessment(round_, "A").pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"sheet": SimpleUploadedFile("x.xlsx", b"x")}).status_code == 404


def test_a_leader_downloads_but_cannot_upload(client, people, round_):
    book = download(client, people, "dave", round_)
    page = upload(client, book, round_).content.decode()
    assert "không thể thay đổi" in page


def test_a_sheet_does_not_overwrite_what_changed_after_its_download(client, people, round_):
    from parindex.assessments.criteria import set_points

    book = download(client, people, "alice", round_)
    set_points(
        access_for(people["alice"], assessment(round_, "A")),
        "1.1",
        Decimal(1),
        expected_version=None,
        reason="on the page meanwhile",
    )
    _, by_code = rows(book)
    by_code["1.1"][5].value = 2
    page = upload(client, book, round_).content.decode()
    assert "sau khi bạn mở" in page  # changed after this sheet was downloaded
    assert ScoreEntry.objects.get(key="1.1").points == 1
