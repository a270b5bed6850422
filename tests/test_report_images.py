"""Chart images: slide-ready PNG, SVG with the title, and Chinese that renders as Chinese."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date

import plotly.graph_objects as go
import pytest
from PIL import Image, ImageChops

from report import images
from report import figures as charts
from warehouse import overview
from warehouse.filters import Filters

TOFU = "\U0010FFFD"          # a private-use code point: no font has a glyph for it


def _png(data: bytes) -> Image.Image:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return Image.open(io.BytesIO(data)).convert("RGB")


@pytest.fixture(scope="module")
def ranking_figure(small_con_module):
    return charts.district_ranking(overview.district_ranking(small_con_module, Filters()))


@pytest.fixture(scope="module")
def small_con_module(small_warehouse):
    from warehouse.db import reading

    with reading(small_warehouse) as con:
        yield con


def test_png_is_slide_ready_and_svg_carries_the_title(ranking_figure):
    out = images.chart_images(ranking_figure, "县区签约投资排名", "县区：源汇区；时间：全部时间", date(2024, 6, 30))
    png = _png(out["png"])
    assert png.size[0] >= 1920 and png.size == (1920, 1080)          # 16:9
    svg = out["svg"].decode("utf-8")
    assert svg.startswith("<svg") and "县区签约投资排名" in svg
    assert "县区：源汇区" in svg and "数据截至2024年6月30日" in svg  # filters and as-of in the picture
    assert "Noto Sans CJK SC" in svg                                 # the font family is explicit


def test_hostile_text_in_a_caption_stays_text(ranking_figure):
    svg = images.chart_images(ranking_figure, "<b>x</b><script>alert(1)</script>", "县区：<img src=x>",
                              formats=("svg",))["svg"]
    text = svg.decode("utf-8")
    assert "<script>" not in text and "<img" not in text


def test_a_cjk_font_is_installed():
    fc_list = shutil.which("fc-list")
    assert fc_list, "fontconfig (fc-list) is missing"
    families = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, check=True).stdout
    assert images.CJK_FONT in families, "fonts-noto-cjk is not installed: Chinese would render as boxes"


def _title_band(title: str) -> Image.Image:
    fig = go.Figure()
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    png = _png(images.chart_images(fig, title, formats=("png",))["png"])
    return png.crop((0, 0, png.size[0] // 2, 80))                    # the title's band, top left


def test_chinese_title_does_not_render_as_boxes():
    """Why this works: the title is rendered through the production path (report.images, the
    shared Chromium, the explicit font family) twice — once in Chinese, once as six code points
    that no font has (U+10FFFD), which always come out as the missing-glyph box ("tofu"). If the
    CJK font were missing, every Chinese character would be drawn with that same box and the two
    renderings would be identical; with the font, the strokes differ from the boxes. Comparing
    with a rendering made on the same machine (not a stored picture) keeps the test independent
    of Chromium's anti-aliasing and of the font version. Checked: with a fontconfig that sees only
    DejaVu (FONTCONFIG_FILE), the two title bands are pixel-identical; with fonts-noto-cjk about
    4,700 pixels differ."""
    chinese = _title_band("测试中文标题")
    tofu = _title_band(TOFU * 6)
    assert ImageChops.difference(chinese.convert("L"), Image.new("L", chinese.size, 255)).getbbox(), \
        "the Chinese title drew nothing"
    changed = ImageChops.difference(chinese, tofu).convert("L").point(lambda v: 255 if v > 64 else 0).histogram()[255]
    assert changed > 200, "the Chinese title renders like missing-glyph boxes: is fonts-noto-cjk installed?"
