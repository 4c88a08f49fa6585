"""A realistic synthetic dossier register, for the benchmark, the demo and tests.

Deterministic (a seed), vectorised (Polars; a million dossiers in a few seconds) and in the
import format of docs/registers-format.md: dossiers received on working days in office hours
(none on Tết or any other day off of `domain.calendar`), due dates computed from each
procedure's time limit in working days, a mix of early / on-time / late results, every channel
and status, supplements, apology letters for most late dossiers, digitised dossiers, fees, a few
dossiers carried over from the previous year and some still pending at the year's end. Random
numbers are hashes of the row number and the seed: the same arguments give the same file.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from parindex.domain.calendar import WorkingCalendar

# Procedures of a Sở Y tế (code, name, field, time limit in working days).
PROCEDURES = (
    ("1.004616", "Cấp chứng chỉ hành nghề khám bệnh, chữa bệnh", "Khám bệnh, chữa bệnh", 20),
    ("1.004606", "Cấp lại chứng chỉ hành nghề khám bệnh, chữa bệnh", "Khám bệnh, chữa bệnh", 10),
    ("1.003967", "Cấp giấy phép hoạt động phòng khám chuyên khoa", "Khám bệnh, chữa bệnh", 30),
    ("1.002166", "Cấp chứng chỉ hành nghề dược", "Dược phẩm", 20),
    ("1.002162", "Cấp giấy chứng nhận đủ điều kiện kinh doanh dược", "Dược phẩm", 20),
    ("1.001924", "Cấp giấy xác nhận nội dung quảng cáo mỹ phẩm", "Mỹ phẩm", 10),
    ("1.001831", "Cấp giấy tiếp nhận bản công bố sản phẩm thực phẩm", "An toàn thực phẩm", 7),
    (
        "2.000655",
        "Cấp giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm",
        "An toàn thực phẩm",
        15,
    ),
    ("1.002464", "Cấp giấy chứng sinh (cấp lại)", "Dân số - Sức khỏe sinh sản", 3),
    ("1.003100", "Cấp giấy chứng nhận đủ điều kiện xét nghiệm HIV", "Y tế dự phòng", 15),
    (
        "1.002180",
        "Công bố cơ sở đủ điều kiện sản xuất trang thiết bị y tế",
        "Trang thiết bị y tế",
        5,
    ),
    ("1.001512", "Cấp giấy khám sức khỏe cho người lái xe", "Khám bệnh, chữa bệnh", 1),
)
FIELDS = {name: f"{index + 1:03d}" for index, name in enumerate(sorted({p[2] for p in PROCEDURES}))}

OFFICE_MINUTES = 420  # 07:00–11:30 and 13:30–17:00
MORNING_MINUTES = 270


def _uniform(seed: int, salt: int) -> pl.Expr:
    """A deterministic uniform number in [0, 1) per row."""
    hashed = pl.int_range(pl.len(), dtype=pl.UInt64).hash(seed * 7919 + salt).hash(salt + 1)
    return (hashed % 1_000_003) / 1_000_003


def dossiers(
    n: int,
    units: list[str],
    year: int,
    *,
    seed: int = 1,
    calendar: WorkingCalendar | None = None,
    carried_over: float = 0.02,
) -> pl.DataFrame:
    """`n` dossiers of `units` (unit codes) received in `year` (a share `carried_over` in the
    last weeks of the previous year), columns as the import reads them, dates as Python
    datetimes (see `write` for the text forms)."""
    if n < 1 or not units:
        raise ValueError("at least one dossier and one unit")
    calendar = calendar or WorkingCalendar()
    days = calendar.working_days(date(year - 1, 11, 1), date(year + 1, 12, 31))
    first = days.index(calendar.start_day(date(year, 1, 1)))
    last = days.index(max(d for d in days if d.year == year))
    day_series = pl.Series("day", days, dtype=pl.Date)
    procedures = pl.DataFrame(
        {
            "p": list(range(len(PROCEDURES))),
            "ma_tthc": [p[0] for p in PROCEDURES],
            "ten_tthc": [p[1] for p in PROCEDURES],
            "ten_linh_vuc": [p[2] for p in PROCEDURES],
            "ma_linh_vuc": [FIELDS[p[2]] for p in PROCEDURES],
            "limit": [p[3] for p in PROCEDURES],
        },
        schema_overrides={"p": pl.Int64, "limit": pl.Int64},
    )
    unit_frame = pl.DataFrame({"u": list(range(len(units))), "co_quan_giai_quyet": units})
    u = [_uniform(seed, salt) for salt in range(16)]
    frame = (
        pl.DataFrame({"i": pl.int_range(n, eager=True)})
        .with_columns(
            u=(pl.col("i") % len(units)).cast(pl.Int64),
            # Most procedures are the common ones (a skewed choice).
            p=(u[0].pow(1.6) * len(PROCEDURES)).floor().cast(pl.Int64),
            carried=u[1] < carried_over,
            r_day=u[2],
            minute=(u[3] * OFFICE_MINUTES).floor().cast(pl.Int64),
            r_channel=u[4],
            r_outcome=u[5],
            r_offset=u[6],
            r_status=u[7],
            r_return=u[8],
            r_supplement=u[9],
            r_apology=u[10],
            r_digitised=u[11],
            r_fee=u[12],
            r_paid=u[13],
            r_returned_after=u[14],
        )
        .join(procedures, on="p", how="left")
        .join(unit_frame, on="u", how="left")
    )
    span = last - first + 1
    frame = frame.with_columns(
        day_index=pl.when(pl.col("carried"))
        .then(first - 1 - (pl.col("r_day") * 25).floor().cast(pl.Int64))
        .otherwise(first + (pl.col("r_day") * span).floor().cast(pl.Int64)),
        channel=pl.when(pl.col("r_channel") < 0.42)
        .then(2)
        .when(pl.col("r_channel") < 0.52)
        .then(3)
        .otherwise(1),
        # Early 60 %, on time 35 %, late 5 %: an offset in working days from the due date.
        offset=pl.when(pl.col("r_outcome") < 0.60)
        .then(-(1 + (pl.col("r_offset") * (pl.col("limit") - 1).clip(0)).floor().cast(pl.Int64)))
        .when(pl.col("r_outcome") < 0.95)
        .then(0)
        .otherwise(1 + (pl.col("r_offset") * 10).floor().cast(pl.Int64)),
    )
    frame = frame.with_columns(
        offset=pl.max_horizontal(pl.col("offset"), -pl.col("limit")),
        due_index=pl.col("day_index") + pl.col("limit"),
    ).with_columns(
        end_index=pl.col("due_index") + pl.col("offset"),
        return_index=pl.col("due_index")
        + pl.col("offset")
        + (pl.col("r_returned_after") * 3).floor().cast(pl.Int64),
    )
    frame = frame.with_columns(
        received_day=day_series.gather(frame["day_index"]),
        due_day=day_series.gather(frame["due_index"]),
        end_day=day_series.gather(frame["end_index"].clip(0, len(days) - 1)),
        return_day=day_series.gather(frame["return_index"].clip(0, len(days) - 1)),
    )
    year_end = date(year, 12, 31)
    minute = pl.col("minute")
    received_time = (
        pl.when(minute < MORNING_MINUTES)
        .then(minute + 7 * 60)
        .otherwise(minute - MORNING_MINUTES + 13 * 60 + 30)
    )
    frame = frame.with_columns(
        received=pl.col("received_day").cast(pl.Datetime("us"))
        + pl.duration(minutes=received_time),
        due=pl.col("due_day").cast(pl.Datetime("us")) + pl.duration(hours=17),
        end_of_day=pl.col("end_day").cast(pl.Datetime("us")) + pl.duration(hours=15, minutes=30),
        return_of_day=pl.col("return_day").cast(pl.Datetime("us")) + pl.duration(hours=16),
        open_at_year_end=pl.col("end_day") > year_end,
    )
    # A dossier resolved on the day it came ends after it came; its result goes back after.
    frame = frame.with_columns(
        ended=pl.max_horizontal(pl.col("end_of_day"), pl.col("received") + pl.duration(minutes=30))
    ).with_columns(returned=pl.max_horizontal(pl.col("return_of_day"), pl.col("ended")))
    status = (
        pl.when(pl.col("r_status") < 0.005)
        .then(3)  # not received at the desk
        .when((pl.col("r_status") < 0.01) & (pl.col("channel") == 2))
        .then(1)  # submitted online, never received
        .when(pl.col("r_status") < 0.03)
        .then(7)  # withdrawn
        .when(pl.col("r_status") < 0.04)
        .then(8)  # stopped
        .when(pl.col("open_at_year_end"))
        .then(
            pl.when(pl.col("r_status") < 0.25)
            .then(5)
            .when(pl.col("r_status") < 0.3)
            .then(6)
            .when(pl.col("r_status") < 0.6)
            .then(2)
            .otherwise(4)
        )
        .when(pl.col("r_status") < 0.85)
        .then(10)
        .otherwise(9)
    )
    frame = frame.with_columns(trang_thai=status)
    ended_statuses = pl.col("trang_thai").is_in([7, 8, 9, 10])
    late = pl.col("offset") > 0
    frame = frame.with_columns(
        seq=pl.int_range(pl.len()).over(["u", "received_day"]) + 1,
        ngay_ket_thuc_xu_ly=pl.when(ended_statuses).then(pl.col("ended")),
        ngay_tra=pl.when(pl.col("trang_thai") == 10).then(pl.col("returned")),
        hinh_thuc_tra=pl.when(pl.col("trang_thai") != 10)
        .then(None)
        .when(pl.col("r_return") < 0.12)
        .then(3)
        .when((pl.col("channel") == 2) & (pl.col("r_return") < 0.6))
        .then(2)
        .otherwise(1),
        so_lan_bo_sung=pl.when(pl.col("r_supplement") < 0.02)
        .then(2)
        .when(pl.col("r_supplement") < 0.12)
        .then(1)
        .otherwise(0),
        co_van_ban_xin_loi=late & ended_statuses & (pl.col("r_apology") < 0.7),
        da_so_hoa_ho_so=pl.col("r_digitised") < 0.6,
        co_ket_qua_dien_tu=ended_statuses & (pl.col("r_digitised") < 0.4),
        phi_le_phi=pl.when(pl.col("r_fee") < 0.4)
        .then((pl.col("r_fee") * 1_000_000).floor().cast(pl.Int64) * 1000 + 100_000)
        .otherwise(0),
        mien_phi=pl.col("r_fee") > 0.95,
        da_thanh_toan_truc_tuyen=(pl.col("r_fee") < 0.4)
        & (pl.col("channel") == 2)
        & (pl.col("r_paid") < 0.5),
    )
    frame = frame.with_columns(
        ngay_van_ban_xin_loi=pl.when(pl.col("co_van_ban_xin_loi")).then(
            pl.col("due") - pl.duration(days=1)
        ),
        ngay_hen_tra_moi=pl.when(pl.col("co_van_ban_xin_loi")).then(pl.col("ended")),
        ma_ho_so=pl.format(
            "000.{}.{}.H38-{}-{}",
            (pl.col("u") // 100).cast(pl.String).str.zfill(2),
            (pl.col("u") % 100).cast(pl.String).str.zfill(2),
            pl.col("received_day").dt.strftime("%y%m%d"),
            pl.col("seq").cast(pl.String).str.zfill(4),
        ),
    )
    return frame.select(
        "ma_ho_so",
        "ma_tthc",
        "ten_tthc",
        "ma_linh_vuc",
        "ten_linh_vuc",
        "co_quan_giai_quyet",
        pl.col("channel").alias("kenh_thuc_hien"),
        pl.col("received").alias("ngay_tiep_nhan"),
        pl.col("due").alias("ngay_hen_tra"),
        pl.col("limit").alias("thoi_han_gq"),
        pl.lit("ngày làm việc").alias("don_vi_thoi_han"),
        "ngay_ket_thuc_xu_ly",
        "ngay_tra",
        "hinh_thuc_tra",
        "trang_thai",
        "so_lan_bo_sung",
        "co_van_ban_xin_loi",
        "ngay_van_ban_xin_loi",
        "ngay_hen_tra_moi",
        "da_so_hoa_ho_so",
        "co_ket_qua_dien_tu",
        "phi_le_phi",
        "da_thanh_toan_truc_tuyen",
        "mien_phi",
    )


DATE_FORMATS = {
    "vn": "%d/%m/%Y %H:%M:%S",  # what a desk officer's export shows
    "iso": "%Y-%m-%dT%H:%M:%S",
    "compact": "%Y%m%d%H%M%S",  # the DVCQG sync standard
}


def as_text(frame: pl.DataFrame, date_format: str = "vn") -> pl.DataFrame:
    """The frame with dates written in one of the accepted forms and flags as có/không."""
    pattern = DATE_FORMATS[date_format]
    return frame.with_columns(
        pl.col(pl.Datetime).dt.strftime(pattern),
        pl.col(pl.Boolean).replace_strict({True: "có", False: "không"}, return_dtype=pl.String),
    )


def write(frame: pl.DataFrame, path: str | Path, date_format: str = "vn") -> Path:
    """A CSV (UTF-8, comma) or XLSX file, by the path's extension."""
    path = Path(path)
    text = as_text(frame, date_format)
    if path.suffix.lower() == ".xlsx":
        text.write_excel(path, worksheet="Sổ theo dõi hồ sơ")
    else:
        text.write_csv(path)
    return path
