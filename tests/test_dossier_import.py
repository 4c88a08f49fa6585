"""Importing the dossier register (onestop-and-documents.md §8.1): formats, the key and
re-imports, all-or-nothing, --skip-invalid, permissions, and malformed files (fuzzed)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parindex.registers.imports import RegisterRefused, import_register
from parindex.registers.models import Dossier, RegisterImport
from parindex.registers.signals import registers_changed
from parindex.tables import TableError

UTC = dt.UTC
HEADER = (
    "Mã hồ sơ;Mã TTHC;Tên thủ tục;Cơ quan chủ trì giải quyết;Chủ hồ sơ;Địa chỉ;SĐT;Kênh;"
    "Ngày tiếp nhận;Ngày hẹn trả;Thời hạn giải quyết;Đơn vị thời hạn;Ngày có kết quả;"
    "Ngày trả kết quả;Phương thức nhận kết quả;Trạng thái;Số lần bổ sung;Có văn bản xin lỗi;"
    "Đã số hóa hồ sơ;Phí, lệ phí;Ghi chú"
)
ROWS = [
    "A-250102-0001;1.000948.H38;Cấp phép;A;Nguyễn Văn A;12 Lê Lợi;0905123456;Trực tuyến;"
    "02/01/2025 08:30;10/01/2025 17:00;"
    "0,5;ngày làm việc;09/01/2025 16:00;10/01/2025 09:00;bưu chính công ích;đã trả kết quả;1;"
    "không;x;50.000;",
    "A-250102-0002;2.000908;;Bệnh viện A;Trần Thị B;;;1;2025-01-02T09:00:00;20250115170000;"
    "15;Ngày;;;;processing;;;;;ghi chú",
    "B-241231-0001;2.000908;;CDC B;Lê C;;;BCCI;31/12/2024 23:30;;;;;;;7;0;có;;;",
]


def write(path, lines, bom=True):
    path.write_bytes(("\ufeff" if bom else "").encode() + ("\n".join(lines) + "\n").encode())
    return path


@pytest.fixture
def register(tmp_path):
    return write(tmp_path / "register.csv", [HEADER, *ROWS])


def by_code():
    return {d.code: d for d in Dossier.objects.select_related("unit")}


# The bulk load outside any transaction (ADBC staging files on SQLite, as the CLI runs it)
# and inside a caller's transaction (a temporary table): the same rows either way.
BOTH_WAYS = pytest.mark.parametrize(
    "way",
    [
        pytest.param("outside", marks=pytest.mark.django_db(transaction=True)),
        pytest.param("inside", marks=pytest.mark.django_db),
    ],
)


@BOTH_WAYS
def test_import_reads_the_format(syt, register, way):
    report = import_register("dossiers", register)
    assert (report.rows, report.created, report.updated, report.unchanged) == (3, 3, 0, 0)
    assert report.rejected == 0 and report.problems == []
    dossiers = by_code()
    first = dossiers["A-250102-0001"]
    assert first.unit == syt["A"] and first.year == 2025
    assert first.channel == 2 and first.status == 10 and first.return_method == 3
    assert first.received_at == dt.datetime(2025, 1, 2, 1, 30, tzinfo=UTC)
    assert first.received_on == dt.date(2025, 1, 2)
    assert first.due_on == dt.date(2025, 1, 10)
    assert first.time_limit == Decimal("0.5") and first.time_limit_unit == "working_days"
    # The end of processing: finished before returned.
    assert first.ended_at == dt.datetime(2025, 1, 9, 9, 0, tzinfo=UTC)
    assert first.ended_on == dt.date(2025, 1, 9)
    assert (first.supplement_count, first.apology, first.digitised) == (1, False, True)
    assert first.fee == 50000
    assert first.batch_id == report.batch.pk
    second = dossiers["A-250102-0002"]
    assert second.unit == syt["A"]  # matched by the unit's name
    assert second.status == 4 and second.ended_at is None and second.ended_on is None
    assert second.due_at == dt.datetime(2025, 1, 15, 10, 0, tzinfo=UTC)
    assert second.time_limit_unit == "days" and second.note == "ghi chú"
    assert second.supplement_count == 0 and second.digitised is None
    # Received at 23:30 on 31/12/2024 local time (16:30 UTC): the year is the local one.
    late = dossiers["B-241231-0001"]
    assert late.unit == syt["B"] and late.year == 2024
    assert late.received_on == dt.date(2024, 12, 31)
    assert late.channel == 3 and late.status == 7 and late.ended_at is None
    # The applicant's name, address and telephone number are nowhere.
    stored = " ".join(str(v) for d in dossiers.values() for v in d.__dict__.values())
    assert "Nguyễn" not in stored and "0905123456" not in stored and "Lê Lợi" not in stored
    batch = RegisterImport.objects.get()
    assert batch.state == "done" and (batch.total, batch.created) == (3, 3)
    assert len(batch.sha256) == 64 and batch.name == "register.csv"


@pytest.mark.django_db(transaction=True)
def test_reimport_updates_never_duplicates(syt, register, tmp_path):
    import_register("dossiers", register)
    again = import_register("dossiers", register)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    first_batch = RegisterImport.objects.order_by("id").first()
    assert set(Dossier.objects.values_list("batch_id", flat=True)) == {first_batch.pk}
    changed = [ROWS[0].replace(";1;không;", ";2;có;"), *ROWS[1:]]
    report = import_register("dossiers", write(tmp_path / "changed.csv", [HEADER, *changed]))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    assert Dossier.objects.count() == 3
    dossier = Dossier.objects.get(code="A-250102-0001")
    assert (dossier.supplement_count, dossier.apology) == (2, True)
    assert dossier.batch_id == report.batch.pk


@BOTH_WAYS
@pytest.mark.parametrize("slice_rows", [25_000, 1])
def test_a_corrected_year_moves_the_dossier(syt, register, tmp_path, monkeypatch, slice_rows, way):
    from parindex.registers import loading

    # One slice, or (SQLite) one staging file per row, all in one transaction.
    monkeypatch.setattr(loading, "SQLITE_LAST_SLICE_ROWS", slice_rows)
    import_register("dossiers", register)
    moved = [ROWS[0], ROWS[1], ROWS[2].replace("31/12/2024 23:30", "01/01/2025 07:30")]
    report = import_register("dossiers", write(tmp_path / "moved.csv", [HEADER, *moved]))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    assert list(Dossier.objects.filter(code="B-241231-0001").values_list("year", flat=True)) == [
        2025
    ]


@pytest.mark.parametrize("smallest", [1, 2, 3, 5, 100])
def test_slices_never_split_a_code(smallest):
    from parindex.registers.loading import _chunks, slice_sizes

    codes = ["a", "b", "b", "b", "c", "d", "d", "e", "f", "f", "f", "f", "g"]
    frame = pl.DataFrame({"code": codes, "n": range(len(codes))})
    sizes = slice_sizes(frame.height, smallest)
    slices = _chunks(frame, sizes)
    assert pl.concat(slices).equals(frame)
    assert all(s.height for s in slices)
    assert len(slices) <= len(sizes)
    for before, after in itertools.pairwise(slices):
        assert before["code"][-1] != after["code"][0]
    # Cut at the first code boundary at or after each target.
    assert slices[0].height >= min(sizes[0], frame.height)
    assert [s["code"].to_list() for s in _chunks(frame, [1, 1])[:2]] == [["a"], ["b"] * 3]


@pytest.mark.parametrize("total", [1, 7, 24_999, 60_000, 1_000_000, 2_500_000, 5_000_000])
def test_slices_shrink_and_stay_fewer_than_sqlite_attaches(total):
    from parindex.registers.loading import (
        SQLITE_LAST_SLICE_ROWS,
        SQLITE_MAX_SLICES,
        SQLITE_SLICE_SHRINK,
        slice_sizes,
    )

    sizes = slice_sizes(total)
    assert sum(sizes) == total and all(sizes)
    # SQLite attaches at most ten files, and each slice stays attached until the commit.
    assert len(sizes) <= SQLITE_MAX_SLICES < 10
    # Each slice about 0.88 times the one before; the last, which nothing overlaps, is the
    # smallest, yet not below 25.000 rows unless the file is one slice.
    for before, after in itertools.pairwise(sizes):
        assert abs(after - SQLITE_SLICE_SHRINK * before) <= 2
    assert len(sizes) == 1 or sizes[-1] >= SQLITE_LAST_SLICE_ROWS
    if total < 2 * SQLITE_LAST_SLICE_ROWS:
        assert sizes == [total]
    if total >= 1_000_000:
        assert len(sizes) == SQLITE_MAX_SLICES and sizes[-1] < total / SQLITE_MAX_SLICES


def test_slice_sizes_edges():
    from parindex.registers.loading import slice_sizes

    assert slice_sizes(0) == []
    assert slice_sizes(12, 1) == [2, 2, 2, 2, 1, 1, 1, 1]
    assert slice_sizes(12, 1, 1.0, 3) == [4, 4, 4]
    assert slice_sizes(100, 40) == [53, 47]


@pytest.mark.django_db(transaction=True)
def test_more_slices_than_sqlite_could_attach(syt, tmp_path, monkeypatch):
    """One row a slice would be 12 staging files; SQLite attaches ten at most: the slices
    are fewer and larger instead, and all 12 rows go in (on PostgreSQL the slices are not
    used)."""
    from parindex.registers import loading

    monkeypatch.setattr(loading, "SQLITE_LAST_SLICE_ROWS", 1)
    rows = [
        f"M-{i:04d};1.1;CDC B;1;02/01/2025 08:00;10/01/2025 17:00;09/01/2025 10:00;9"
        for i in range(12)
    ]
    header = (
        "ma_ho_so;ma_tthc;co_quan_giai_quyet;kenh_thuc_hien;ngay_tiep_nhan;ngay_hen_tra;"
        "ngay_ket_thuc_xu_ly;trang_thai"
    )
    from django.db import connection

    def settings_of_the_connection():
        if connection.vendor != "sqlite":
            return None
        with connection.cursor() as cursor:
            found = []
            for pragma in ("cache_size", "wal_autocheckpoint", "temp_store", "foreign_keys"):
                cursor.execute(f"PRAGMA {pragma}")
                found.append(cursor.fetchone()[0])
            cursor.execute("PRAGMA database_list")
            return found, [row[1] for row in cursor.fetchall() if row[1] not in ("main", "temp")]

    before = settings_of_the_connection()
    report = import_register("dossiers", write(tmp_path / "twelve.csv", [header, *rows]))
    assert report.created == 12 and Dossier.objects.count() == 12
    # The load's settings (a larger cache, no checkpoint, memory for the statement journals,
    # no foreign-key checks) and its attached files end with it.
    assert settings_of_the_connection() == before
    assert not list(tmp_path.glob(".parindex-staging-*"))


def test_unit_for_the_whole_file_and_xlsx_dates(syt, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Số biên nhận", "Mã thủ tục", "Hình thức nộp", "Ngày nhận hồ sơ", "TrangThai"])
    sheet.append(["X1", "1.1", "Trực tiếp", dt.datetime(2025, 5, 6, 14, 0), "Đã xử lý xong"])
    sheet.append(["X2", "1.1", 2, dt.date(2025, 5, 7), 5])
    path = tmp_path / "sheet.xlsx"
    book.save(path)
    report = import_register("dossiers", path, unit="B")
    assert report.created == 2
    dossiers = by_code()
    assert {d.unit.code for d in dossiers.values()} == {"B"}
    assert dossiers["X1"].received_at == dt.datetime(2025, 5, 6, 7, 0, tzinfo=UTC)
    assert dossiers["X1"].status == 9 and dossiers["X1"].channel == 1
    assert dossiers["X2"].received_on == dt.date(2025, 5, 7) and dossiers["X2"].status == 5
    assert RegisterImport.objects.get().unit == syt["B"]


def test_one_bad_row_refuses_the_whole_file(syt, register, tmp_path):
    bad = [
        ROWS[0],
        ROWS[1].replace("2025-01-02T09:00:00", "32/01/2025"),
        ROWS[2].replace("CDC B", "Sở Tài chính"),
        ROWS[0].replace(";Trực tuyến;", ";fax;").replace("0001", "0009"),
    ]
    with pytest.raises(RegisterRefused) as refused:
        import_register("dossiers", write(tmp_path / "bad.csv", [HEADER, *bad]))
    found = {(p.row, p.column) for p in refused.value.problems}
    assert found == {
        (3, "ngay_tiep_nhan"),
        (4, "co_quan_giai_quyet"),
        (5, "kenh_thuc_hien"),
    }
    assert Dossier.objects.count() == 0
    batch = RegisterImport.objects.get()
    assert batch.state == "failed" and batch.rejected == 3
    assert {(p["row"], p["column"], p["value"]) for p in batch.problems} >= {
        (3, "ngay_tiep_nhan", "32/01/2025"),
        (4, "co_quan_giai_quyet", "Sở Tài chính"),
        (5, "kenh_thuc_hien", "fax"),
    }


def test_duplicates_and_years_out_of_range(syt, tmp_path):
    rows = [ROWS[0], ROWS[0], ROWS[1].replace("2025-01-02T09:00:00", "1999-12-01")]
    with pytest.raises(RegisterRefused) as refused:
        import_register("dossiers", write(tmp_path / "dup.csv", [HEADER, *rows]))
    messages = {(p.row, p.column): str(p.message) for p in refused.value.problems}
    assert "already on row 2" in messages[(3, "ma_ho_so")]
    assert "between 2000" in messages[(4, "ngay_tiep_nhan")]


@pytest.mark.django_db(transaction=True)
def test_skip_invalid_writes_the_rejected_rows(syt, register, tmp_path):
    bad = [ROWS[0], ROWS[1].replace(";processing;", ";lost;"), ROWS[2]]
    path = write(tmp_path / "some.csv", [HEADER, *bad])
    report = import_register("dossiers", path, skip_invalid=True)
    assert (report.created, report.rejected) == (2, 1)
    assert report.rejected_path == tmp_path / "some.rejected.csv"
    text = report.rejected_path.read_text(encoding="utf-8-sig").splitlines()
    assert text[0].startswith("dong,ma_ho_so,") and text[0].endswith(",ly_do")
    assert len(text) == 2 and text[1].startswith("3,A-250102-0002,")
    # The reason names the column by its header, as the file has it.
    assert "Trạng thái: " in text[1] and "lost" in text[1]
    assert set(Dossier.objects.values_list("code", flat=True)) == {
        "A-250102-0001",
        "B-241231-0001",
    }
    elsewhere = tmp_path / "out" / "rejected.csv"
    report = import_register("dossiers", path, skip_invalid=True, rejected_path=elsewhere)
    assert report.rejected_path == elsewhere and elsewhere.exists()
    assert (report.created, report.unchanged) == (0, 2)


def test_signal_names_the_units(syt, register, django_capture_on_commit_callbacks):
    received = []

    def receiver(sender, kind, unit_ids, batch, **kwargs):
        received.append((kind, unit_ids, batch))

    registers_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            report = import_register("dossiers", register)
    finally:
        registers_changed.disconnect(receiver)
    assert received == [("dossiers", {syt["A"].pk, syt["B"].pk}, report.batch)]


def test_permissions(syt, people, register):
    # erin, the CCHC officer of the Sở, loads the whole province's register.
    assert import_register("dossiers", register, user=people["erin"]).created == 3
    Dossier.objects.all().delete()
    # alice is staff of A: the rows of B are not hers to change.
    with pytest.raises(RegisterRefused) as alice:
        import_register("dossiers", register, user=people["alice"])
    assert {p.row for p in alice.value.problems} == {4}
    assert "B" in str(alice.value.problems[0].message)
    assert Dossier.objects.count() == 0
    assert import_register("dossiers", register, user=people["alice"], unit="A").created == 3
    # bob, staff of B, may not write A's register; dave, a leader, only reads.
    for name in ("bob", "dave"):
        with pytest.raises(RegisterRefused) as refused:
            import_register("dossiers", register, user=people[name], unit="A")
        assert "registers of A" in str(refused.value.problems[0].message)
    assert Dossier.objects.count() == 3


def test_file_level_refusals(syt, tmp_path, register):
    with pytest.raises(RegisterRefused, match="does not exist"):
        import_register("dossiers", register, unit="NOPE")
    no_unit = write(
        tmp_path / "nounit.csv", ["Mã hồ sơ;Mã TTHC;Kênh;Ngày nhận;Trạng thái", "H;1;1;1/1/2025;2"]
    )
    with pytest.raises(RegisterRefused, match="--unit"):
        import_register("dossiers", no_unit)
    with pytest.raises(RegisterRefused, match="unknown register"):
        import_register("ledgers", register)
    assert Dossier.objects.count() == 0


# --- malformed files: a clean import or a clear refusal, never a traceback or half a file -----

CELLS = st.one_of(
    st.sampled_from(
        ["", "1", "2", "x", "có", "done", "0,5", "1.234,5", "01/02/2025", "2025-02-30", "A", "B"]
    ),
    st.text(max_size=12),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)
HEADERS = st.lists(
    st.sampled_from(
        [
            "Mã hồ sơ",
            "Mã TTHC",
            "Kênh",
            "Ngày tiếp nhận",
            "Trạng thái",
            "Cơ quan giải quyết",
            "Ngày hẹn trả",
            "Phí",
            "Số lần bổ sung",
            "Số hóa",
            "Ghi chú",
            "Chủ hồ sơ",
            "ma_ho_so",
        ]
    ),
    min_size=0,
    max_size=8,
)


@st.composite
def malformed(draw):
    kind = draw(st.sampled_from(["table", "bytes", "truncated"]))
    if kind == "bytes":
        return draw(st.binary(max_size=300))
    header = draw(HEADERS)
    rows = draw(st.lists(st.lists(CELLS, max_size=len(header) + 2), max_size=6))
    separator = draw(st.sampled_from([",", ";", "\t"]))
    text = "\n".join(
        separator.join(f'"{c}"' if separator in c or '"' in c or "\n" in c else c for c in line)
        for line in [header, *rows]
    )
    data = text.encode("utf-8", "surrogatepass")
    if kind == "truncated" and data:
        data = data[: draw(st.integers(min_value=0, max_value=len(data)))]
    return data


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=malformed(), skip=st.booleans())
def test_malformed_files_never_crash_or_half_write(syt, tmp_path, data, skip):
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    before = Dossier.objects.count()
    try:
        report = import_register("dossiers", path, skip_invalid=skip)
    except TableError:
        assert Dossier.objects.count() == before
        return
    assert report.created + report.updated + report.unchanged + report.rejected == report.rows
    assert Dossier.objects.count() == before + report.created
