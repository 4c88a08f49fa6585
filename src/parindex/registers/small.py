"""The four small registers a unit keeps — citizen feedback (phản ánh, kiến nghị), directive
tasks, required reports and the yearly CCHC plan's tasks — and their import.

Same quality as the dossier import: CSV or XLSX read as text and typed by `registers.reading`
(Vietnamese headers, dd/mm/yyyy dates, words for booleans and states), every bad cell reported
with its row, column, value and reason, the whole file refused or (`skip_invalid`) the bad rows
put aside in a CSV with their reasons, all or nothing, and idempotent: rows are created or
updated by their natural key, and importing the same file again changes nothing. These files
are kept by hand, so a date that contradicts another (handled before received) refuses the row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl
from django.db import transaction

from parindex.domain.i18n import Message
from parindex.domain.i18n import gettext_noop as N_
from parindex.registers import signals
from parindex.registers.access import WRITE, refusal
from parindex.registers.models import (
    DirectiveTask,
    Feedback,
    PlanTask,
    RegisterKind,
    RequiredReport,
)
from parindex.registers.reading import (
    ROW,
    Column,
    cell_problem,
    default_rejected_path,
    normalise,
    parse,
    read_table,
    write_rejected,
)
from parindex.tables import RowProblem, TableError

MAX_ROWS = 100_000
MAX_BYTES = 50 * 2**20

UNIT = Column("ma_don_vi", ("Mã đơn vị", "Đơn vị", "Đơn vị thực hiện"), "text", max_length=300)
NOTE = Column("ghi_chu", ("Ghi chú",), "text", max_length=2000)
TASK_STATES = {
    "đang thực hiện": "open",
    "chưa hoàn thành": "open",
    "đang làm": "open",
    "open": "open",
    "đã hoàn thành": "done",
    "hoàn thành": "done",
    "done": "done",
    "hủy": "cancelled",
    "huỷ": "cancelled",
    "đã hủy": "cancelled",
    "không thực hiện": "cancelled",
    "cancelled": "cancelled",
}
FEEDBACK_OUTCOMES = {
    "đang xử lý": "pending",
    "chưa xử lý": "pending",
    "pending": "pending",
    "đã xử lý": "handled",
    "đã giải quyết": "handled",
    "handled": "handled",
    "không tiếp nhận": "rejected",
    "từ chối": "rejected",
    "rejected": "rejected",
    "chuyển": "transferred",
    "đã chuyển": "transferred",
    "transferred": "transferred",
}


@dataclass(frozen=True)
class Check:
    """A contradiction between the columns of a row that refuses it."""

    test: Callable[[], pl.Expr]  # true where the row is wrong
    column: str
    message: str  # msgid


@dataclass(frozen=True)
class Format:
    kind: str
    model: type
    columns: tuple[Column, ...]
    fields: dict[str, str]  # column → model field
    key: tuple[str, ...]  # model fields that, with the unit, name a row
    checks: tuple[Check, ...] = ()
    defaults: dict[str, Callable[[pl.DataFrame], pl.Expr]] = field(default_factory=dict)


def _before(later: str, earlier: str) -> Callable[[], pl.Expr]:
    return lambda: pl.col(later) < pl.col(earlier)


FEEDBACK = Format(
    RegisterKind.FEEDBACK,
    Feedback,
    (
        Column(
            "ma_pakn", ("Mã PAKN", "Mã phản ánh", "Số hiệu", "Mã số"), "text", True, max_length=64
        ),
        Column("ngay_tiep_nhan", ("Ngày tiếp nhận", "Ngày nhận"), "date", True),
        Column("han_xu_ly", ("Hạn xử lý", "Hạn giải quyết", "Thời hạn xử lý"), "date"),
        Column("ngay_xu_ly", ("Ngày xử lý", "Ngày hoàn thành", "Ngày trả lời"), "date"),
        Column("ngay_cong_khai", ("Ngày công khai",), "date"),
        Column("kenh", ("Kênh", "Kênh tiếp nhận", "Hình thức tiếp nhận"), "text", max_length=100),
        Column("lien_quan_tthc", ("Liên quan TTHC", "Về TTHC"), "bool"),
        Column("noi_dung", ("Nội dung", "Nội dung phản ánh"), "text", max_length=5000),
        Column(
            "ket_qua", ("Kết quả", "Kết quả xử lý", "Trạng thái"), "enum", choices=FEEDBACK_OUTCOMES
        ),
        Column("hai_long", ("Hài lòng", "Người gửi hài lòng"), "bool"),
        NOTE,
        UNIT,
    ),
    {
        "ma_pakn": "code",
        "ngay_tiep_nhan": "received_on",
        "han_xu_ly": "due_on",
        "ngay_xu_ly": "handled_on",
        "ngay_cong_khai": "published_on",
        "kenh": "channel",
        "lien_quan_tthc": "about_procedure",
        "noi_dung": "content",
        "ket_qua": "outcome",
        "hai_long": "satisfied",
        "ghi_chu": "note",
    },
    ("code",),
    (
        Check(
            _before("ngay_xu_ly", "ngay_tiep_nhan"),
            "ngay_xu_ly",
            N_("handled before it was received"),
        ),
        Check(
            _before("han_xu_ly", "ngay_tiep_nhan"), "han_xu_ly", N_("due before it was received")
        ),
        Check(
            _before("ngay_cong_khai", "ngay_tiep_nhan"),
            "ngay_cong_khai",
            N_("published before it was received"),
        ),
    ),
    {
        "about_procedure": lambda f: pl.col("about_procedure").fill_null(True),
        "outcome": lambda f: pl.col("outcome").fill_null(
            pl.when(pl.col("handled_on").is_not_null())
            .then(pl.lit("handled"))
            .otherwise(pl.lit("pending"))
        ),
    },
)

DIRECTIVES = Format(
    RegisterKind.DIRECTIVES,
    DirectiveTask,
    (
        Column("ma_nhiem_vu", ("Mã nhiệm vụ", "Số thứ tự nhiệm vụ"), "text", True, max_length=64),
        Column(
            "so_van_ban",
            ("Số văn bản", "Số, ký hiệu văn bản", "Văn bản giao"),
            "text",
            True,
            max_length=100,
        ),
        Column("ngay_van_ban", ("Ngày văn bản", "Ngày ban hành"), "date"),
        Column(
            "co_quan_giao",
            ("Cơ quan giao", "Người giao", "Cơ quan ban hành"),
            "text",
            max_length=300,
        ),
        Column(
            "noi_dung", ("Nội dung", "Nội dung nhiệm vụ", "Nhiệm vụ"), "text", True, max_length=5000
        ),
        Column("han_hoan_thanh", ("Hạn hoàn thành", "Thời hạn"), "date", True),
        Column("ngay_hoan_thanh", ("Ngày hoàn thành",), "date"),
        Column("trang_thai", ("Trạng thái", "Tình trạng"), "enum", choices=TASK_STATES),
        NOTE,
        UNIT,
    ),
    {
        "ma_nhiem_vu": "code",
        "so_van_ban": "document_number",
        "ngay_van_ban": "document_date",
        "co_quan_giao": "issuer",
        "noi_dung": "task",
        "han_hoan_thanh": "deadline",
        "ngay_hoan_thanh": "completed_on",
        "trang_thai": "state",
        "ghi_chu": "note",
    },
    ("code",),
    (
        Check(
            _before("ngay_hoan_thanh", "ngay_van_ban"),
            "ngay_hoan_thanh",
            N_("completed before the document assigning it"),
        ),
        Check(
            _before("han_hoan_thanh", "ngay_van_ban"),
            "han_hoan_thanh",
            N_("deadline before the document assigning it"),
        ),
        Check(
            lambda: (pl.col("trang_thai") == "done") & pl.col("ngay_hoan_thanh").is_null(),
            "ngay_hoan_thanh",
            N_("a task done needs the date it was completed"),
        ),
    ),
    {"state": lambda f: _state_default("completed_on")},
)

REPORTS = Format(
    RegisterKind.REPORTS,
    RequiredReport,
    (
        Column(
            "loai_bao_cao", ("Loại báo cáo", "Tên báo cáo", "Báo cáo"), "text", True, max_length=200
        ),
        Column("ky_bao_cao", ("Kỳ báo cáo", "Kỳ"), "text", True, max_length=50),
        Column("han_gui", ("Hạn gửi", "Thời hạn gửi", "Hạn nộp"), "date", True),
        Column("ngay_gui", ("Ngày gửi", "Ngày nộp"), "date"),
        Column("so_van_ban", ("Số văn bản", "Số, ký hiệu văn bản"), "text", max_length=100),
        NOTE,
        UNIT,
    ),
    {
        "loai_bao_cao": "kind",
        "ky_bao_cao": "period",
        "han_gui": "due_on",
        "ngay_gui": "sent_on",
        "so_van_ban": "document_number",
        "ghi_chu": "note",
    },
    ("kind", "period"),
)

PLAN_TASKS = Format(
    RegisterKind.PLAN_TASKS,
    PlanTask,
    (
        Column("nam", ("Năm", "Năm kế hoạch"), "int", True, minimum=2000, maximum=2100),
        Column("ma_nhiem_vu", ("Mã nhiệm vụ", "STT", "Số thứ tự"), "text", True, max_length=64),
        Column(
            "noi_dung", ("Nội dung", "Nhiệm vụ", "Nội dung nhiệm vụ"), "text", True, max_length=5000
        ),
        Column("han_hoan_thanh", ("Hạn hoàn thành", "Thời hạn"), "date"),
        Column("ngay_hoan_thanh", ("Ngày hoàn thành",), "date"),
        Column("trang_thai", ("Trạng thái", "Tình trạng"), "enum", choices=TASK_STATES),
        NOTE,
        UNIT,
    ),
    {
        "nam": "year",
        "ma_nhiem_vu": "code",
        "noi_dung": "title",
        "han_hoan_thanh": "deadline",
        "ngay_hoan_thanh": "done_on",
        "trang_thai": "state",
        "ghi_chu": "note",
    },
    ("year", "code"),
    (
        Check(
            lambda: (pl.col("trang_thai") == "done") & pl.col("ngay_hoan_thanh").is_null(),
            "ngay_hoan_thanh",
            N_("a task done needs the date it was completed"),
        ),
    ),
    {"state": lambda f: _state_default("done_on")},
)

FORMATS = {f.kind: f for f in (FEEDBACK, DIRECTIVES, REPORTS, PLAN_TASKS)}
TEXT_FIELDS = {"channel", "content", "note", "issuer", "document_number", "procedure_name"}


def _state_default(done_field: str) -> pl.Expr:
    done = pl.when(pl.col(done_field).is_not_null()).then(pl.lit("done")).otherwise(pl.lit("open"))
    return pl.col("state").fill_null(done)


def _unit_ids(raw: pl.DataFrame, whole_file_unit) -> tuple[pl.Series, list[RowProblem], dict]:
    """The unit of each row: the one given for the file, else the row's ma_don_vi (a unit
    code or name)."""
    from parindex.registers.dossiers import _units_lookup

    if whole_file_unit is not None:
        ids = pl.Series("unit_id", [whole_file_unit.pk] * raw.height, dtype=pl.Int64)
        return ids, [], {whole_file_unit.pk: whole_file_unit}
    if raw.height and raw["ma_don_vi"].null_count() == raw.height:
        raise TableError(
            [
                RowProblem(
                    None,
                    "ma_don_vi",
                    Message(
                        N_(
                            "the file does not say which unit its rows belong to: give the "
                            "unit (--unit CODE) or fill the column “ma_don_vi” (Mã đơn vị)"
                        )
                    ),
                )
            ]
        )
    lookup = _units_lookup()
    table = {}
    problems = []
    for value in raw["ma_don_vi"].drop_nulls().unique().to_list():
        found = lookup.get(normalise(value))
        if found is not None:
            table[value] = found.pk
    ids = raw["ma_don_vi"].replace_strict(table, default=None, return_dtype=pl.Int64)
    for row, value in raw.select(ROW, "ma_don_vi").filter(ids.is_null()).iter_rows():
        if value is None:
            problems.append(RowProblem(row, "ma_don_vi", Message(N_("the unit is missing"))))
        else:
            problems.append(
                cell_problem(row, "ma_don_vi", value, Message(N_("no unit has this code or name")))
            )
    units = {u.pk: u for u in lookup.values() if u.pk in set(table.values())}
    return ids.alias("unit_id"), problems, units


def _rows(spec: Format, typed: pl.DataFrame) -> list[dict]:
    """The checked rows as model field values (a few hundred rows: a list is fine)."""
    frame = typed.rename(spec.fields)
    for name, default in spec.defaults.items():
        frame = frame.with_columns(default(frame).alias(name))
    frame = frame.with_columns(
        pl.col(name).fill_null("") for name in TEXT_FIELDS & set(frame.columns)
    )
    keep = [ROW, "unit_id", *spec.fields.values()]
    return frame.select(keep).to_dicts()


def import_small(
    kind: str,
    path,
    *,
    unit=None,
    skip_invalid: bool = False,
    rejected_path=None,
    user=None,
    actor: str = "",
    batch=None,
    progress=None,
    max_bytes: int | None = None,
    max_rows: int | None = None,
    max_unpacked: int | None = None,
):
    """Import a file into one of the small registers (see the module's docstring); the
    import record and the report as `registers.imports.import_register` gives them."""
    from parindex.registers import imports
    from parindex.registers.dossiers import _resolve_unit

    spec = FORMATS[kind]
    path = Path(path)
    options = {"skip_invalid": bool(skip_invalid)}
    record = imports.start_batch(
        kind, path, unit=unit, user=user, actor=actor, batch=batch, options=options
    )
    try:
        report = _import(
            spec,
            path,
            unit=_resolve_unit(unit),
            skip_invalid=skip_invalid,
            rejected_path=rejected_path,
            user=user,
            batch=record,
            progress=progress,
            max_bytes=min(max_bytes or MAX_BYTES, MAX_BYTES),
            max_rows=min(max_rows or MAX_ROWS, MAX_ROWS),
            max_unpacked=max_unpacked or 4 * MAX_BYTES,
        )
    except TableError as exc:
        record.sha256 = imports.sha256_of(path)
        imports.fail_batch(record, exc.problems)
        raise imports.RegisterRefused(exc.problems, record) from None
    record.sha256 = imports.sha256_of(path)
    imports.finish_batch(report)
    return report


def _import(
    spec,
    path,
    *,
    unit,
    skip_invalid,
    rejected_path,
    user,
    batch,
    progress,
    max_bytes,
    max_rows,
    max_unpacked,
):
    from parindex.registers.imports import ImportReport

    if progress:
        progress("read", 0, 0)
    raw = read_table(
        path, spec.columns, max_bytes=max_bytes, max_rows=max_rows, max_unpacked=max_unpacked
    )
    typed, problems = parse(raw, spec.columns)
    unit_ids, unit_problems, units = _unit_ids(raw, unit)
    problems += unit_problems
    typed = typed.with_columns(unit_ids)
    for check in spec.checks:
        wrong = typed.filter(check.test().fill_null(False))
        as_written = dict(raw.select(ROW, check.column).iter_rows())  # the value as typed
        for row in wrong[ROW].to_list():
            problems.append(
                cell_problem(row, check.column, as_written.get(row), Message(check.message))
            )
    # The natural key twice in the file.
    key_columns = ["unit_id", *(c for c, f in spec.fields.items() if f in spec.key)]
    seen = typed.filter(pl.all_horizontal(pl.col(c).is_not_null() for c in key_columns))
    first = seen.group_by(key_columns).agg(pl.col(ROW).min().alias("first"))
    twice = seen.join(first, on=key_columns).filter(pl.col(ROW) != pl.col("first"))
    for row, earlier in twice.select(ROW, "first").iter_rows():
        problems.append(
            RowProblem(row, key_columns[1], Message(N_("already on row %(row)s"), {"row": earlier}))
        )
    if user is not None:
        for unit_id, unit_obj in units.items():
            reason = refusal(user, unit_obj, WRITE, spec.kind)
            if reason is not None:
                rows = typed.filter(pl.col("unit_id") == unit_id)[ROW].to_list()
                problems += [RowProblem(row, None, reason) for row in rows]
    problems.sort(key=lambda p: p.row or 0)
    bad_rows = {p.row for p in problems if p.row is not None}
    file_problems = [p for p in problems if p.row is None]
    if file_problems or (problems and not skip_invalid):
        raise TableError(problems)
    rejected_file = None
    if bad_rows:
        rejected_file = write_rejected(
            raw, problems, spec.columns, rejected_path or default_rejected_path(path)
        )
    rows = [r for r in _rows(spec, typed) if r[ROW] not in bad_rows]
    created, updated, unchanged = _save(spec, rows, batch)
    touched = {r["unit_id"] for r in rows}
    if touched:
        signals.changed(spec.kind, touched, batch)
    return ImportReport(
        batch=batch,
        rows=raw.height,
        created=created,
        updated=updated,
        unchanged=unchanged,
        rejected=len(bad_rows),
        rejected_path=rejected_file,
        problems=problems,
        unit_ids=touched,
    )


@transaction.atomic
def _save(spec: Format, rows: list[dict], batch) -> tuple[int, int, int]:
    """Create or update by the natural key; unchanged rows are left alone."""
    model = spec.model
    fields = [f for f in spec.fields.values()]
    existing = {}
    for obj in model.objects.filter(unit_id__in={r["unit_id"] for r in rows}):
        existing[(obj.unit_id, *(getattr(obj, k) for k in spec.key))] = obj
    create, update = [], []
    unchanged = 0
    for row in rows:
        values = {f: row[f] for f in fields}
        key = (row["unit_id"], *(values[k] for k in spec.key))
        obj = existing.get(key)
        if obj is None:
            create.append(model(unit_id=row["unit_id"], batch=batch, **values))
            continue
        if all(_same(getattr(obj, f), v) for f, v in values.items()):
            unchanged += 1
            continue
        for f, v in values.items():
            setattr(obj, f, v)
        obj.batch = batch
        update.append(obj)
    model.objects.bulk_create(create)
    if update:
        model.objects.bulk_update(update, [*fields, "batch"])
    return len(create), len(update), unchanged


def _same(stored, new) -> bool:
    if isinstance(stored, date) and isinstance(new, date):
        return stored == new
    return stored == new or (stored in ("", None) and new in ("", None))


# --- one row at a time: the web forms ----------------------------------------------------------


def row_values(spec: Format, instance) -> dict[str, str]:
    """A stored row as the texts a form shows (dates dd/mm/yyyy, booleans có/không)."""
    values = {}
    for column in spec.columns:
        name = spec.fields.get(column.name)
        if name is None:
            continue
        value = getattr(instance, name)
        if value is None:
            text = ""
        elif isinstance(value, bool):
            text = "có" if value else "không"
        elif isinstance(value, date):
            text = value.strftime("%d/%m/%Y")
        else:
            text = str(value)
        values[column.name] = text
    return values


def save_row(user, kind: str, unit, values: dict[str, str], instance=None):
    """Create or change one row of a small register as a person typed it, with the very
    rules of the import (typing, checks, the key once per unit) and the same permission;
    raises TableError (row None) with every problem, by column."""
    from django.contrib.admin.models import ADDITION, CHANGE, LogEntry

    spec = FORMATS[kind]
    reason = refusal(user, unit, WRITE, kind)
    if reason is not None:
        raise TableError([RowProblem(None, None, reason)])
    columns = [c for c in spec.columns if c.name != "ma_don_vi"]
    raw = pl.DataFrame(
        {ROW: [1], **{c.name: [(values.get(c.name) or "").strip() or None] for c in columns}},
        schema={ROW: pl.Int64, **{c.name: pl.String for c in columns}},
    )
    typed, problems = parse(raw, columns)
    typed = typed.with_columns(pl.lit(unit.pk, dtype=pl.Int64).alias("unit_id"))
    for check in spec.checks:
        if typed.filter(check.test().fill_null(False)).height:
            problems.append(
                cell_problem(1, check.column, raw[check.column][0], Message(check.message))
            )
    if problems:
        raise TableError([RowProblem(None, p.column, p.message) for p in problems])
    row = _rows(spec, typed)[0]
    fields = {name: row[name] for name in spec.fields.values()}
    key = {name: fields[name] for name in spec.key}
    clash = spec.model.objects.filter(unit=unit, **key)
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if clash.exists():
        column = next(c for c, f in spec.fields.items() if f == spec.key[-1])
        raise TableError(
            [RowProblem(None, column, Message(N_("the register already holds this one")))]
        )
    with transaction.atomic():
        if instance is None:
            instance = spec.model.objects.create(unit=unit, **fields)
            flag = ADDITION
        else:
            for name, value in fields.items():
                setattr(instance, name, value)
            instance.batch = None  # typed, not imported
            instance.save()
            flag = CHANGE
        LogEntry.objects.log_actions(user.pk, [instance], flag, single_object=True)
        signals.changed(kind, {unit.pk})
    return instance


def delete_row(user, kind: str, instance) -> None:
    from django.contrib.admin.models import DELETION, LogEntry

    reason = refusal(user, instance.unit, WRITE, kind)
    if reason is not None:
        raise TableError([RowProblem(None, None, reason)])
    with transaction.atomic():
        LogEntry.objects.log_actions(user.pk, [instance], DELETION, single_object=True)
        unit_id = instance.unit_id
        instance.delete()
        signals.changed(kind, {unit_id})
