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
    axes.set_xlim(0, 118)
    axes.set_xticks([0, 25, 50, 75, 100], ["0 %", "25 %", "50 %", "75 %", "100 %"], fontsize=8)
    axes.tick_params(axis="y", labelsize=8)
    axes.set_title(title, fontsize=9)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return Chart(out.getvalue())
