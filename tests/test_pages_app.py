"""Every page under AppTest: on the hand-counted warehouse (numbers checked), on an empty one and
with no warehouse file (the start page, no exception); URL filters; cross-filter; uploads."""

import re
from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from auth_fixture import sign_in
from pages import PAGES as ALL_PAGES
from warehouse import db as wdb
from warehouse_fixture import XSS_NAME, build_small_warehouse

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGES = {f"pages/{p.key}.py": p.title for p in ALL_PAGES}     # every page of the navigation
ADMIN_ONLY = {f"pages/{p.key}.py" for p in ALL_PAGES if p.roles == ("admin",)}
DATA_PAGES = [p for p in PAGES if p not in ADMIN_ONLY]          # the pages that show the warehouse's data


def open_page(page: str, query: dict | None = None, timeout: float = 60, login: str | None = "city") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=timeout)
    if login:
        sign_in(at, login)
    if query:
        at.query_params.update(query)
    at.run()
    if page != "pages/overview.py":
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def plain(text: str) -> str:
    """An element's text as shown: ledger and page text reaches markdown escaped (ui.render)."""
    return re.sub(r"\\(.)", r"\1", text)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def no_raw_markup(at: AppTest) -> None:
    """A ledger's markup never reaches an element that renders HTML."""
    for md in at.markdown:
        assert "<script>alert(1)" not in md.value


@pytest.fixture()
def small(small_warehouse, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_PATH", str(small_warehouse))
    return small_warehouse


def signed_in_as(page: str) -> str:
    return "admin" if page in ADMIN_ONLY else "city"


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_small_warehouse(small, page):
    at = open_page(page, login=signed_in_as(page))
    assert at.title[0].value == PAGES[page]
    no_raw_markup(at)


@pytest.mark.parametrize("page", DATA_PAGES)
def test_every_page_has_a_start_page_without_data(empty_warehouse, monkeypatch, page):
    monkeypatch.setenv("WAREHOUSE_PATH", str(empty_warehouse))
    at = open_page(page)
    assert at.title[0].value == PAGES[page]
    assert any("尚无数据" in i.value for i in at.info)
    text = " ".join(m.value for m in at.markdown)
    assert "数据管理" in text and "python" not in text     # what to do, in words a clerk can follow


@pytest.mark.parametrize("page", PAGES)
def test_without_a_warehouse_every_page_asks_for_the_first_account(tmp_path, monkeypatch, page):
    """No warehouse yet, so no account: every page is the sign-in page, which says how IT creates
    the first account; nothing is created on disk."""
    path = tmp_path / "nothing" / "w.duckdb"
    monkeypatch.setenv("WAREHOUSE_PATH", str(path))
    at = open_page(page, login=None)
    assert [t.value for t in at.title] == ["招商引资驾驶舱"] and at.subheader[0].value == "登录"
    assert any("还没有账号" in w.value for w in at.warning)
    assert "python -m accounts add admin --role admin" in at.code[0].value
    assert not path.exists() and not wdb.exists(path)


def test_overview_numbers(small):
    m = metrics(open_page("pages/overview.py"))
    assert (m["签约项目"], m["签约投资额"]) == ("4个", "7.00亿元")
    assert (m["开工项目"], m["开工投资额"]) == ("2个", "5.80亿元")
    assert (m["投产项目"], m["投产投资额"]) == ("1个", "15.00亿元")
    assert (m["期内签约项目履约率"], m["期内签约项目开工率"], m["期内签约项目投产率"], m["期内签约项目达效率"]) == \
        ("75.00%", "50.00%", "0.00%", "—")
    deltas = {x.label: x.delta for x in open_page("pages/overview.py").metric}
    assert deltas["签约项目"] == "+0.00% 同比" and deltas["签约投资额"] == "-90.97% 同比"


def test_overview_freshness_names_late_districts(small):
    at = open_page("pages/overview.py")
    warning = " ".join(w.value for w in at.warning)
    assert "舞阳县" in warning and "东城区" in warning and "源汇区" not in warning


def test_pages_numbers_all_time(small):
    query = {"year": "all"}
    assert metrics(open_page("pages/chains.py", query))["项目总数"] == "11个"
    assert metrics(open_page("pages/chains.py", query))["重点产业链项目"] == "9个"
    m = metrics(open_page("pages/ledger.py", query))
    assert (m["符合条件的项目"], m["总投资"]) == ("11个", "194.80亿元")
    m = metrics(open_page("pages/map.py", query))
    assert (m["地图上的项目"], m["其中近似位置"], m["无坐标（未上图）"]) == ("7个", "1个", "4个")
    m = metrics(open_page("pages/alerts.py", query))
    assert (m["预警项目"], m["签约超6个月未开工"], m["开工超18个月未投产"]) == ("3个", "2个", "1个")
    m = metrics(open_page("pages/batches.py", query))
    assert (m["签约一批"], m["签约一批总投资"], m["开工一批"], m["投产一批"]) == ("2个", "1.20亿元", "1个", "1个")


def test_ledger_shows_markup_as_text_and_exports(small):
    at = open_page("pages/ledger.py", {"year": "all"})
    table = at.dataframe[0].value
    assert XSS_NAME in table["项目名称"].to_list()
    assert at.get("download_button")
    no_raw_markup(at)
    at.text_input(key="ledger-search").set_value("script").run()
    assert metrics(at)["符合条件的项目"] == "1个"


def test_url_filters_reproduce_the_view(small):
    at = open_page("pages/overview.py", {"district": "郾城区"})
    m = metrics(at)
    assert (m["签约项目"], m["开工项目"], m["投产项目"]) == ("1个", "1个", "1个")
    assert at.multiselect(key="flt_districts").value == ["郾城区"]
    assert at.query_params.get("district") in ("郾城区", ["郾城区"])


def test_hostile_url_gives_the_default_view(small):
    default = metrics(open_page("pages/overview.py"))
    at = open_page("pages/overview.py", {"district": "<script>alert(1)</script>", "year": "1' OR '1'='1",
                                         "stage": "'; DROP TABLE projects; --", "period": "x", "from": "2024-99-99"})
    assert metrics(at) == default
    assert at.query_params == {}                     # the URL is rewritten to the default view


def test_filters_follow_to_other_pages_and_into_the_url(small):
    at = open_page("pages/overview.py")
    at.multiselect(key="flt_districts").set_value(["源汇区"]).run()
    assert metrics(at)["签约项目"] == "2个"
    assert at.query_params.get("district") in ("源汇区", ["源汇区"])
    at.selectbox(key="flt_time").set_value("all").run()
    at.switch_page("pages/ledger.py").run()
    assert at.multiselect(key="flt_districts").value == ["源汇区"]
    assert metrics(at)["符合条件的项目"] == "3个"    # P01 P02 P10
    assert at.query_params.get("year") in ("all", ["all"])
    button(at, "重置筛选").click().run()
    assert at.multiselect(key="flt_districts").value == []


def test_cross_filter_and_its_way_back(small):
    at = open_page("pages/overview.py")
    at.session_state["_cross_filters"] = {"overview": {"field": "districts", "values": ("郾城区",),
                                                       "label": "县区 = 郾城区"}}
    at.run()
    assert metrics(at)["签约项目"] == "1个"
    assert any("联动筛选" in i.value for i in at.info)
    at.button(key="clear-xf-overview").click().run()
    assert metrics(at)["签约项目"] == "4个"
    assert not any("联动筛选" in i.value for i in at.info)


def _ledger_file(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "签约项目"
    ws.append(["漯河市郾城区2024年招商引资项目台账"])
    ws.append(["填报单位：郾城区商务局", None, "填报时间：2024年7月31日", "单位：万元"])
    ws.append(["序号", "项目名称", "所属县区", "产业链", "总投资", "项目状态", "签约时间"])
    ws.append([1, "上传测试项目甲", "郾城区", "肉制品", "5000", "签约", "2024-07-01"])
    ws.append([2, None, "郾城区", "肉制品", "300", "签约", "2024-07-02"])
    wb.save(path)
    return path


def test_upload_previews_then_loads(tmp_path, monkeypatch):
    pytest.importorskip("etl.load")
    db = build_small_warehouse(tmp_path / "w.duckdb")
    monkeypatch.setenv("WAREHOUSE_PATH", str(db))
    ledger_file = _ledger_file(tmp_path / "郾城区2024年7月台账.xlsx")
    at = open_page("pages/data.py")
    assert metrics(at)["项目数"] == "11个"
    at.file_uploader(key="upload-files").set_value(
        (ledger_file.name, ledger_file.read_bytes(),
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")).run()
    button(at, "预检（不入库）").click().run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "入库1个项目行" in text and "拒收1行" in text
    assert metrics(at)["项目数"] == "11个"                     # nothing written yet
    assert any("缺少项目名称" in str(df.value.to_dict()) for df in at.dataframe)
    button(at, "确认入库").click().run()
    assert not at.exception
    assert any("入库完成" in s.value for s in at.success)
    assert metrics(at)["项目数"] == "12个"                     # the numbers at the top include the load at once
    assert not any("将入库的行" in m.value for m in at.markdown)  # and the preview gave way to the result
    at.run()
    assert metrics(at)["项目数"] == "12个"                     # the new load shows without restart


def test_the_landing_page_numbers_are_the_pages_they_link_to(small):
    """总览's 需要关注 row: the 督办 count is 预警督办's, the late districts are 数据管理's, each links there."""
    overview = open_page("pages/overview.py", {"year": "all"})
    cards = metrics(overview)
    alerts = metrics(open_page("pages/alerts.py", {"year": "all"}))
    assert cards["预警督办项目"] == alerts["预警项目"] == "3个"
    assert cards["逾期未报县区"] == "2个"                                   # 舞阳县, 东城区 (freshness)
    links = [(link.proto.page.split("/")[-1], link.label) for link in overview.get("page_link")]
    assert ("data", "舞阳县、东城区") in links and ("alerts", "签约未开工2 · 开工未投产1") in links
