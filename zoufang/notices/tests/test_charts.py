"""Chart PNGs: a CJK font with every glyph, the requested size, stable output, thread use."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from matplotlib import image as mpimg

from zoufang.notices import charts

LABELS = ["江东区", "江西区", "临江县", "青山县", "白水市（开发区）"]
VALUES = [1200.0, 950.5, 300.0, 0.0, 42.0]


def _png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the PNG header."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.fixture
def no_glyph_warnings() -> Iterator[None]:
    """Turn matplotlib's "Glyph … missing from font" warnings (tofu boxes) into errors."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Gg]lyph.*missing.*")
        warnings.filterwarnings("error", message=".*findfont.*")
        yield


def test_a_cjk_font_is_found_and_covers_the_labels() -> None:
    family = charts.cjk_font_family()
    assert family in charts.CJK_FONT_FAMILIES
    text = "".join(LABELS) + "各县（市、区）走访户数单位：户满意率第一阶段%0123456789.-"
    assert charts.missing_glyphs(text=text) == ""


def test_missing_glyphs_reports_what_the_font_lacks() -> None:
    assert charts.missing_glyphs(text="走访\U0001fae0") == "\U0001fae0"


@pytest.mark.usefixtures("no_glyph_warnings")
@pytest.mark.parametrize("horizontal", [True, False])
def test_bar_chart_png(horizontal: bool) -> None:
    data = charts.bar_chart_png(
        title="各县（市、区）走访户数",
        labels=LABELS,
        values=VALUES,
        unit="户",
        width_mm=150,
        horizontal=horizontal,
    )
    width, height = _png_size(data)
    assert width == pytest.approx(150 / 25.4 * 200, abs=1)
    assert 0.3 * width < height < 1.5 * width
    pixels = mpimg.imread(io.BytesIO(data), format="png")
    assert pixels.shape[:2] == (height, width)
    assert pixels.std() > 0.05  # something is drawn on the white background


@pytest.mark.usefixtures("no_glyph_warnings")
def test_line_chart_png() -> None:
    data = charts.line_chart_png(
        title="各阶段群众满意率",
        categories=["第一阶段", "第二阶段", "第三阶段"],
        series={"满意率": [95.1, 96.3, None], "参评率": [80, 85, 90]},
        unit="%",
        width_mm=120,
    )
    width, _height = _png_size(data)
    assert width == pytest.approx(120 / 25.4 * 200, abs=1)


@pytest.mark.usefixtures("no_glyph_warnings")
def test_many_bars_and_empty_charts() -> None:
    labels = [f"江州市第{i}派出所" for i in range(60)]
    tall = charts.bar_chart_png(title="排名", labels=labels, values=list(range(60)))
    _width, height = _png_size(tall)
    assert height == pytest.approx(200 / 25.4 * 200, abs=1)  # capped at 200 mm
    empty = charts.bar_chart_png(title="排名", labels=[], values=[])
    assert _png_size(empty)[0] > 0
    assert _png_size(charts.line_chart_png(title="趋势", categories=[], series={}))[0] > 0


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="labels"):
        charts.bar_chart_png(title="x", labels=["甲"], values=[1, 2])
    with pytest.raises(ValueError, match="width_mm"):
        charts.bar_chart_png(title="x", labels=["甲"], values=[1], width_mm=5)
    with pytest.raises(ValueError, match="points"):
        charts.line_chart_png(title="x", categories=["一", "二"], series={"甲": [1]})


def test_same_input_same_png() -> None:
    first = charts.bar_chart_png(title="走访", labels=LABELS, values=VALUES)
    assert charts.bar_chart_png(title="走访", labels=LABELS, values=VALUES) == first


def test_concurrent_rendering_matches_serial() -> None:
    def render(i: int) -> bytes:
        return charts.bar_chart_png(title=f"走访{i % 3}", labels=LABELS, values=VALUES)

    serial = [render(i) for i in range(6)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(render, range(6))) == serial


def test_no_cjk_font_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(charts, "CJK_FONT_FAMILIES", ("No Such Font CJK",))
    charts.cjk_font_family.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="fonts-noto-cjk"):
            charts.bar_chart_png(title="x", labels=["甲"], values=[1])
    finally:
        monkeypatch.undo()
        charts.cjk_font_family.cache_clear()


def test_no_pyplot_and_no_gui_backend() -> None:
    code = (
        "import sys; from zoufang.notices import charts; "
        "charts.bar_chart_png(title='走访', labels=['甲'], values=[1]); "
        "assert 'matplotlib.pyplot' not in sys.modules; "
        "assert not any(m.startswith(('tkinter', 'PyQt', 'PySide', 'gi.')) for m in sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
