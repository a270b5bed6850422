"""填报与审核 in the app: a district account's upload keeps only its district's rows, waits for
the city, and is accepted (loaded) or returned with a comment the district reads."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from test_pages_app import button, open_page, plain
from warehouse import audit
from warehouse.db import reading
from warehouse_copy import copy_warehouse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _ledger(path: Path, rows: list[tuple]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["漯河市2024年7月招商引资项目台账"])
    ws.append(["填报时间：2024年7月31日", None, None, "单位：万元"])
    ws.append(["序号", "项目名称", "所属县区", "产业链", "总投资", "项目状态", "签约时间"])
    for i, row in enumerate(rows, start=1):
        ws.append([i, *row])
    wb.save(path)
    return path


@pytest.fixture()
def warehouse(small_warehouse, tmp_path, monkeypatch):
    db = tmp_path / "w.duckdb"
    copy_warehouse(small_warehouse, db)
    monkeypatch.setenv("WAREHOUSE_PATH", str(db))
    return db


def _upload(at, path: Path):
    at.file_uploader(key="upload-files").set_value((path.name, path.read_bytes(), XLSX)).run()
    button(at, "预检（不入库）").click().run()
    return at


def _district_rows(db: Path, code: str) -> list[tuple]:
    with reading(db) as con:
        return con.execute("SELECT project_id, project_name, stage, total_investment_wan, as_of FROM projects "
                           "WHERE district_code = ? ORDER BY project_id", [code]).fetchall()


def test_a_district_submits_and_the_city_accepts(warehouse, tmp_path):
    zhaoling_before = _district_rows(warehouse, "411104")
    file = _ledger(tmp_path / "郾城区7月台账.xlsx", [("审核测试项目甲", "郾城区", "肉制品", "5000", "签约", "2024-07-01"),
                                                 ("越界项目乙", "召陵区", "肉制品", "800", "签约", "2024-07-02")])
    at = _upload(open_page("pages/data.py", login="yancheng"), file)
    shown = " ".join(plain(m.value) for m in at.markdown)
    frames = " ".join(str(df.value.to_dict()) for df in at.dataframe)
    assert "越界项目乙" in frames and "召陵区" in frames and "填报范围" in frames     # the other district's row, rejected
    button(at, "提交审核").click().run()
    assert any("已提交市级审核" in s.value for s in at.success)
    assert _district_rows(warehouse, "411104") == zhaoling_before and not [
        r for r in _district_rows(warehouse, "411103") if r[1] == "审核测试项目甲"]       # nothing loaded yet
    city = open_page("pages/data.py", login="city")
    pending = [df.value for df in city.dataframe if "提交编号" in df.value.columns][0]
    assert pending["账号"].to_list() == ["yancheng"] and pending["县区"].to_list() == ["郾城区"]
    button(city, "入库").click().run()
    assert any("已入库" in s.value for s in city.success), [e.value for e in city.error]
    assert [r[1] for r in _district_rows(warehouse, "411103")].count("审核测试项目甲") == 1
    assert _district_rows(warehouse, "411104") == zhaoling_before                      # 召陵区 untouched
    with reading(warehouse) as con:
        actions = audit.entries(con)["action"].to_list()
        loaded_by = con.execute("SELECT loaded_by FROM loads ORDER BY load_id DESC LIMIT 1").fetchone()[0]
    assert {"submit", "accept", "load"} <= set(actions) and loaded_by == "city"


def test_a_returned_file_and_its_comment(warehouse, tmp_path):
    file = _ledger(tmp_path / "郾城区台账.xlsx", [("退回测试项目", "郾城区", "肉制品", "待定", "签约", "2024-07-01"),
                                              (None, "郾城区", "肉制品", "300", "签约", "2024-07-02")])
    at = _upload(open_page("pages/data.py", login="yancheng"), file)
    button(at, "提交审核").click().run()
    city = open_page("pages/data.py", login="city")
    button(city, "退回").click().run()
    assert any("请填写审核意见" in e.value for e in city.error)              # a return needs a reason
    city.text_area(key="review-comment").set_value("第2行缺少项目名称，请补全后重新报送。").run()
    button(city, "退回").click().run()
    assert any("已退回" in s.value for s in city.success)
    mine = open_page("pages/data.py", login="yancheng")
    listing = [df.value for df in mine.dataframe if "提交编号" in df.value.columns][0]
    assert listing["状态"].to_list() == ["已退回"] and listing["审核意见"].to_list() == ["第2行缺少项目名称，请补全后重新报送。"]
    assert any("缺少项目名称" in str(df.value.to_dict()) for df in mine.dataframe)   # the rejected row and its reason
    assert not [r for r in _district_rows(warehouse, "411103") if r[1] == "退回测试项目"]


def test_the_city_loads_directly(warehouse, tmp_path):
    file = _ledger(tmp_path / "全市台账.xlsx", [("市级直接入库项目", "召陵区", "肉制品", "1200", "签约", "2024-07-03")])
    at = _upload(open_page("pages/data.py", login="city"), file)
    button(at, "确认入库").click().run()
    assert any("入库完成" in s.value for s in at.success)
    assert "市级直接入库项目" in [r[1] for r in _district_rows(warehouse, "411104")]


def test_the_leader_cannot_load(warehouse):
    at = open_page("pages/data.py", login="leader")
    assert not at.get("file_uploader") and any("无权打开" in w.value for w in at.warning)
