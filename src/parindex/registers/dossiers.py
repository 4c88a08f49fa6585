"""The dossier register's file format (onestop-and-documents.md §8.1) and its import.

One row per dossier, CSV or XLSX, canonical column names (those of the national DVCQG sync
standard, in snake case) or their Vietnamese headers. The key is (unit, year of reception,
`ma_ho_so`): importing a file again updates the dossiers it already holds and never
duplicates them. The applicant's name, address and telephone number are read past and never
stored. See docs/registers-format.md.

The pipeline: read as text (`reading.read_table`), type every column (`reading.parse`),
resolve the unit of each row, derive the year, the local dates and the end of processing,
check the key, the years and the permissions; then either refuse the whole file (every
problem listed) or, with `skip_invalid`, write the valid rows and put the rejected ones in a
CSV file with their reasons; and load in bulk (`registers.loading`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
from django.utils import timezone

from parindex.domain.i18n import Message
from parindex.domain.i18n import gettext_noop as N_
from parindex.registers import loading, quality, signals
from parindex.registers.access import WRITE, refusal
from parindex.registers.models import RegisterKind
from parindex.registers.reading import (
    MAX_BYTES,
    MAX_ROWS,
    MAX_XLSX_UNPACKED_BYTES,
    ROW,
    Column,
    cell_problem,
    default_rejected_path,
    local_date,
    normalise,
    parse,
    read_table,
    write_rejected,
)
from parindex.tables import RowProblem, TableError

KIND = RegisterKind.DOSSIERS
# A dossier received before this year is a typing mistake (no one-stop software kept
# registers before); after next year, too.
FIRST_YEAR = 2000

CHANNELS = {
    "1": 1,
    "trực tiếp": 1,
    "tại quầy": 1,
    "nộp trực tiếp": 1,
    "direct": 1,
    "2": 2,
    "trực tuyến": 2,
    "qua mạng": 2,
    "dịch vụ công trực tuyến": 2,
    "nộp trực tuyến": 2,
    "online": 2,
    "3": 3,
    "bưu chính": 3,
    "bưu chính công ích": 3,
    "qua bưu chính công ích": 3,
    "bưu điện": 3,
    "qua bưu điện": 3,
    "bcci": 3,
    "postal": 3,
}
RETURN_METHODS = {
    "1": 1,
    "trực tiếp": 1,
    "tại quầy": 1,
    "nhận trực tiếp": 1,
    "direct": 1,
    "2": 2,
    "trực tuyến": 2,
    "điện tử": 2,
    "kết quả điện tử": 2,
    "online": 2,
    "3": 3,
    "bưu chính": 3,
    "bưu chính công ích": 3,
    "qua bưu chính công ích": 3,
    "bưu điện": 3,
    "qua bưu điện": 3,
    "bcci": 3,
    "postal": 3,
}
# TrangThaiHoSo (§2.3): the codes, the Vietnamese words and the DVCQG API's English words.
STATUSES = {
    **{str(code): code for code in range(1, 11)},
    "mới đăng ký": 1,
    "chờ tiếp nhận": 1,
    "receiving": 1,
    "được tiếp nhận": 2,
    "đã tiếp nhận": 2,
    "tiếp nhận": 2,
    "new": 2,
    "không được tiếp nhận": 3,
    "từ chối tiếp nhận": 3,
    "denied": 3,
    "đang xử lý": 4,
    "đang giải quyết": 4,
    "processing": 4,
    "yêu cầu bổ sung giấy tờ": 5,
    "yêu cầu bổ sung": 5,
    "chờ bổ sung": 5,
    "waiting": 5,
    "yêu cầu thực hiện nghĩa vụ tài chính": 6,
    "chờ thực hiện nghĩa vụ tài chính": 6,
    "chờ thanh toán": 6,
    "paying": 6,
    "công dân yêu cầu rút hồ sơ": 7,
    "rút hồ sơ": 7,
    "đã rút": 7,
    "trả lại": 7,
    "cancelled": 7,
    "canceled": 7,
    "dừng xử lý": 8,
    "unresolved": 8,
    "đã xử lý xong": 9,
    "đã giải quyết": 9,
    "có kết quả": 9,
    "releasing": 9,
    "đã trả kết quả": 10,
    "đã trả": 10,
    "done": 10,
}
TIME_LIMIT_UNITS = {
    "ngày làm việc": "working_days",
    "working days": "working_days",
    "working_days": "working_days",
    "ngày": "days",
    "ngày theo lịch": "days",
    "days": "days",
    "giờ": "hours",
    "giờ làm việc": "hours",
    "hours": "hours",
}
SERVICE_LEVELS = {
    "toàn trình": "full",
    "dvc trực tuyến toàn trình": "full",
    "full": "full",
    "một phần": "partial",
    "dvc trực tuyến một phần": "partial",
    "partial": "partial",
    "cung cấp thông tin": "information",
    "information": "information",
    "mức 1": "level-1",
    "mức 2": "level-2",
    "mức 3": "level-3",
    "mức 4": "level-4",
    "1": "level-1",
    "2": "level-2",
    "3": "level-3",
    "4": "level-4",
}

SMALL = 32767
TEXT = 5000

COLUMNS: tuple[Column, ...] = (
    Column(
        "ma_ho_so",
        ("Mã hồ sơ", "Số biên nhận", "Mã số hồ sơ", "Số hồ sơ", "MaHoSo"),
        "text",
        required=True,
        max_length=64,
    ),
    Column(
        "ma_tthc",
        ("Mã TTHC", "Mã thủ tục", "Mã thủ tục hành chính", "MaTTHC"),
        "text",
        required=True,
        max_length=64,
    ),
    Column(
        "ten_tthc",
        ("Tên TTHC", "Tên thủ tục", "Tên thủ tục hành chính", "Thủ tục hành chính", "TenTTHC"),
        "text",
        max_length=500,
    ),
    Column("ma_linh_vuc", ("Mã lĩnh vực", "MaLinhVuc"), "text", max_length=64),
    Column("ten_linh_vuc", ("Tên lĩnh vực", "Lĩnh vực", "TenLinhVuc"), "text", max_length=300),
    Column(
        "don_vi_tiep_nhan",
        ("Đơn vị tiếp nhận", "Nơi tiếp nhận", "Nơi nộp hồ sơ", "NoiNopHoSo", "DonViTiepNhan"),
        "text",
        max_length=300,
    ),
    Column(
        "co_quan_giai_quyet",
        (
            "Cơ quan chủ trì giải quyết",
            "Cơ quan giải quyết",
            "Đơn vị giải quyết",
            "Đơn vị xử lý",
            "DonViXuLy",
        ),
        "text",
        max_length=300,
    ),
    Column("ma_don_vi", ("Mã đơn vị", "Mã cơ quan", "MaDonVi"), "text", max_length=300),
    Column(
        "kenh_thuc_hien",
        ("Kênh", "Kênh thực hiện", "Kênh nộp", "Hình thức nộp", "KenhThucHien"),
        "enum",
        required=True,
        choices=CHANNELS,
    ),
    Column(
        "muc_do_dvc",
        ("Mức độ DVC", "Mức độ dịch vụ công", "Mức độ", "MucDo"),
        "enum",
        choices=SERVICE_LEVELS,
    ),
    Column(
        "so_bo_ho_so",
        ("Số lượng (bộ)", "Số lượng", "Số bộ hồ sơ", "SoBoHoSo"),
        "int",
        minimum=0,
        maximum=SMALL,
    ),
    Column("ngay_nop", ("Ngày nộp", "Ngày nộp hồ sơ", "NgayNopHoSo"), "datetime"),
    Column(
        "ngay_tiep_nhan",
        (
            "Ngày tiếp nhận",
            "Ngày nhận",
            "Ngày nhận hồ sơ",
            "Ngày tiếp nhận hồ sơ",
            "Nhận hồ sơ",
            "NgayTiepNhan",
        ),
        "datetime",
        required=True,
    ),
    Column(
        "ngay_hen_tra",
        ("Ngày hẹn trả", "Ngày hẹn trả kết quả", "Hẹn trả kết quả", "NgayHenTra"),
        "datetime",
    ),
    Column(
        "thoi_han_gq",
        ("Thời hạn giải quyết", "Thời hạn", "Thời gian giải quyết", "ThoiGianThucHien"),
        "decimal",
        minimum=0,
        maximum=999_999,
    ),
    Column(
        "don_vi_thoi_han",
        ("Đơn vị thời hạn", "Đơn vị thời gian", "LoaiThoiGianThucHien"),
        "enum",
        choices=TIME_LIMIT_UNITS,
    ),
    Column(
        "ngay_ket_thuc_xu_ly",
        (
            "Ngày có kết quả",
            "Ngày kết thúc xử lý",
            "Ngày kết thúc",
            "Ngày xử lý xong",
            "NgayKetThucXuLy",
        ),
        "datetime",
    ),
    Column(
        "ngay_tra",
        ("Ngày trả kết quả", "Ngày trả", "Trả kết quả", "Ngày nhận kết quả", "NgayTra"),
        "datetime",
    ),
    Column(
        "hinh_thuc_tra",
        (
            "Phương thức nhận kết quả",
            "Hình thức trả",
            "Hình thức trả kết quả",
            "HinhThucTra",
            "HinhThuc",
        ),
        "enum",
        choices=RETURN_METHODS,
    ),
    Column(
        "trang_thai",
        ("Trạng thái", "Trạng thái hồ sơ", "TrangThaiHoSo", "TrangThai"),
        "enum",
        required=True,
        choices=STATUSES,
    ),
    Column(
        "so_lan_bo_sung",
        ("Số lần bổ sung", "Số lần yêu cầu bổ sung"),
        "int",
        minimum=0,
        maximum=SMALL,
    ),
    Column("ngay_yc_bo_sung", ("Ngày yêu cầu bổ sung", "NgayYeuCauBoSung"), "datetime"),
    Column(
        "ngay_cong_dan_bo_sung",
        ("Ngày công dân bổ sung", "Ngày bổ sung", "NgayCongDanBoSung"),
        "datetime",
    ),
    Column("ngay_tu_choi", ("Ngày từ chối", "NgayTuChoi"), "datetime"),
    Column("ly_do_tu_choi", ("Lý do từ chối", "LyDoTuChoi"), "text", max_length=TEXT),
    Column(
        "co_van_ban_xin_loi",
        ("Có văn bản xin lỗi", "Văn bản xin lỗi", "Phiếu xin lỗi", "Xin lỗi"),
        "bool",
    ),
    Column(
        "ngay_van_ban_xin_loi",
        ("Ngày văn bản xin lỗi", "Ngày xin lỗi", "Ngày phiếu xin lỗi"),
        "datetime",
    ),
    Column("ngay_hen_tra_moi", ("Ngày hẹn trả mới", "NgayHenTraMoi"), "datetime"),
    Column(
        "da_so_hoa_ho_so",
        ("Đã số hóa hồ sơ", "Số hóa hồ sơ", "Số hóa", "HoSoCoThanhPhanSoHoa"),
        "bool",
    ),
    Column(
        "co_ket_qua_dien_tu",
        ("Có kết quả điện tử", "Kết quả điện tử", "Số hóa kết quả", "DaSoHoaKetQua"),
        "bool",
    ),
    Column(
        "phi_le_phi",
        ("Phí, lệ phí", "Lệ phí", "Phí", "Phí lệ phí (đồng)"),
        "int",
        minimum=0,
        maximum=10**14 - 1,
    ),
    Column(
        "da_thanh_toan_truc_tuyen",
        ("Đã thanh toán trực tuyến", "Thanh toán trực tuyến", "DuocThanhToanTrucTuyen"),
        "bool",
    ),
    Column("mien_phi", ("Miễn phí", "Đối tượng miễn phí"), "bool"),
    Column(
        "danh_gia_hai_long",
        ("Đánh giá", "Đánh giá hài lòng", "Mức độ hài lòng"),
        "text",
        max_length=50,
    ),
    Column("ghi_chu", ("Ghi chú",), "text", max_length=TEXT),
)

# Canonical column → Dossier field (the columns not listed are read and checked only:
# so_bo_ho_so; the unit columns resolve the unit).
FIELDS = {
    "ma_ho_so": "code",
    "ma_tthc": "procedure_code",
    "ten_tthc": "procedure_name",
    "ma_linh_vuc": "field_code",
    "ten_linh_vuc": "field_name",
    "don_vi_tiep_nhan": "receiving_office",
    "co_quan_giai_quyet": "deciding_agency",
    "kenh_thuc_hien": "channel",
    "muc_do_dvc": "service_level",
    "trang_thai": "status",
    "ngay_nop": "submitted_at",
    "ngay_tiep_nhan": "received_at",
    "ngay_hen_tra": "due_at",
    "thoi_han_gq": "time_limit",
    "don_vi_thoi_han": "time_limit_unit",
    "ngay_ket_thuc_xu_ly": "finished_at",
    "ngay_tra": "returned_at",
    "hinh_thuc_tra": "return_method",
    "so_lan_bo_sung": "supplement_count",
    "ngay_yc_bo_sung": "supplement_requested_at",
    "ngay_cong_dan_bo_sung": "supplement_provided_at",
    "ngay_tu_choi": "rejected_at",
    "ly_do_tu_choi": "rejection_reason",
    "co_van_ban_xin_loi": "apology",
    "ngay_van_ban_xin_loi": "apology_at",
    "ngay_hen_tra_moi": "new_due_at",
    "da_so_hoa_ho_so": "digitised",
    "co_ket_qua_dien_tu": "electronic_result",
    "phi_le_phi": "fee",
    "da_thanh_toan_truc_tuyen": "paid_online",
    "mien_phi": "fee_exempt",
    "danh_gia_hai_long": "satisfaction",
    "ghi_chu": "note",
}
# Text fields the model keeps as "" rather than null.
BLANK_TEXT = (
    "procedure_name",
    "field_code",
    "field_name",
    "receiving_office",
    "deciding_agency",
    "service_level",
    "time_limit_unit",
    "rejection_reason",
    "satisfaction",
    "note",
)
# The statuses that end a dossier (withdrawn, stopped, resolved, returned): their end of
# processing is the first of finished > returned > refused (766/QĐ-TTg working document).
ENDED_STATUSES = (7, 8, 9, 10)


def _progress(progress, step: str, done: int, total: int) -> None:
    if progress is not None:
        progress(step, done, total)


def _units_lookup():
    """Normalised code and name → Unit, for the per-row unit columns."""
    from parindex.units.models import Unit

    units = list(Unit.objects.all())
    lookup: dict[str, object] = {}
    for unit in units:
        lookup.setdefault(normalise(unit.name), unit)
    for unit in units:  # a code wins over a name that happens to read the same
        lookup[normalise(unit.code)] = unit
    return lookup


def _resolve_unit(unit):
    """The unit given for the whole file (a Unit or a code), or None."""
    from parindex.units.models import Unit

    if unit is None or isinstance(unit, Unit):
        return unit
    found = Unit.objects.filter(code=str(unit).strip()).first()
    if found is None:
        raise TableError(
            [
                RowProblem(
                    None,
                    None,
                    Message(N_("unit “%(code)s” does not exist"), {"code": str(unit)}),
                )
            ]
        )
    return found


def import_dossiers(
    path,
    *,
    unit=None,
    skip_invalid: bool = False,
    rejected_path=None,
    user=None,
    batch=None,
    progress=None,
    max_bytes: int = MAX_BYTES,
    max_rows: int = MAX_ROWS,
    max_unpacked: int = MAX_XLSX_UNPACKED_BYTES,
):
    """Read, check and load a dossier register file (see the module's docstring). Raises
    TableError when the file is refused; `imports.import_register` wraps it with the
    import record."""
    from parindex.registers.imports import ImportReport

    path = Path(path)
    whole_file_unit = _resolve_unit(unit)
    _progress(progress, "read", 0, 0)
    raw = read_table(
        path, COLUMNS, max_bytes=max_bytes, max_rows=max_rows, max_unpacked=max_unpacked
    )
    total = raw.height
    _progress(progress, "check", 0, total)
    typed, problems = parse(raw, COLUMNS)
    _progress(progress, "check", total // 2, total)
    typed, unit_problems, units = _with_units(raw, typed, whole_file_unit)
    problems += unit_problems
    typed, row_problems = _derive(typed)
    problems += row_problems
    problems += _permission_problems(typed, units, user)
    _progress(progress, "check", total, total)

    bad_rows = {p.row for p in problems if p.row is not None}
    file_problems = [p for p in problems if p.row is None]
    if file_problems or (problems and not skip_invalid):
        raise TableError(problems)
    rejected_file = None
    if bad_rows:
        rejected_file = write_rejected(
            raw, problems, COLUMNS, rejected_path or default_rejected_path(path)
        )
        typed = typed.filter(~pl.col(ROW).is_in(list(bad_rows)))

    frame = _table_frame(typed)
    del raw, typed  # a million rows: keep one copy in memory while loading
    # The file's data-quality findings, read from its rows before they are written.
    findings = quality.check_rows(frame)
    unit_ids = set(frame["unit_id"].unique().to_list()) if frame.height else set()
    batch_id = batch.pk if batch is not None else None
    # One transaction: the rows and the announcement (sent once it commits).
    counts = loading.load_dossiers(
        frame, batch_id, progress, after=lambda: signals.changed(KIND, unit_ids, batch)
    )
    problems.sort(key=lambda p: p.row or 0)
    return ImportReport(
        batch=batch,
        rows=total,
        created=counts.created,
        updated=counts.updated,
        unchanged=counts.unchanged,
        rejected=len(bad_rows),
        rejected_path=rejected_file,
        problems=problems,
        quality=findings,
        unit_ids=unit_ids,
    )


def _with_units(raw: pl.DataFrame, typed: pl.DataFrame, whole_file_unit):
    """Add `unit_id`: the unit given for the file, else the row's `ma_don_vi`, else its
    `co_quan_giai_quyet`, matched to a unit's code or name."""
    problems: list[RowProblem] = []
    if whole_file_unit is not None:
        return (
            typed.with_columns(pl.lit(whole_file_unit.pk, dtype=pl.Int64).alias("unit_id")),
            problems,
            {whole_file_unit.pk: whole_file_unit},
        )
    has_code = raw["ma_don_vi"].null_count() < raw.height
    has_agency = raw["co_quan_giai_quyet"].null_count() < raw.height
    if raw.height and not has_code and not has_agency:
        raise TableError(
            [
                RowProblem(
                    None,
                    "co_quan_giai_quyet",
                    Message(
                        N_(
                            "the file does not say which unit its dossiers belong to: give "
                            "the unit (--unit CODE) or fill the column “co_quan_giai_quyet” "
                            "(Cơ quan chủ trì giải quyết) or “ma_don_vi” (Mã đơn vị)"
                        )
                    ),
                )
            ]
        )
    source = pl.coalesce(pl.col("ma_don_vi"), pl.col("co_quan_giai_quyet"))
    column = pl.when(pl.col("ma_don_vi").is_not_null()).then(pl.lit("ma_don_vi"))
    column = column.otherwise(pl.lit("co_quan_giai_quyet"))
    names = raw.select(ROW, source.alias("name"), column.alias("column"))
    lookup = _units_lookup()
    table = {}
    for value in names["name"].drop_nulls().unique().to_list():
        found = lookup.get(normalise(value))
        if found is not None:
            table[value] = found.pk
    ids = names["name"].replace_strict(table, default=None, return_dtype=pl.Int64)
    unknown = names.filter(ids.is_null())
    for row, value, col in unknown.iter_rows():
        if value is None:
            problems.append(
                RowProblem(
                    row,
                    "co_quan_giai_quyet",
                    Message(N_("the unit is missing (co_quan_giai_quyet or ma_don_vi)")),
                )
            )
        else:
            problems.append(
                cell_problem(row, col, value, Message(N_("no unit has this code or name")))
            )
    units = {unit.pk: unit for unit in lookup.values() if unit.pk in set(table.values())}
    return typed.with_columns(ids.alias("unit_id")), problems, units


def _derive(typed: pl.DataFrame):
    """The year of reception (local), its sanity, and the key's uniqueness in the file."""
    problems: list[RowProblem] = []
    last_year = timezone.localdate().year + 1
    frame = typed.with_columns(
        local_date(typed["ngay_tiep_nhan"]).dt.year().cast(pl.Int64).alias("year"),
    )
    out_of_range = frame.filter(
        pl.col("year").is_not_null() & ~pl.col("year").is_between(FIRST_YEAR, last_year)
    )
    for row, received in out_of_range.select(ROW, "ngay_tiep_nhan").iter_rows():
        local = received.astimezone(dt.timezone(dt.timedelta(hours=7)))
        problems.append(
            cell_problem(
                row,
                "ngay_tiep_nhan",
                local.strftime("%d/%m/%Y %H:%M"),
                Message(
                    N_("the year of reception must be between %(first)s and %(last)s"),
                    {"first": FIRST_YEAR, "last": last_year},
                ),
            )
        )
    # The key within the file: the first occurrence stays, the others are problems.
    keyed = frame.filter(
        pl.col("unit_id").is_not_null()
        & pl.col("year").is_not_null()
        & pl.col("ma_ho_so").is_not_null()
    ).select(
        ROW,
        "ma_ho_so",
        pl.col(ROW).min().over("unit_id", "year", "ma_ho_so").alias("first"),
    )
    duplicates = keyed.filter(pl.col(ROW) != pl.col("first"))
    for row, code, first in duplicates.iter_rows():
        problems.append(
            cell_problem(
                row,
                "ma_ho_so",
                code,
                Message(N_("this dossier is already on row %(row)s"), {"row": first}),
            )
        )
    return frame, problems


def _permission_problems(typed: pl.DataFrame, units: dict, user) -> list[RowProblem]:
    """Rows of a unit whose register the user may not change."""
    if user is None:
        return []
    refused = {}
    for unit_id in typed["unit_id"].drop_nulls().unique().to_list():
        reason = refusal(user, units[unit_id], WRITE, KIND)
        if reason is not None:
            refused[unit_id] = reason
    if not refused:
        return []
    rows = typed.filter(pl.col("unit_id").is_in(list(refused))).select(ROW, "unit_id")
    return [RowProblem(row, None, refused[unit_id]) for row, unit_id in rows.iter_rows()]


def _table_frame(typed: pl.DataFrame) -> pl.DataFrame:
    """The checked rows as the table's columns (loading.COLUMNS but those the load adds)."""
    renamed = typed.rename({column: field for column, field in FIELDS.items()})
    ended = (
        pl.when(pl.col("status").is_in(ENDED_STATUSES))
        .then(pl.coalesce("finished_at", "returned_at", "rejected_at"))
        .otherwise(None)
    )
    frame = renamed.with_columns(
        ended.alias("ended_at"),
        pl.col("supplement_count").fill_null(0),
        pl.col("time_limit").round(2),
        *(pl.col(name).fill_null("") for name in BLANK_TEXT),
    )
    frame = frame.with_columns(
        local_date(frame["received_at"]).alias("received_on"),
        local_date(frame["due_at"]).alias("due_on"),
        local_date(frame["ended_at"]).alias("ended_on"),
    )
    return frame.select(c for c in loading.COLUMNS if c not in loading.ADDED)
