"""Charts for the documents, where a reader would rather look than read: matplotlib's
object API (no pyplot: safe in the server's threads), drawn to PNG at print resolution, the
numbers on them written the Vietnamese way."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

from parindex.domain.numbers import format_number


@dataclass(frozen=True)
class Chart:
    """A picture for a template's placeholder ({{ chart }}): `render` makes it an image of
    `width_mm` in the document."""

    png: bytes
    width_mm: float = 150


def area_chart(areas: list[tuple[str, Decimal, Decimal]], title: str) -> Chart:
    """Each area's points as a share of its maximum, one bar per area ((code, points, max))."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.3, 0.42 * len(areas) + 1.0), dpi=200)
    axes = figure.add_subplot()
    codes = [code for code, _p, _m in areas][::-1]
    shares = [float(p / m * 100) if m else 0.0 for _c, p, m in areas][::-1]
    bars = axes.barh(codes, shares, color="#1f5fa8", height=0.6)
    axes.barh(codes, [100 - s for s in shares], left=shares, color="#e3e9f2", height=0.6)
    for bar, (_code, points, maximum) in zip(bars, areas[::-1], strict=True):
        axes.text(
            101,
            bar.get_y() + bar.get_height() / 2,
            f"{format_number(points)}/{format_number(maximum)}",
            va="center",
            fontsize=8,
        )
    _percent_axis(axes, 118, fontsize=8)
    axes.tick_params(axis="y", labelsize=8)
    axes.set_title(title, fontsize=9)
    return _png(figure, axes)


def _percent_axis(axes, right: float, *, fontsize: int) -> None:
    """0–100 % along the bottom, room on the right for the bars' labels."""
    axes.set_xlim(0, right)
    axes.set_xticks(
        [0, 25, 50, 75, 100], ["0 %", "25 %", "50 %", "75 %", "100 %"], fontsize=fontsize
    )


def _png(figure, *axes) -> Chart:
    for one in axes:
        for side in ("top", "right"):
            one.spines[side].set_visible(False)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return Chart(out.getvalue())


def dossier_chart(
    resolved: list[tuple[str, int]], shares: list[tuple[str, Decimal]], titles: tuple[str, str]
) -> Chart:
    """The one-stop year at a glance: the resolved dossiers split early / on time / late (one
    100 % bar, each part with its count), and the channel shares (online, postal) as bars."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.3, 2.9), dpi=200)
    top, bottom = figure.subplots(2, 1, height_ratios=(1, 1.3))
    whole = sum(count for _label, count in resolved) or 1
    left = 0.0
    colours = ("#2e7d32", "#1f5fa8", "#c62828")
    for (label, count), colour in zip(resolved, colours, strict=False):
        share = count * 100 / whole
        top.barh([0], [share], left=left, color=colour, height=0.6, label=label)
        if share >= 6:
            top.text(
                left + share / 2,
                0,
                format_number(count, 0),
                ha="center",
                va="center",
                color="white",
                fontsize=8,
            )
        left += share
    _percent_axis(top, 100, fontsize=7)
    top.set_yticks([])
    top.set_title(titles[0], fontsize=9)
    top.legend(loc="upper center", bbox_to_anchor=(0.5, -0.35), ncol=3, fontsize=7, frameon=False)
    labels = [label for label, _pct in shares][::-1]
    values = [float(pct) for _label, pct in shares][::-1]
    bars = bottom.barh(labels, values, color="#1f5fa8", height=0.55)
    bottom.barh(labels, [100 - v for v in values], left=values, color="#e3e9f2", height=0.55)
    for bar, (_label, pct) in zip(bars, shares[::-1], strict=True):
        bottom.text(
            101,
            bar.get_y() + bar.get_height() / 2,
            format_number(pct, 2) + " %",
            va="center",
            fontsize=8,
        )
    _percent_axis(bottom, 118, fontsize=7)
    bottom.tick_params(axis="y", labelsize=8)
    bottom.set_title(titles[1], fontsize=9)
    return _png(figure, top, bottom)
