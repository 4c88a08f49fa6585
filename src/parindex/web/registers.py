"""The registers pages: per unit and year, the one-stop table (Biểu II.06a) with the dossiers
behind each number, the rates with their parts, the other registers' indicators, monthly
charts and the data-quality findings.

Every number comes from `registers.indicators` and every list behind a number from its
`dossiers_in`, which filters with the very conditions the counts use. Who may read a unit's
registers is `registers.access`'s decision; anybody else gets "not found".
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from parindex.domain import indicators as ind
from parindex.domain.i18n import Message
from parindex.domain.numbers import format_number
from parindex.messages import render as render_message
from parindex.registers import access, small
from parindex.registers.dossiers import COLUMNS as DOSSIER_COLUMNS
from parindex.registers.indicators import compute, dossier_years, dossiers_in, drill_conditions
from parindex.registers.models import Channel, RegisterKind, Status
from parindex.registers.quality import check_dossiers
from parindex.units.models import Unit
from parindex.web.home import show_registers_menu
from parindex.web.views import bad_request

PAGE_SIZE = 50
MAX_EXPORT_ROWS = 1_048_000  # one Excel sheet

# The lists a page links to, as people read them.
LISTS = {
    "received_total": N_("Dossiers to handle (received and carried over)"),
    "received": N_("Dossiers received in the period"),
    "received_online": N_("Received online in the period"),
    "received_direct_postal": N_("Received at the desk or by post in the period"),
    "carried_over": N_("Carried over from before the period"),
    "resolved": N_("Resolved"),
    ind.EARLY: N_("Resolved early"),
    "early_or_on_time": N_("Resolved early or on time"),
    # Column 9 of Biểu II.06a may count the withdrawn dossiers as on time (the national
    # report's choice, an option); the class itself never does.
    "on_time_06a": N_("Resolved on time, as column 9 of Biểu II.06a counts them"),
    ind.ON_TIME: N_("Resolved on time"),
    ind.LATE: N_("Resolved late"),
    ind.WITHDRAWN: N_("Withdrawn"),
    "in_time_766": N_(
        "Resolved early or on time, withdrawn, or being resolved within the deadline (766)"
    ),
    "pending": N_("Being resolved"),
    ind.PENDING_WITHIN: N_("Being resolved, within the deadline"),
    ind.PENDING_OVER: N_("Being resolved, overdue"),
    "overdue": N_("Overdue (resolved late or pending overdue)"),
    "apologised": N_("Resolved late with an apology letter in time"),
    "overdue_apologised": N_("Overdue with an apology letter in time"),
    "postal": N_("Received or returned by post"),
    "postal_received": N_("Received by post"),
    "returned": N_("Results returned"),
    "postal_returned": N_("Results returned by post"),
    "digitised": N_("Digitised"),
    "electronic_results": N_("With an electronic result"),
    "fee_payable": N_("With a fee to pay"),
    "paid_online": N_("Fee paid online"),
    "disliked": N_("Rated unsatisfied"),
}
# The name of each list's Excel file (then the unit and the year): Vietnamese without
# diacritics, as a file name travels (e-mail, Zalo, a USB stick).
LIST_FILES = {
    "received_total": "ho-so-phai-giai-quyet",
    "received": "ho-so-tiep-nhan-trong-ky",
    "received_online": "ho-so-tiep-nhan-truc-tuyen",
    "received_direct_postal": "ho-so-tiep-nhan-truc-tiep-buu-chinh",
    "carried_over": "ho-so-ky-truoc-chuyen-sang",
    "resolved": "ho-so-da-giai-quyet",
    ind.EARLY: "ho-so-truoc-han",
    "early_or_on_time": "ho-so-truoc-han-dung-han",
    "on_time_06a": "ho-so-dung-han-bieu-06a",
    ind.ON_TIME: "ho-so-dung-han",
    ind.LATE: "ho-so-tre-han",
    ind.WITHDRAWN: "ho-so-rut",
    "in_time_766": "ho-so-dung-han-766",
    "pending": "ho-so-dang-giai-quyet",
    ind.PENDING_WITHIN: "ho-so-dang-giai-quyet-trong-han",
    ind.PENDING_OVER: "ho-so-dang-giai-quyet-qua-han",
    "overdue": "ho-so-qua-han",
    "apologised": "ho-so-tre-han-co-xin-loi",
    "overdue_apologised": "ho-so-qua-han-co-xin-loi",
    "postal": "ho-so-buu-chinh",
    "postal_received": "ho-so-tiep-nhan-buu-chinh",
    "returned": "ho-so-da-tra-ket-qua",
    "postal_returned": "ho-so-tra-ket-qua-buu-chinh",
    "digitised": "ho-so-so-hoa",
    "electronic_results": "ho-so-ket-qua-dien-tu",
    "fee_payable": "ho-so-co-phi-le-phi",
    "paid_online": "ho-so-thanh-toan-truc-tuyen",
    "disliked": "ho-so-khong-hai-long",
}
# The registers besides the dossiers', each with a page of its rows (web.register_rows).
OTHER_REGISTERS = [
    (label, kind) for kind, label in RegisterKind.choices if kind != RegisterKind.DOSSIERS
]
# The list behind a count indicator of the dossier register.
INDICATOR_LISTS = {
    "dossiers.received": "received",
    "dossiers.total": "received_total",
    "dossiers.resolved": "resolved",
    "dossiers.late": ind.LATE,
    "dossiers.overdue": "overdue",
    "dossiers.online": "received_online",
    "dossiers.on_time": "early_or_on_time",
    **{f"dossiers.{name}": name for name in ind.FLAGGED_COUNTS},
}
# The lists behind the numerator and the denominator of each 766 point of the dossier
# register (`domain.indicators.figures`), where one list holds them. The satisfaction's
# numerator is no list: the dossiers to handle less those overdue or rated unsatisfied,
# counted apart (a dossier may be both).
POINTS_LISTS = {
    "766.progress": ("in_time_766", "received_total"),
    "766.online": ("received_online", "received"),
    "766.online_payment": ("paid_online", "fee_payable"),
    "766.electronic_results": ("electronic_results", "resolved"),
    "766.satisfaction": (None, "received_total"),
}
# How the charts write a percentage: as the tables do (`format_number`, then " %").
PERCENT = {"decimal": ",", "suffix": " %", "places": 1}
MONTHS = 12


def columns_of(kind: str):
    """A register's file columns: the very definitions its import reads."""
    return DOSSIER_COLUMNS if kind == RegisterKind.DOSSIERS else small.FORMATS[kind].columns


def headers_of(kind: str) -> dict[str, str]:
    """Each column of a register's file (canonical name) → its Vietnamese header, as a file
    has it: how the pages name a column."""
    return {column.name: column.header for column in columns_of(kind)}


def shown_findings(findings: list[dict]) -> list[dict]:
    """Data-quality findings (on dossiers) as the pages list them: each example's column by
    its header."""
    headers = headers_of(RegisterKind.DOSSIERS)
    return [
        {
            **finding,
            "examples": [
                {**e, "header": headers.get(e.get("column"), e.get("column"))}
                for e in finding.get("examples", ())
            ],
        }
        for finding in findings
    ]


def _unit(request, code: str) -> Unit:
    unit = Unit.objects.filter(code=code).select_related("parent", "parent__parent").first()
    if unit is None or access.refusal(request.user, unit, access.READ, RegisterKind.DOSSIERS):
        raise Http404
    show_registers_menu(request)
    return unit


def _year(value) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 2000 <= year <= 2100:
        raise Http404
    return year


def _optional_url(name: str, *args, **query) -> str | None:
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return None
    if query:
        from urllib.parse import urlencode

        url += "?" + urlencode(query)
    return url


@login_required
def index(request):
    """The units whose registers the user reads, and the years their dossiers cover."""
    units = access.readable_units(request.user)
    years = dossier_years(unit.pk for unit in units)
    this_year = timezone.localdate().year
    rows = [
        {
            "unit": unit,
            "years": years.get(unit.pk, []),
            "current": this_year,
            "rows_links": [
                (label, _optional_url("web:register-rows", unit.code, kind))
                for label, kind in OTHER_REGISTERS
            ],
        }
        for unit in units
    ]
    return render(
        request,
        "web/registers/index.html",
        {
            "rows": rows,
            # Offered only to whom the import page takes a file from.
            "import_url": _optional_url("web:register-import")
            if access.writable_units(request.user)
            else None,
        },
    )


def _period(request, year: int) -> tuple[date, date] | None:
    """The year, or ?from=&to= (dd/mm/yyyy) inside it; None when the dates are not dates."""
    start, end = ind.period_of_year(year)
    raw_start, raw_end = request.GET.get("from", "").strip(), request.GET.get("to", "").strip()
    try:
        if raw_start:
            start = datetime.strptime(raw_start, "%d/%m/%Y").date()
        if raw_end:
            end = datetime.strptime(raw_end, "%d/%m/%Y").date()
    except ValueError:
        return None
    year_start, year_end = ind.period_of_year(year)
    # The page is a year's (its title, its months, its data quality): a period inside it.
    if end < start or start < year_start or end > year_end:
        return None
    return start, end


def _points_text(value, maximum) -> str:
    """Points out of their maximum ("17,5/20 điểm"), or saying that there is none."""
    if maximum is None:
        return _("%(points)s points (no maximum set)") % {"points": format_number(value, 2)}
    return _("%(points)s/%(maximum)s points") % {
        "points": format_number(value, 2),
        "maximum": format_number(maximum, 2),
    }


def _parts_lists(info: ind.IndicatorInfo) -> tuple[str | None, str | None]:
    """The lists of dossiers behind a figure's numerator and denominator, where one holds
    them (a name of `drill_conditions`)."""
    if info.kind == ind.POINTS:
        return POINTS_LISTS.get(info.name, (None, None))
    return INDICATOR_LISTS.get(info.numerator), INDICATOR_LISTS.get(info.denominator)


def _figure_text(figure: ind.Figure, info: ind.IndicatorInfo) -> dict:
    """A figure as the page shows it: the value and, for a rate or points, its parts with
    the lists of dossiers behind them."""
    if figure.value is None:
        value = "—"
    elif info.kind == ind.RATIO:
        value = format_number(figure.value * 100, 2) + " %"
    elif info.kind == ind.POINTS:
        value = _points_text(figure.value, info.maximum)
    else:
        value = format_number(figure.value, 0)
    numerator = denominator = parts = ""
    numerator_list = denominator_list = None
    if info.kind != ind.COUNT and figure.denominator is not None:
        numerator = format_number(figure.numerator, 0)
        denominator = format_number(figure.denominator, 0)
        parts = f"{numerator} / {denominator}"
        if info.register == ind.DOSSIERS:
            numerator_list, denominator_list = _parts_lists(info)
    return {
        "title": render_message(Message(info.title)),
        "value": value,
        "parts": parts,
        "numerator": numerator,
        "denominator": denominator,
        # The dossiers behind the numerator and the denominator, where one list holds them.
        "list": numerator_list,
        "denominator_list": denominator_list,
        "name": info.name,
    }


def _monthly(unit: Unit, start: date, end: date) -> list[dict]:
    """Per month of the period: the on-time rate of what was resolved that month and the
    channel shares of what was received, from the same engine as the table."""
    months = []
    cursor = date(start.year, start.month, 1)
    while cursor <= end and len(months) < MONTHS * 3:
        following = date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
        first, last = max(cursor, start), min(end, following - timedelta(days=1))
        months.append((cursor, first, last))
        cursor = following
    found = []
    for month, first, last in months:
        result = compute([unit], first, last).get(unit.pk)
        table = result.table_06a if result else {}
        figures = result.figures if result else {}
        received = figures.get("dossiers.received")
        online = figures.get("dossiers.online")
        postal = figures.get("dossiers.postal_received")
        rate = figures.get("dossiers.on_time_rate")

        def share(part, whole=received):
            if part is None or whole is None or not whole.value:
                return None
            return float(part.value / whole.value * 100)

        online_share, postal_share = share(online), share(postal)
        found.append(
            {
                "label": month.strftime("%m/%Y"),
                "resolved": table.get("col7", 0),
                "received": int(received.value) if received and received.value else 0,
                "on_time": float(rate.value * 100) if rate and rate.value is not None else None,
                "online": online_share,
                "postal": postal_share,
                "direct": (100 - online_share - postal_share)
                if online_share is not None and postal_share is not None
                else None,
            }
        )
    return found


@login_required
def unit_year(request, code: str, year: int):
    unit = _unit(request, code)
    year = _year(year)
    period = _period(request, year)
    if period is None:
        return bad_request(request, _("The period is not two dates dd/mm/yyyy in the year."))
    start, end = period
    result = compute([unit], start, end).get(unit.pk)
    table = []
    figures = []
    if result is not None:
        for key, group, label in ind.TABLE_06A:
            table.append(
                {
                    "key": key,
                    "group": render_message(Message(group)),
                    "label": render_message(Message(label)),
                    "value": result.table_06a.get(key),
                    "list": ind.COLUMN_CLASSES[key],
                }
            )
        for name, figure in result.figures.items():
            info = ind.INDICATORS[name]
            if info.kind == ind.COUNT and info.register == ind.DOSSIERS:
                continue
            text = _figure_text(figure, info)
            text["register"] = info.register
            text["kept"] = result.has_data.get(info.register, False)
            figures.append(text)
    has_dossiers = bool(result and result.has_data.get(ind.DOSSIERS))
    monthly = _monthly(unit, start, end) if has_dossiers else []
    quality = (
        shown_findings([f.as_dict() for f in check_dossiers([unit.pk], year)])
        if has_dossiers
        else []
    )
    query = {}
    if request.GET.get("from") or request.GET.get("to"):
        query = {"from": start.strftime("%d/%m/%Y"), "to": end.strftime("%d/%m/%Y")}
    return render(
        request,
        "web/registers/unit.html",
        {
            "unit": unit,
            "year": year,
            "start": start,
            "end": end,
            "table": table,
            "figures": figures,
            "kept_figures": [f for f in figures if f.get("kept")],
            "other_registers": OTHER_REGISTERS,
            "has_dossiers": has_dossiers,
            "monthly": monthly,
            "chart": {
                "labels": [m["label"] for m in monthly],
                "on_time": [m["on_time"] for m in monthly],
                "online": [m["online"] for m in monthly],
                "direct": [m["direct"] for m in monthly],
                "postal": [m["postal"] for m in monthly],
                "percent": PERCENT,
                "names": {
                    "on_time": _("Resolved early or on time"),
                    "online": _("Online"),
                    "direct": _("At the desk"),
                    "postal": _("By post"),
                },
            },
            "quality": quality,
            "query": "&".join(f"{k}={v}" for k, v in query.items()),
            "import_url": _optional_url("web:register-import", kind="dossiers", unit=unit.code)
            if access.refusal(request.user, unit, access.WRITE, RegisterKind.DOSSIERS) is None
            else None,
        },
    )


def _filtered(request, unit: Unit, start: date, end: date):
    """The dossiers behind a number with the page's filters, or an error text."""
    name = request.GET.get("list", "received_total")
    if name not in drill_conditions(start, end):
        return None, name, _("Unknown list.")
    rows = dossiers_in(unit, start, end, name)
    channel = request.GET.get("channel", "")
    if channel:
        if channel not in {str(c) for c in Channel.values}:
            return None, name, _("Unknown channel.")
        rows = rows.filter(channel=int(channel))
    status = request.GET.get("status", "")
    if status:
        if status not in {str(s) for s in Status.values}:
            return None, name, _("Unknown status.")
        rows = rows.filter(status=int(status))
    text = request.GET.get("q", "").strip()[:64]
    if text:
        rows = rows.filter(code__icontains=text) | rows.filter(procedure_code__icontains=text)
    return rows.order_by("received_at", "code"), name, None


@login_required
def dossier_list(request, code: str, year: int):
    unit = _unit(request, code)
    year = _year(year)
    period = _period(request, year)
    if period is None:
        return bad_request(request, _("The period is not two dates dd/mm/yyyy in the year."))
    start, end = period
    rows, name, problem = _filtered(request, unit, start, end)
    if problem:
        return bad_request(request, problem)
    if request.GET.get("format") == "xlsx":
        return _export(unit, year, name, rows)
    paginator = Paginator(rows.select_related(None), PAGE_SIZE)
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        return bad_request(request, _("The page is not a number."))
    if not 1 <= number <= max(1, paginator.num_pages):
        raise Http404
    page = paginator.page(number)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(
        request,
        "web/registers/dossiers.html",
        {
            "unit": unit,
            "year": year,
            "start": start,
            "end": end,
            "name": name,
            "title": render_message(Message(LISTS.get(name, name))),
            "page": page,
            "lists": [(key, render_message(Message(label))) for key, label in LISTS.items()],
            "channels": Channel.choices,
            "statuses": Status.choices,
            "filters": request.GET,
            "query": query.urlencode(),
        },
    )


def _export(unit: Unit, year: int, name: str, rows) -> HttpResponse:
    """The whole filtered list as an Excel workbook, written row by row (constant memory)."""
    import io

    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": False})
    sheet = book.add_worksheet(_("Dossiers"))
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    when = book.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    headers = [
        _("Dossier code"),
        _("Procedure code"),
        _("Procedure"),
        _("Channel"),
        _("Status"),
        _("Received"),
        _("Due"),
        _("Processing finished"),
        _("Result returned"),
        _("Supplement requests"),
        _("Apology letter"),
    ]
    for column, header in enumerate(headers):
        sheet.write(0, column, header, bold)
    sheet.set_column(0, 0, 28)
    sheet.set_column(2, 2, 40)
    sheet.set_column(5, 8, 17)
    channels = dict(Channel.choices)
    statuses = dict(Status.choices)
    fields = (
        "code",
        "procedure_code",
        "procedure_name",
        "channel",
        "status",
        "received_at",
        "due_at",
        "finished_at",
        "returned_at",
        "supplement_count",
        "apology",
    )
    for number, values in enumerate(rows.values_list(*fields)[:MAX_EXPORT_ROWS].iterator(), 1):
        (code, procedure, procedure_name, channel, status, *instants, supplements, apology) = values
        sheet.write_string(number, 0, code)
        sheet.write_string(number, 1, procedure)
        sheet.write_string(number, 2, procedure_name)
        sheet.write_string(number, 3, str(channels.get(channel, channel)))
        sheet.write_string(number, 4, f"{status} — {statuses.get(status, '')}")
        for offset, instant in enumerate(instants):
            if instant is not None:
                local = timezone.localtime(instant).replace(tzinfo=None)
                sheet.write_datetime(number, 5 + offset, local, when)
        sheet.write_number(number, 9, supplements)
        if apology is not None:
            sheet.write_string(number, 10, _("yes") if apology else _("no"))
    book.close()
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{LIST_FILES[name]}-{unit.code}-{year}.xlsx"'
    )
    return response


urls = [
    path("registers/", index, name="registers"),
    path("registers/<str:code>/<int:year>/", unit_year, name="registers-unit"),
    path("registers/<str:code>/<int:year>/dossiers/", dossier_list, name="registers-dossiers"),
]
