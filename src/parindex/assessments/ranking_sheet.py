"""A framework's ranking as an Excel workbook: one sheet per peer group, for the leader's
report and the province's tables.

Numbers are written as numbers (a reader sorts, sums and charts them), with formats that show
them the Vietnamese way in a Vietnamese Excel or LibreOffice (the decimal separator is the
reader's): points with two or three decimals, the index as a percentage. The headers are in
the user's language; a title row names the framework, the peer group and the day it was made.
A provisional ranking (finalised units not yet published) says so in its title, in its file
name and on every unit it adds.
"""

from __future__ import annotations

import io
import re
from datetime import date

import xlsxwriter
from django.utils.translation import gettext as _

from parindex.domain.comparison import ranked
from parindex.domain.numbers import DISPLAY_PLACES, quantize
from parindex.domain.scoring import Results, UnitResult

POINTS = "#,##0.00#"  # 81.779 → "81,779" in a Vietnamese reader; 5 → "5,00"
PERCENT = "0.00%"
CHANGE = "+#,##0.00#;-#,##0.00#;0"
CHANGE_PCT = "+0.00;-0.00;0"


def ranking_workbook(
    results: Results,
    groups: list[tuple[str, str]],
    *,
    title: str,
    provisional: bool,
    today: date,
) -> bytes:
    """The ranking of each peer group in `groups` ((code, name) pairs) as a sheet: rank,
    unit, total, maximum, index, band, each area's points and rank, last year's total and the
    change. `title`: the framework's title."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    styles = _styles(book)
    names: set[str] = set()
    for code, name in groups:
        rows = [r for r in results.units if r.unit.group == code]
        if not rows:
            continue
        sheet = book.add_worksheet(_sheet_name(name or code, names))
        _write_group(sheet, styles, results, name or code, rows, title, provisional, today)
    if not names:  # no group has results: one sheet that says so
        sheet = book.add_worksheet(_("Ranking"))
        sheet.write_string(0, 0, _("No published results yet."), styles["title"])
    book.close()
    return buffer.getvalue()


def sheet_filename(results: Results, groups: list[tuple[str, str]], *, provisional: bool) -> str:
    """ASCII, for every browser and file system: xep-hang-so-2022-so-nganh.xlsx."""
    parts = [_("ranking"), results.framework.code]
    if len(groups) == 1:
        parts.append(groups[0][0])
    if provisional:
        parts.append(_("provisional"))
    text = "-".join(parts)
    text = re.sub(r"[^A-Za-z0-9._-]+", "-", _ascii(text)).strip("-")
    return f"{text or 'ranking'}.xlsx"


def _ascii(text: str) -> str:
    import unicodedata

    text = text.replace("đ", "d").replace("Đ", "D")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _sheet_name(name: str, taken: set[str]) -> str:
    # Sheet names: at most 31 characters, none of []:*?/\ , unique regardless of case.
    base = re.sub(r"[\[\]:*?/\\]", "-", name).strip("'")[:31] or "Sheet"
    candidate, n = base, 2
    while candidate.lower() in taken:
        suffix = f" ({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate.lower())
    return candidate


def _styles(book) -> dict:
    return {
        "title": book.add_format({"bold": True, "font_size": 14}),
        "subtitle": book.add_format({"italic": True, "font_color": "#444444"}),
        "warning": book.add_format({"bold": True, "font_color": "#B42318"}),
        "head": book.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"}
        ),
        "text": book.add_format({"valign": "top"}),
        "rank": book.add_format({"num_format": "0", "align": "center", "valign": "top"}),
        "points": book.add_format({"num_format": POINTS, "valign": "top"}),
        "percent": book.add_format({"num_format": PERCENT, "valign": "top"}),
        "change": book.add_format({"num_format": CHANGE, "valign": "top"}),
        "change_pct": book.add_format({"num_format": CHANGE_PCT, "valign": "top"}),
        "mark": book.add_format({"font_color": "#A35B00", "valign": "top"}),
    }


def _number(sheet, row, col, value, style, places: int = DISPLAY_PLACES):
    """`value` rounded half up to `places` decimals, as the pages show it: the cell holds the
    figure shown (not the exact one, which the reader's rounding of a binary float could show
    differently), so that the change column is the difference of the columns beside it."""
    if value is None:
        sheet.write_blank(row, col, None, style)
    else:
        sheet.write_number(row, col, float(quantize(value, places)), style)


def _share(index_pct):
    """An index % as the fraction a percentage format shows (81,779% → 0.81779): kept at
    the 3 decimals ranks compare, the format shows 2."""
    return None if index_pct is None else quantize(index_pct) / 100


def _write_group(sheet, styles, results, group_name, rows, title, provisional, today):
    framework = results.framework
    previous = results.previous_framework
    previous_year = str(previous.year) if previous else ""
    if previous is not None and previous.year == framework.year:
        previous_year = previous.code
    alone = len(rows) == 1
    heading = _("Ranking of the PAR index %(year)s — %(group)s") % {
        "year": framework.year,
        "group": group_name,
    }
    if provisional:
        heading = _("PROVISIONAL — %(heading)s") % {"heading": heading}
    sheet.write_string(0, 0, heading, styles["title"])
    sheet.write_string(
        1,
        0,
        _("%(title)s · made on %(date)s") % {"title": title, "date": today.strftime("%d/%m/%Y")},
        styles["subtitle"],
    )
    line = 2
    if provisional:
        sheet.write_string(
            line,
            0,
            _(
                "Provisional: includes the units whose appraisal is finished but whose results "
                "are not published yet; may still change. For the CCHC officer only."
            ),
            styles["warning"],
        )
        line += 1
    if alone:
        sheet.write_string(line, 0, _("Not ranked: the group has only 1 unit."), styles["warning"])
        line += 1
    header_row = line + 1

    headers = [
        (_("Rank"), 7),
        (_("Unit code"), 11),
        (_("Unit"), 34),
        (_("Total"), 10),
        (_("Maximum"), 10),
        (_("Index (%)"), 10),
        (_("Band"), 13),
    ]
    for node in framework.nodes:
        headers.append(
            (_("%(code)s. %(title)s (points)") % {"code": node.code, "title": node.title}, 16)
        )
        headers.append((_("Rank in area %(code)s") % {"code": node.code}, 9))
    if previous is not None:
        headers += [
            (_("Total %(year)s") % {"year": previous_year}, 11),
            (_("Maximum %(year)s") % {"year": previous_year}, 11),
            (_("Index %(year)s (%%)") % {"year": previous_year}, 11),
            (_("Change (points)"), 11),
            (_("Change (pct points of the maximum)"), 14),
        ]
    if provisional:
        headers.append((_("Note"), 14))
    for col, (text, width) in enumerate(headers):
        sheet.write_string(header_row, col, text, styles["head"])
        sheet.set_column(col, col, width)
    sheet.set_row(header_row, 48)
    sheet.freeze_panes(header_row + 1, 3)

    for offset, result in enumerate(rows, start=1):
        _write_row(sheet, styles, header_row + offset, result, results, previous, provisional)
    last = header_row + len(rows)
    sheet.autofilter(header_row, 0, last, len(headers) - 1)


def _write_row(sheet, styles, row, result: UnitResult, results, previous, provisional):
    score = result.score
    col = 0
    if ranked(result.place):
        sheet.write_number(row, col, result.place.rank, styles["rank"])
    else:
        sheet.write_blank(row, col, None, styles["rank"])
    sheet.write_string(row, 1, result.unit.code, styles["text"])
    sheet.write_string(row, 2, result.unit.name, styles["text"])
    _number(sheet, row, 3, score.total, styles["points"])
    _number(sheet, row, 4, score.max, styles["points"])
    _number(sheet, row, 5, _share(score.index_pct), styles["percent"], DISPLAY_PLACES + 2)
    sheet.write_string(row, 6, score.band or "", styles["text"])
    col = 7
    for node in result.nodes:
        _number(sheet, row, col, node.score, styles["points"])
        if ranked(node.place):
            sheet.write_number(row, col + 1, node.place.rank, styles["rank"])
        else:
            sheet.write_blank(row, col + 1, None, styles["rank"])
        col += 2
    if previous is not None:
        change = result.change
        last = result.previous
        _number(sheet, row, col, last.total if last else None, styles["points"])
        _number(sheet, row, col + 1, last.max if last else None, styles["points"])
        last_index = _share(last.index_pct if last else None)
        _number(sheet, row, col + 2, last_index, styles["percent"], DISPLAY_PLACES + 2)
        _number(sheet, row, col + 3, change.points if change else None, styles["change"])
        pct = change.pct_points if change else None
        _number(sheet, row, col + 4, pct, styles["change_pct"], 2)
        col += 5
    if provisional:
        if result.unit.code in results.provisional:
            sheet.write_string(row, col, _("provisional"), styles["mark"])
        else:
            sheet.write_blank(row, col, None, styles["text"])
