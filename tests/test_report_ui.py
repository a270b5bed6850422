"""The export buttons on a page (AppTest) and what they hand out when clicked."""

from __future__ import annotations

import io
from datetime import date

import polars as pl
from PIL import Image
from pptx import Presentation
from streamlit.testing.v1 import AppTest

from ui import export
from warehouse.filters import Filters

SCRIPT = """
import polars as pl
from report import figures as charts
from report.view import Chart, Click
from ui import export, render
from warehouse import overview
from warehouse.db import reading
from warehouse.filters import Filters

f = Filters(districts=("源汇区",))
with reading() as con:
    ranking = overview.district_ranking(con, f)
render.draw([Chart("ranking", "县区签约投资排名", charts.district_ranking(ranking), click=Click("districts", "县区"),
                   scope=f)], "overview")
from warehouse.accounts import Account
export.page_pptx_button("overview", f, None, {}, Account("city", "市商务局", "city", ()))
export.excel_button("导出 Excel", lambda: [("清单", pl.DataFrame({"project_name": ["=1+1"]}))], "项目清单", f,
                    key="excel")
"""


def test_buttons_render_without_work(small_warehouse, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_PATH", str(small_warehouse))
    at = AppTest.from_string(SCRIPT, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["PNG图片", "SVG", "导出PPT", "导出 Excel"]
    assert not export._warm_started.is_set()        # no browser under AppTest


def test_what_the_buttons_hand_out(small_warehouse):
    from report.describe import filters_text
    from report import figures as charts
    from warehouse import overview
    from warehouse.db import reading

    f = Filters(date_from=date(2024, 1, 1), date_to=date(2024, 12, 31))
    with reading(small_warehouse) as con:
        fig = charts.district_ranking(overview.district_ranking(con, f))
    png = export._image("k", fig, "县区签约投资排名", filters_text(f), date(2024, 6, 30), "png")
    assert Image.open(io.BytesIO(png)).size == (1920, 1080)
    from warehouse.scope import EVERYTHING, Scope

    deck = export._page_deck("chains", repr(f), str(small_warehouse), (), EVERYTHING, None, f, None, {})
    prs = Presentation(io.BytesIO(deck))
    assert len(prs.slides) >= 3 and prs.slide_width == 12192000
    # a district account's deck holds its district only: the ranking slide's table names 郾城区 alone
    own = export._page_deck("overview", repr(f), str(small_warehouse), (), Scope(("411103",), "yancheng"), "郾城区",
                            f, None, {})
    texts = [c.text for s in Presentation(io.BytesIO(own)).slides for sh in s.shapes if sh.has_table
             for r in sh.table.rows for c in r.cells]
    assert "郾城区" in texts and not {"源汇区", "召陵区", "舞阳县"} & set(texts)
    prs = Presentation(io.BytesIO(deck))
    assert len(prs.slides) >= 3 and prs.slide_width == 12192000


def test_file_names_are_safe():
    assert export.file_name("“三个一批”：按县区/期", "png") == "三个一批：按县区期.png"
    assert export.file_name("", "svg") == "导出.svg"


def test_every_month_of_the_trend_is_labelled():
    """A date axis dropped 2025年12月 at 1366 px: the months are categories, each one named."""
    from report import figures

    one_year = [date(2025, m, 1) for m in range(1, 13)]
    assert figures.month_labels(one_year) == ([f"{m}月" for m in range(1, 13)], "2025年")
    assert figures.month_labels([date(2024, 12, 1), date(2025, 1, 1)]) == (["2024年12月", "2025年1月"], "")
    df = pl.DataFrame({"month": one_year * 3, "event": ["签约"] * 12 + ["开工"] * 12 + ["投产"] * 12,
                       "projects": list(range(36)), "investment_wan": [1] * 36})
    fig = figures.monthly_trend(df)
    assert list(fig.layout.xaxis.categoryarray)[-1] == "12月" and fig.layout.xaxis.title.text == "2025年"
    assert list(fig.data[0].x) == [f"{m}月" for m in range(1, 13)]


def test_chart_text_is_projector_sized():
    from report import figures

    import plotly.graph_objects as go

    fig = figures.styled(go.Figure(go.Bar(x=[1], y=["a"], text=["1个"])))
    assert fig.layout.xaxis.tickfont.size >= 14 and fig.layout.uniformtext.minsize == 14
    # set, so that plotly.js finds it when a click selects a bar (it broke clicks on 产业链)
    assert fig.data[0].textfont.size == 15 and fig.data[0].selected.marker.opacity == 1.0
