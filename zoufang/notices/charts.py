"""Charts for notices and bulletins as PNG (matplotlib Agg, object-oriented API, CJK font).

Only `matplotlib.figure.Figure` with an Agg canvas is used, never pyplot: no window opens and
no global figure state is shared between requests. Fonts are passed to every text element
explicitly instead of changing `rcParams`. Rendering is serialised by a module lock because
matplotlib's text and font caches are not documented as thread-safe.
"""

from __future__ import annotations

import functools
import io
import math
import threading
from collections.abc import Mapping, Sequence

from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

__all__ = [
    "CJK_FONT_FAMILIES",
    "bar_chart_png",
    "cjk_font_family",
    "line_chart_png",
    "missing_glyphs",
]

#: CJK families tried in order; the first installed one covering `_PROBE` is used.
CJK_FONT_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Noto Serif CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Source Han Serif SC",
    "Source Han Serif CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Noto Sans CJK TC",
    "Noto Sans CJK JP",
)
_PROBE = "江州市公安局大走访开门评活动通报统计数量（户）：一二三"
_DPI = 200
_BAR_COLOR = "#2F5597"
_SERIES_COLORS = ("#2F5597", "#C00000", "#548235", "#BF9000", "#7030A0", "#404040")
_RENDER_LOCK = threading.Lock()
_MM_PER_INCH = 25.4


@functools.cache
def cjk_font_family() -> str:
    """The installed CJK font family used for charts; RuntimeError if there is none."""
    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    for family in CJK_FONT_FAMILIES:
        if family in installed and not _missing(family, _PROBE):
            return family
    raise RuntimeError(
        "No CJK font for charts: install one (Debian/Ubuntu: `apt-get install fonts-noto-cjk`), "
        "then remove matplotlib's font cache (~/.cache/matplotlib) so that it is found."
    )


def missing_glyphs(*, text: str) -> str:
    """The characters of `text` (whitespace aside) that the chart font cannot draw."""
    return _missing(cjk_font_family(), text)


def bar_chart_png(
    *,
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    unit: str = "",
    width_mm: float = 150,
    horizontal: bool = True,
) -> bytes:
    """A bar chart as PNG, `width_mm` wide at 200 dpi; horizontal bars run top to bottom."""
    if len(labels) != len(values):
        raise ValueError(f"{len(labels)} labels but {len(values)} values")
    _check_width(width_mm)
    n = len(labels)
    height_mm = min(max(30.0 + 7.5 * n, 60.0), 200.0) if horizontal else width_mm * 0.62
    family = cjk_font_family()
    font = FontProperties(family=family)
    tick_pt = 10.0 if n <= 20 else max(6.0, 10.0 - (n - 20) * 0.15)
    nums = [float(v) for v in values]
    with _RENDER_LOCK:
        fig = _figure(width_mm=width_mm, height_mm=height_mm)
        ax = fig.add_subplot()
        ax.set_title(title, fontproperties=font, fontsize=12)
        if not n:
            _no_data(ax, font)
            return _png(fig)
        positions = list(range(n))
        if horizontal:
            bars = ax.barh(positions, nums, color=_BAR_COLOR, height=0.6)
            ax.set_yticks(positions, list(labels))
            ax.invert_yaxis()
            ax.grid(axis="x", color="#D9D9D9", linewidth=0.6, linestyle="--")
            if unit:
                ax.set_xlabel(f"单位：{unit}", fontproperties=font, fontsize=9)
            ax.margins(x=0.12)
        else:
            bars = ax.bar(positions, nums, color=_BAR_COLOR, width=0.6)
            rotate = n > 6 or max(len(label) for label in labels) > 5
            ax.set_xticks(
                positions,
                list(labels),
                rotation=45 if rotate else 0,
                ha="right" if rotate else "center",
                rotation_mode="anchor",
            )
            ax.grid(axis="y", color="#D9D9D9", linewidth=0.6, linestyle="--")
            if unit:
                ax.set_title(f"单位：{unit}", loc="left", fontproperties=font, fontsize=9)
            ax.margins(y=0.12)
        ax.set_axisbelow(True)
        ax.tick_params(labelsize=tick_pt, labelfontfamily=family)
        ax.bar_label(
            bars,
            labels=[_number(v) for v in nums],
            padding=2,
            fontsize=max(6.0, tick_pt - 1),
            fontfamily=family,
        )
        _plain_spines(ax)
        return _png(fig)


def line_chart_png(
    *,
    title: str,
    categories: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    unit: str = "",
    width_mm: float = 150,
) -> bytes:
    """A line chart as PNG (e.g. a trend over campaign phases), one line per series.

    `None` values leave a gap. Points are labelled while the chart stays small.
    """
    for name, points in series.items():
        if len(points) != len(categories):
            raise ValueError(f"series {name!r} has {len(points)} points for {len(categories)}")
    _check_width(width_mm)
    family = cjk_font_family()
    font = FontProperties(family=family)
    label_points = len(categories) * len(series) <= 24
    with _RENDER_LOCK:
        fig = _figure(width_mm=width_mm, height_mm=width_mm * 0.6)
        ax = fig.add_subplot()
        ax.set_title(title, fontproperties=font, fontsize=12)
        if not categories or not series:
            _no_data(ax, font)
            return _png(fig)
        xs = list(range(len(categories)))
        for i, (name, points) in enumerate(series.items()):
            ys = [math.nan if p is None else float(p) for p in points]
            color = _SERIES_COLORS[i % len(_SERIES_COLORS)]
            ax.plot(xs, ys, marker="o", markersize=4, linewidth=1.6, color=color, label=name)
            if label_points:
                for x, y in zip(xs, ys, strict=True):
                    if not math.isnan(y):
                        ax.annotate(
                            _number(y),
                            (x, y),
                            xytext=(0, 5),
                            textcoords="offset points",
                            ha="center",
                            fontsize=8,
                            fontfamily=family,
                            color=color,
                        )
        rotate = len(categories) > 8 or max(len(c) for c in categories) > 6
        ax.set_xticks(
            xs,
            list(categories),
            rotation=30 if rotate else 0,
            ha="right" if rotate else "center",
            rotation_mode="anchor",
        )
        ax.tick_params(labelsize=9, labelfontfamily=family)
        ax.grid(axis="y", color="#D9D9D9", linewidth=0.6, linestyle="--")
        ax.margins(y=0.15)
        if unit:
            ax.set_title(f"单位：{unit}", loc="left", fontproperties=font, fontsize=9)
        if len(series) > 1:
            ax.legend(prop=FontProperties(family=family, size=9), frameon=False)
        _plain_spines(ax)
        return _png(fig)


def _missing(family: str, text: str) -> str:
    """The characters of `text` (whitespace aside) without a glyph in `family`."""
    path = font_manager.findfont(FontProperties(family=family), fallback_to_default=False)
    face = font_manager.get_font(path)
    seen: list[str] = []
    for char in text:
        if char.isspace() or char in seen:
            continue
        if face.get_char_index(ord(char)) == 0:
            seen.append(char)
    return "".join(seen)


def _check_width(width_mm: float) -> None:
    """Reject widths that cannot be a chart on an A4 page."""
    if not 20 <= width_mm <= 300:
        raise ValueError(f"width_mm must be between 20 and 300, not {width_mm}")


def _figure(*, width_mm: float, height_mm: float) -> Figure:
    """A figure of the given size with an Agg canvas attached and constrained layout."""
    fig = Figure(
        figsize=(width_mm / _MM_PER_INCH, height_mm / _MM_PER_INCH),
        dpi=_DPI,
        layout="constrained",
        facecolor="white",
    )
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Figure) -> bytes:
    """The figure as PNG bytes, without the software-version metadata (stable output)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=_DPI, metadata={"Software": None})
    return buffer.getvalue()


def _no_data(ax: Axes, font: FontProperties) -> None:
    """Write 暂无数据 in the middle of an empty axes."""
    ax.set_axis_off()
    ax.text(0.5, 0.5, "暂无数据", ha="center", va="center", fontproperties=font, fontsize=12)


def _plain_spines(ax: Axes) -> None:
    """Hide the top and right spines."""
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)


def _number(value: float) -> str:
    """A value label: integers without decimals, others with at most two."""
    if math.isfinite(value) and value == int(value):
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")
