"""Decks: 16:9, Chinese fonts on every run, native tables, chart pictures, takeaways, page decks."""

from __future__ import annotations

import io
from datetime import date

import polars as pl
import pytest
from PIL import Image
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.oxml.ns import qn

import pages
from report import decks, takeaways
from report.view import Chart, Metrics, Note, View, walk
from report.slides import EA_FONT, Deck
from warehouse.db import reading
from warehouse.filters import Filters
from warehouse_copy import copy_warehouse

WIDE, HIGH = 12192000, 6858000
YEAR_2024 = Filters(date_from=date(2024, 1, 1), date_to=date(2024, 12, 31))


def open_deck(data: bytes):
    return Presentation(io.BytesIO(data))


def texts(slide) -> list[str]:
    return [s.text_frame.text for s in slide.shapes if s.has_text_frame and s.text_frame.text.strip()]


def runs(prs):
    for slide in prs.slides:
        for shape in slide.shapes:
            frames = []
            if shape.has_text_frame:
                frames.append(shape.text_frame)
            if shape.has_table:
                frames += [c.text_frame for row in shape.table.rows for c in row.cells]
            for frame in frames:
                for p in frame.paragraphs:
                    yield from p.runs


def assert_chinese_fonts(prs) -> None:
    for run in runs(prs):
        rpr = run._r.find(qn("a:rPr"))
        ea = rpr.find(qn("a:ea"))
        assert ea is not None and ea.get("typeface") == EA_FONT, run.text
        assert rpr.get("lang") == "zh-CN"


def pictures(prs):
    return [s for slide in prs.slides for s in slide.shapes if s.shape_type == 13]


def test_deck_builder_slides():
    deck = Deck(footer="漯河市｜全市｜数据截至2024年6月30日")
    deck.add_title_slide("测试标题", "范围：全市；时间：全部时间", "数据截至2024年6月30日")
    deck.add_table_slide(pl.DataFrame({"县区": [f"县区{i}" for i in range(20)], "项目数（个）": [str(i) for i in range(20)]}),
                         "县区项目数", "一句要点", "注：示例")
    deck.add_metrics_slide("总体情况", [{"label": "签约项目", "value": "12个", "detail": "同比 +1.00%"}])
    deck.add_note_slide("目标任务完成情况", "目标任务数据未导入")
    prs = open_deck(deck.to_bytes())
    assert (prs.slide_width, prs.slide_height) == (WIDE, HIGH)
    assert len(prs.slides) == 5                       # 20 rows → the table goes on two slides
    assert prs.slides[2].shapes.title.text == "县区项目数（续）"
    tables = [s.table for slide in prs.slides for s in slide.shapes if s.has_table]
    assert [len(t.rows) for t in tables] == [16, 6] and tables[0].cell(0, 0).text == "县区"
    assert_chinese_fonts(prs)
    theme = prs.slide_master.part.part_related_by(
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme").blob.decode()
    assert f'<a:ea typeface="{EA_FONT}"' in theme


def test_takeaways_read_like_the_reports():
    assert takeaways.target_gap("郾城区", "", 0.583, 0.665) == "郾城区完成率58.3%，落后序时进度8.2个百分点"
    assert takeaways.target_gap("源汇区", "签约项目数", 0.6, 0.5) == "源汇区签约项目数完成率60.0%，超过序时进度10.0个百分点"


def test_takeaways_from_the_small_warehouse(small_con):
    from warehouse import overview, stalls

    ranking = overview.district_ranking(small_con, YEAR_2024)
    # signed in 2024: 源汇区 P01 P02 (62000.5万), 郾城区 P04 (8000万), 西城区 P09 (amount unknown)
    assert takeaways.district_ranking(ranking) == "签约投资最多的是源汇区，共2个，总投资6.20亿元；最少的是西城区，0.00亿元"
    assert takeaways.funnel(overview.funnel(small_con, YEAR_2024)) == "签约项目4个，开工率50.00%，投产率0.00%"
    counts = stalls.stalled_counts(small_con, YEAR_2024)
    summary = stalls.stalled_summary(small_con, YEAR_2024, "district")
    assert takeaways.stalled(summary, counts).startswith("预警项目3个：签约未开工2个、开工未投产1个")
    assert takeaways.district_ranking(ranking.filter(ranking["signed"] < 0)) == "时间范围内没有签约项目"


def targets_items(con, filters: Filters, as_of: date) -> list:
    """The 目标进度 page's items as its deck gets them, at a report date."""
    v = View(ask=pages.on_connection(con), filters=filters, values={"tg-as-of": as_of})
    return walk(pages.page_items("targets", v))


def test_targets_missing_gives_a_note_slide(small_con):
    prs = open_deck(pages.page_deck(small_con, "targets", YEAR_2024).to_bytes())
    assert len(prs.slides) == 2 and any("尚无数据" in t for t in texts(prs.slides[1]))


@pytest.fixture(scope="module")
def with_targets(small_warehouse, tmp_path_factory):
    """The small warehouse plus 漯河's 2024 targets (tests/targets_fixture.py), loaded by the loader;
    the 签约 actuals come from the warehouse's ledgers (as of 2024-06-30: time progress 50%)."""
    from targets_fixture import load, luohe_targets_wide

    folder = tmp_path_factory.mktemp("targets")
    path = folder / "w.duckdb"
    copy_warehouse(small_warehouse, path)
    [result] = load([luohe_targets_wide(folder / "目标任务.xlsx")], path)
    assert result.status == "loaded", result.message
    return path


def test_targets_with_lights(with_targets):
    with reading(with_targets) as con:
        city = targets_items(con, YEAR_2024, date(2024, 6, 30))
        one = targets_items(con, YEAR_2024.narrowed(districts=("西城区",)), date(2024, 6, 30))
    [cards] = [i for i in city if isinstance(i, Metrics)]
    matrix = next(i for i in city if isinstance(i, Chart) and i.key == "matrix")
    assert matrix.title == "各县区目标任务完成情况（2024年6月，序时进度 50.00%）"
    assert matrix.takeaway == "4个县区中4个落后序时进度（4个亮黄灯或红灯），召陵区签约项目数落后50.0个百分点"
    assert [(c.label, c.value, c.delta, c.color) for c in cards.cards] == [
        ("签约项目数", "7.55%", "-42.45个百分点", "#D64545"), ("签约项目投资额", "6.36%", "-43.64个百分点", "#D64545")]
    assert cards.takeaway == "全市2项指标中0项达到序时进度，签约项目投资额落后43.6个百分点"
    # one district: its own worst gap; no city cards; bars only for the indicators with a completion
    # (西城区: 1 of 12 projects = 8.3%; investment of P09 unknown → 0 of 20亿)
    assert not [i for i in one if isinstance(i, Metrics)]
    assert [i.takeaway for i in one if isinstance(i, Chart) and i.key.startswith(("matrix", "bars"))] == [
        "1个县区中1个落后序时进度（1个亮黄灯或红灯），西城区签约项目投资额落后50.0个百分点",
        "西城区签约项目数完成率8.3%，落后序时进度41.7个百分点",
        "西城区签约项目投资额完成率0.0%，落后序时进度50.0个百分点"]


def test_targets_deck_colours_the_lights(with_targets):
    with reading(with_targets) as con:
        prs = open_deck(pages.page_deck(con, "targets", YEAR_2024, values={"tg-as-of": date(2024, 6, 30)}).to_bytes())
    cells = [c for slide in prs.slides for s in slide.shapes if s.has_table
             for row in s.table.rows for c in row.cells if c.text == "● 红灯"]
    assert cells and all(c.text_frame.paragraphs[0].runs[0].font.color.rgb == RGBColor(0xD6, 0x45, 0x45) for c in cells)


@pytest.mark.parametrize("page", [p.key for p in pages.report_pages()])
def test_every_page_has_a_deck(small_warehouse, page):
    with reading(small_warehouse) as con:
        deck = pages.page_deck(con, page, YEAR_2024)
    prs = open_deck(deck.to_bytes())
    assert (prs.slide_width, prs.slide_height) == (WIDE, HIGH)
    assert len(prs.slides) >= 2
    title = texts(prs.slides[0])[0]
    assert title.startswith("漯河市招商引资 · ") and pages.page(page).deck in title
    for pic in pictures(prs):
        assert pic.image.content_type == "image/png"
        assert Image.open(io.BytesIO(pic.image.blob)).size[0] >= 1920
    assert_chinese_fonts(prs)


def test_filters_in_one_line():
    from report.describe import filters_text

    assert filters_text(Filters(), city="漯河市") == "范围：漯河市全市；时间：全部时间"
    assert filters_text(YEAR_2024.narrowed(districts=("郾城区",), chains=("肉制品",), periods=(12, 13))) == \
        "县区：郾城区；产业链：肉制品；期数：第12期、第13期；时间：2024年1月1日 — 2024年12月31日"
    many = tuple(f"县区{i}" for i in range(8))
    assert filters_text(Filters(districts=many)).startswith("县区：县区0、县区1、县区2、县区3、县区4、县区5等8个；")


@pytest.mark.parametrize("page", [p.key for p in pages.report_pages()])
def test_a_page_and_its_deck_show_the_same_items(demo_con, page):
    """The deck is the page's own items: a slide per chart, table, set of numbers or note, titled
    as on the page, in the page's order (a long table continues on slides titled "（续）")."""
    from report.view import Map, Table

    v = View(ask=pages.on_connection(demo_con), filters=Filters(date_from=date(2025, 1, 1), date_to=date(2025, 12, 31)))
    items = [i for i in walk(pages.page_items(page, v)) if isinstance(i, (Chart, Table, Metrics, Note, Map))]
    deck = open_deck(pages.page_deck(demo_con, page, v.filters).to_bytes())
    titles = [s.shapes.title.text for s in list(deck.slides)[1:] if not s.shapes.title.text.endswith("（续）")]
    assert titles == [i.title for i in items]
