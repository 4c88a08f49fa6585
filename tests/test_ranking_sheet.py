"""The round's ranking as an Excel workbook, opened with a real reader (openpyxl): Vietnamese
headers, a title row with the framework and the date, numbers as numbers with formats that
read the Vietnamese way, each area's points and rank, last year's total and the change; the
provisional ranking only for the round's CCHC officer, titled as such."""

import io
import os
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from helpers import act, assessment
from openpyxl import load_workbook

from parindex.assessments.access import access_for
from parindex.assessments.criteria import set_note, set_points
from parindex.library.demo import load_demo
from parindex.units.models import Membership, PeerGroup, Unit

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def demo():
    load_demo()
    dave = User.objects.create_user("dave")
    Membership.objects.create(user=dave, unit=Unit.objects.get(code="SYT"), role="leader")
    return {"dave": dave}


def _download(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == XLSX
    return response, load_workbook(io.BytesIO(response.content))


def _table(sheet):
    """The header row (the first row with "Hạng" in column A) and the rows under it."""
    rows = list(sheet.iter_rows())
    start = next(i for i, row in enumerate(rows) if row[0].value == "Hạng")
    return [c.value for c in rows[start]], rows[start + 1 :]


def test_the_ranking_workbook_of_the_departments(client, demo):
    response, book = _download(
        client, demo["dave"], "/dashboard/so-2022/ranking.xlsx?group=so-nganh"
    )
    assert 'filename="xep-hang-so-2022-so-nganh.xlsx"' in response["Content-Disposition"]
    (sheet,) = book.worksheets
    assert sheet.title == "Sở, ban, ngành tỉnh"
    assert sheet["A1"].value == "Xếp hạng Chỉ số CCHC năm 2022 — Sở, ban, ngành tỉnh"
    today = timezone.localdate().strftime("%d/%m/%Y")
    # The framework by its title (with its year), never by its internal code.
    title = "Bộ chỉ số CCHC cấp sở năm 2022 (cấu trúc 876/QĐ-BNV, mẫu)"
    assert sheet["A2"].value == f"{title} · lập ngày {today}"
    assert "so-2022" not in sheet["A1"].value + sheet["A2"].value

    headers, rows = _table(sheet)
    assert headers[:7] == [
        "Hạng",
        "Mã đơn vị",
        "Đơn vị",
        "Tổng điểm",
        "Điểm tối đa",
        "Chỉ số (%)",
        "Xếp loại",
    ]
    assert headers[7] == "1. Công tác chỉ đạo, điều hành CCHC (điểm)"
    assert headers[8] == "Hạng lĩnh vực 1"
    assert headers[-5:] == [
        "Tổng điểm 2021",
        "Điểm tối đa 2021",
        "Chỉ số 2021 (%)",
        "Tăng/giảm (điểm)",
        "Tăng/giảm (điểm % của điểm tối đa)",
    ]
    assert len(rows) == 21
    assert [row[0].value for row in rows[:3]] == [1, 2, 3]  # best first
    syt = next(row for row in rows if row[1].value == "SYT")
    values = dict(zip(headers, (c.value for c in syt), strict=True))
    cells = dict(zip(headers, syt, strict=True))
    assert values["Hạng"] == 9 and values["Đơn vị"] == "Sở Y tế"
    assert values["Tổng điểm"] == pytest.approx(81.779, abs=5e-4)
    assert values["Điểm tối đa"] == 100
    assert values["Chỉ số (%)"] == pytest.approx(0.81779, abs=5e-6)
    assert values["Xếp loại"] == "Tốt"
    assert values["1. Công tác chỉ đạo, điều hành CCHC (điểm)"] == 5.25
    assert values["Hạng lĩnh vực 1"] == 17
    assert values["Tổng điểm 2021"] == pytest.approx(84.033, abs=5e-4)
    assert values["Điểm tối đa 2021"] == 98
    assert values["Tăng/giảm (điểm)"] == pytest.approx(-2.254, abs=5e-4)
    assert values["Tăng/giảm (điểm % của điểm tối đa)"] == pytest.approx(-3.97, abs=5e-3)
    # Numbers are numbers, with formats a Vietnamese reader shows as 81,779 and 81,78%.
    assert cells["Tổng điểm"].number_format == "#,##0.00#"
    assert cells["Chỉ số (%)"].number_format == "0.00%"
    assert cells["Tăng/giảm (điểm)"].number_format.startswith("+")
    assert sheet.freeze_panes == "D" + str(syt[0].row - rows.index(syt))  # under the headers


def test_the_dashboard_links_the_workbook_of_its_peer_group(client, demo):
    client.force_login(demo["dave"])
    page = client.get("/dashboard/so-2022/SYT/").content.decode()
    assert 'href="/dashboard/so-2022/ranking.xlsx?group=so-nganh"' in page


def test_without_a_group_the_workbook_has_a_sheet_per_visible_group(client, demo):
    _response, book = _download(client, demo["dave"], "/dashboard/so-2022/ranking.xlsx")
    # The leader of the Sở sees the departments and the Sở's own units; only the departments
    # have published results.
    assert [s.title for s in book.worksheets] == ["Sở, ban, ngành tỉnh"]


def test_nobody_gets_the_ranking_of_a_group_they_hold_no_role_in(client, demo):
    frank = User.objects.create_user("frank")
    client.force_login(frank)
    assert client.get("/dashboard/so-2022/ranking.xlsx").status_code == 404
    client.force_login(demo["dave"])
    assert client.get("/dashboard/so-2022/ranking.xlsx?group=nope").status_code == 404
    assert client.get("/dashboard/nope/ranking.xlsx").status_code == 404


def test_the_workbook_takes_a_fixed_number_of_queries(client, demo):
    client.force_login(demo["dave"])
    url = "/dashboard/so-2022/ranking.xlsx?group=so-nganh"
    client.get(url)
    with CaptureQueriesContext(connection) as warm:
        client.get(url)
    assert len(warm) <= 11, len(warm)


# --- the provisional ranking ----------------------------------------------------------------


@pytest.fixture
def finalised(people, round_):
    """Unit A of the personas' round finalised, not published; A and B form a peer group."""
    group = PeerGroup.objects.create(code="bv", name="Bệnh viện")
    Unit.objects.filter(code__in=["A", "B"]).update(group=group)
    a = assessment(round_, "A")
    set_points(access_for(people["alice"], a), "1.1", Decimal(2), expected_version=None)
    set_note(access_for(people["alice"], a), "1.1", "Đã ban hành", expected_version=None)
    for user, action in [("alice", "submit"), ("carol", "start_appraisal"), ("carol", "finalize")]:
        act(people[user], round_, "A", action)
    return round_


def test_the_officer_downloads_the_provisional_ranking_clearly_titled(client, people, finalised):
    url = f"/dashboard/t-2024/ranking.xlsx?provisional=1&round={finalised.pk}"
    response, book = _download(client, people["erin"], url)
    assert "tam-tinh" in response["Content-Disposition"]
    (sheet,) = book.worksheets
    assert sheet["A1"].value.startswith("TẠM TÍNH — Xếp hạng Chỉ số CCHC năm 2024")
    assert "Kết quả tạm tính" in sheet["A3"].value
    assert sheet["A4"].value == "Không xếp hạng: nhóm chỉ có 1 đơn vị."  # A alone so far
    headers, rows = _table(sheet)
    (a,) = rows
    values = dict(zip(headers, (c.value for c in a), strict=True))
    assert values["Mã đơn vị"] == "A" and values["Hạng"] is None
    assert values["Ghi chú"] == "tạm tính"


def test_the_provisional_ranking_is_the_officers_only(client, people, finalised):
    client.force_login(people["dave"])  # a leader, not the round's officer
    assert client.get("/dashboard/t-2024/ranking.xlsx?provisional=1").status_code == 404
    assert client.get("/dashboard/t-2024/?provisional=1").status_code == 404
    client.force_login(people["erin"])
    # Published results only, by default: A is not published yet.
    _response, book = _download(client, people["erin"], "/dashboard/t-2024/ranking.xlsx")
    assert book.worksheets[0]["A1"].value == "Chưa có kết quả được công bố."
    page = client.get("/dashboard/t-2024/").content.decode()
    assert "Xem xếp hạng tạm tính" in page
    page = client.get(f"/dashboard/t-2024/?provisional=1&round={finalised.pk}").content.decode()
    assert "Xếp hạng tạm tính" in page and "tạm tính</span>" in page
    assert "Không xếp hạng — nhóm chỉ có 1 đơn vị." in page


def test_sheet_names_are_valid_and_unique():
    from parindex.assessments.ranking_sheet import _sheet_name

    taken: set[str] = set()
    assert _sheet_name("Sở/ban: ngành [tỉnh]", taken) == "Sở-ban- ngành -tỉnh-"
    long = "Các đơn vị sự nghiệp trực thuộc Sở Y tế tỉnh"
    first = _sheet_name(long, taken)
    second = _sheet_name(long, taken)
    assert len(first) <= 31 and len(second) <= 31 and first != second


def test_libreoffice_reads_the_workbook(client, demo, tmp_path):
    # scripts/test installs LibreOffice (Debian's libreoffice-calc-nogui): never skipped.
    assert shutil.which("soffice"), "LibreOffice is missing: scripts/test installs it"
    response, _book = _download(client, demo["dave"], "/dashboard/so-2022/ranking.xlsx")
    source = tmp_path / "xep-hang.xlsx"
    source.write_bytes(response.content)
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "csv", "--outdir", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
        timeout=120,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    text = (tmp_path / "xep-hang.csv").read_text(encoding="utf-8", errors="replace")
    assert "SYT" in text and "81" in text


def test_the_change_is_the_difference_of_the_figures_shown(client, demo):
    """One rounding for the web, the workbook and the CLI: the cells hold the figures as shown
    (3 decimals, half up), and the change is their difference — SNGV 87,864 − 81,43 = +6,434
    (the exact change, 6,43476…, would round to 6,435 and contradict the columns beside it);
    the change in percentage points is rounded half up like the dashboard's."""
    _response, book = _download(
        client, demo["dave"], "/dashboard/so-2022/ranking.xlsx?group=so-nganh"
    )
    headers, rows = _table(book.worksheets[0])
    column = {name: i for i, name in enumerate(headers)}
    for row in rows:
        values = [c.value for c in row]
        total, last = values[column["Tổng điểm"]], values[column["Tổng điểm 2021"]]
        change = values[column["Tăng/giảm (điểm)"]]
        for figure in (total, last, change):
            assert Decimal(repr(figure)) == Decimal(repr(figure)).quantize(Decimal("0.001"))
        assert Decimal(repr(change)) == Decimal(repr(total)) - Decimal(repr(last))
        pct = values[column["Tăng/giảm (điểm % của điểm tối đa)"]]
        assert Decimal(repr(pct)) == Decimal(repr(pct)).quantize(Decimal("0.01"))
    sngv = next(row for row in rows if row[1].value == "SNGV")
    assert sngv[column["Tăng/giảm (điểm)"]].value == 6.434
    assert sngv[column["Tổng điểm"]].value == 87.864
