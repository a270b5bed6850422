"""End-to-end loads of small messy ledgers built inline; every total is counted by hand."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest
import xlwt

from etl.load import load_files
from warehouse import db as wdb

ROOT = Path(__file__).resolve().parent.parent


def rows(db, sql, params=()):
    con = wdb.connect(db, read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def yancheng_ledger(path: Path, total: float = 20) -> Path:
    """Title, 填报 line with 单位：亿元, two-row merged header, sections, blank row, 合计, bad rows."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "签约项目"
    ws.append(["漯河市郾城区2024年招商引资项目台账"])
    ws.merge_cells("A1:I1")
    ws.append(["填报单位：郾城区招商中心   填报时间：2024年6月30日   单位：亿元"])
    ws.append(["序号", "项目基本情况", None, None, "投资情况", None, "项目进展", None, None])
    ws.append([None, "项 目 名 称", "投资方", "所属产业链", "总投资", "其中外资（万美元）", "项目状态", "签约时间", "坐标"])
    ws.merge_cells("A3:A4")
    ws.merge_cells("B3:D3")
    ws.append(["一、签约项目"])
    ws.append([1, "年产10万吨休闲食品项目", "甲公司", "休闲食品产业链", 2.5, None, "已签约", "2024.3.5", "114.0231,33.5812"])
    ws.append([2, "智能装备产业园项目", "乙公司", "装备制造", "１２．５", 100, "签约", "3月5日", None])
    ws.append([None] * 9)
    ws.append(["二、开工项目"])
    ws.append([3, "低空经济基地", "丙", "低空经济", "5亿元", None, None, "2024年二季度", None])
    ws.append([4, None, "丁", "饮料", 1, None, "开工", None, None])
    ws.append([5, "某项目", "戊", "饮料", "两千万", None, "开工", None, None])
    ws.append([6, "脱敏项目", "**公司", "饮料", "**", None, "开工", dt.datetime(2024, 1, 9), None])
    ws.append([None, "合计", None, None, total, None, None, None, None])
    notes = wb.create_sheet("填报说明")
    notes.append(["请按要求填写"])
    hidden = wb.create_sheet("草稿")
    hidden.append(["项目名称", "总投资"])
    hidden.append(["草稿项目", 9])
    hidden.sheet_state = "hidden"
    wb.save(path)
    return path


def test_messy_workbook_loads_exactly(tmp_path):
    f = yancheng_ledger(tmp_path / "郾城区_2024年06月.xlsx")
    db = tmp_path / "w.duckdb"
    [r] = load_files([f], db=db)
    assert r.status == "loaded"
    # rows below the header: 12 (2 sections, 1 blank, 1 total, 6 projects… of which 2 rejected)
    # below the header: 2 sections, 1 blank, 1 合计, 6 projects (2 rejected); plus 3 rows on the
    # skipped 填报说明 and hidden sheets
    assert (r.rows_read, r.rows_loaded, r.rows_skipped, r.rows_rejected) == (13, 4, 7, 2)
    assert r.rows_read == r.rows_loaded + r.rows_skipped + r.rows_rejected
    got = {n: (d, s, a, note) for n, d, s, a, note in rows(db, """
        SELECT project_name, district, stage, total_investment_wan, investment_note FROM projects""")}
    assert got == {
        "年产10万吨休闲食品项目": ("郾城区", "签约", Decimal("25000"), None),   # 2.5亿 from the 单位 line
        "智能装备产业园项目": ("郾城区", "签约", Decimal("125000"), None),       # full-width １２．５
        "低空经济基地": ("郾城区", "开工", Decimal("50000"), None),              # stage from the section row
        "脱敏项目": ("郾城区", "开工", None, "脱敏"),                            # masked: kept, amount unknown
    }
    # the district's check-sum: 2.5 + 12.5 + 5 = 20亿 (the masked row is unknown) — it matches
    assert not [w for w in r.warnings if "合计" in w]
    total = rows(db, "SELECT sum(total_investment_wan) FROM projects")[0][0]
    assert total == Decimal("200000")
    rejected = rows(db, "SELECT source_row, reason FROM rejected_rows ORDER BY source_row")
    assert rejected == [(11, "缺少项目名称"), (12, "金额无法识别：“两千万”")]   # Excel row numbers
    raw = json.loads(rows(db, "SELECT raw_values FROM rejected_rows WHERE source_row = 12")[0][0])
    assert raw["项 目 名 称"] == "某项目" and raw["总投资"] == "两千万"
    dates = dict(rows(db, "SELECT project_name, sign_date FROM projects"))
    assert dates["智能装备产业园项目"] == dt.date(2024, 3, 5)       # '3月5日': year from the ledger
    assert dates["低空经济基地"] == dt.date(2024, 4, 1)            # '2024年二季度'
    assert dates["脱敏项目"] == dt.date(2024, 1, 9)
    chain = rows(db, "SELECT chain, cluster, chain_known FROM projects WHERE project_name = '低空经济基地'")
    assert chain == [("低空经济", None, False)]
    assert any("低空经济" in w and "产业链" in w for w in r.warnings)
    assert any("隐藏工作表“草稿”" in w for w in r.warnings)
    assert any("说明类工作表“填报说明”" in w for w in r.warnings)
    loc = rows(db, "SELECT lng, lat, location_approximate FROM projects WHERE project_name = '年产10万吨休闲食品项目'")
    assert loc == [(114.0231, 33.5812, False)]
    approx = rows(db, "SELECT location_approximate FROM projects WHERE project_name = '智能装备产业园项目'")
    assert approx == [(True,)]
    assert rows(db, "SELECT as_of, as_of_source FROM loads") == [(dt.date(2024, 6, 30), "台账日期")]


def test_total_mismatch_is_a_warning(tmp_path):
    f = yancheng_ledger(tmp_path / "郾城区_2024年06月.xlsx", total=21)
    [r] = load_files([f], db=tmp_path / "w.duckdb")
    assert r.status == "loaded"
    [w] = [w for w in r.warnings if "合计" in w]
    # the ledger is in 亿元 (its 单位 line): the warning speaks its unit
    assert w == "工作表“签约项目”第14行合计总投资为21亿元，而明细相加为20亿元，相差1亿元，请县区核对。"


def test_same_content_again_is_unchanged(tmp_path):
    f = yancheng_ledger(tmp_path / "郾城区_2024年06月.xlsx")
    db = tmp_path / "w.duckdb"
    load_files([f], db=db)
    before = rows(db, "SELECT count(*) FROM project_rows")
    [r] = load_files([f], db=db)
    assert r.status == "unchanged" and "未作改动" in r.message
    assert rows(db, "SELECT count(*) FROM project_rows") == before
    assert rows(db, "SELECT count(*) FROM loads") == [(1,)]


def flat(path: Path, stage: str, amount, *, code=None, name="食品产业园项目", district="召陵区", extra=()):
    wb = openpyxl.Workbook()
    ws = wb.active
    header = ["项目名称", "所属县区", "总投资（万元）", "项目状态", *(["项目编号"] if code else [])]
    ws.append(header)
    ws.append([name, district, amount, stage, *([code] if code else [])])
    for r in extra:
        ws.append(list(r))
    wb.save(path)
    return path


def test_late_snapshot_does_not_roll_back(tmp_path):
    db = tmp_path / "w.duckdb"
    july = flat(tmp_path / "召陵区2024年07月.xlsx", "开工", 3000)
    june = flat(tmp_path / "召陵区2024年06月.xlsx", "签约", 2000)
    load_files([july], db=db)
    load_files([june], db=db)
    assert rows(db, "SELECT stage, total_investment_wan, as_of FROM projects") == [
        ("开工", Decimal("3000"), dt.date(2024, 7, 31))]
    assert rows(db, "SELECT as_of, stage FROM project_history ORDER BY as_of") == [
        (dt.date(2024, 6, 30), "签约"), (dt.date(2024, 7, 31), "开工")]
    assert rows(db, "SELECT first_seen FROM projects") == [(dt.date(2024, 6, 30),)]


def test_resent_file_supersedes_the_old_version(tmp_path):
    db = tmp_path / "w.duckdb"
    f = tmp_path / "召陵区2024年06月.xlsx"
    flat(f, "签约", 2000, extra=[("第二个项目", "召陵区", 500, "在谈")])
    load_files([f], db=db)
    flat(f, "签约", 2500)  # corrected: amount changed, second project removed
    [r] = load_files([f], db=db)
    assert r.status == "loaded"
    assert rows(db, "SELECT project_name, total_investment_wan FROM projects") == [("食品产业园项目", Decimal("2500"))]
    assert rows(db, "SELECT status FROM loads ORDER BY load_id") == [("superseded",), ("loaded",)]


def test_project_code_and_name_are_one_identity(tmp_path):
    db = tmp_path / "w.duckdb"
    load_files([flat(tmp_path / "召陵区2024年03月.xlsx", "签约", 1000)], db=db)               # no code
    load_files([flat(tmp_path / "召陵区2024年06月.xlsx", "开工", 1000, code="ZL-001")], db=db)  # now coded
    load_files([flat(tmp_path / "召陵区2024年09月.xlsx", "投产", 1000)], db=db)               # no code again
    assert rows(db, "SELECT project_id, stage FROM projects") == [("编号:ZL-001", "投产")]
    assert rows(db, "SELECT count(DISTINCT project_id) FROM project_history") == [(1,)]


def test_district_from_file_name_and_unknown_district_kept(tmp_path):
    db = tmp_path / "w.duckdb"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["项目名称", "县区", "投资额", "进展"])
    ws.append(["甲项目", None, "3,000", "洽谈"])           # district from the file name
    ws.append(["乙项目", "火星区", "1000", "签约"])         # unknown: kept and reported
    wb.save(tmp_path / "舞阳县台账2024.6.xlsx")
    [r] = load_files([tmp_path / "舞阳县台账2024.6.xlsx"], db=db)
    assert rows(db, "SELECT project_name, district, district_code, total_investment_wan FROM projects ORDER BY 1") == [
        ("乙项目", "火星区", None, Decimal("1000")), ("甲项目", "舞阳县", "411121", Decimal("3000"))]
    assert any("火星区" in w for w in r.warnings)
    assert any("未注明金额单位" in w for w in r.warnings)


def test_no_district_anywhere_is_a_row_rejection(tmp_path):
    flat(tmp_path / "台账2024-06.xlsx", "签约", 100, district=None, extra=[("乙项目", "召陵区", 5, "签约")])
    [r] = load_files([tmp_path / "台账2024-06.xlsx"], db=tmp_path / "w.duckdb")
    assert (r.status, r.rows_loaded, r.rows_rejected) == ("loaded", 1, 1)
    assert r.rejected[0]["source_row"] == 2 and "无法确定所属县区" in r.rejected[0]["reason"]


def test_a_file_of_which_no_row_can_be_used_is_refused_and_stores_nothing(tmp_path):
    db = tmp_path / "w.duckdb"
    flat(tmp_path / "台账2024-06.xlsx", "签约", "两千万", district="召陵区", extra=[("乙项目", "召陵区", "很多", "签约")])
    [r] = load_files([tmp_path / "台账2024-06.xlsx"], db=db)
    assert r.status == "refused" and r.rejected == []
    assert r.message == ("台账2024-06.xlsx：文件中没有一行可以入库：金额无法识别：“两千万”（1行）；金额无法识别：“很多”（1行）。"
                         "请按原因修改台账后重新上传。")
    assert rows(db, "SELECT count(*) FROM rejected_rows") == [(0,)]
    assert rows(db, "SELECT status FROM loads") == [("refused",)]


def test_sheet_per_stage_and_subtotals(tmp_path):
    wb = openpyxl.Workbook()
    for title, projects in (("签约项目", [("A", 100), ("B", 200)]), ("开工项目", [("C", 300)])):
        ws = wb.create_sheet(title)
        ws.append(["临颍县招商项目台账"])
        ws.append(["项目名", "计划总投资（万元）", "县区"])
        for name, amount in projects:
            ws.append([name, amount, "临颍"])
        ws.append(["小计", sum(a for _, a in projects), None])
    del wb["Sheet"]
    wb.save(tmp_path / "临颍县2024年6月.xlsx")
    [r] = load_files([tmp_path / "临颍县2024年6月.xlsx"], db=tmp_path / "w.duckdb")
    assert rows(tmp_path / "w.duckdb", "SELECT project_name, stage FROM projects ORDER BY 1") == [
        ("A", "签约"), ("B", "签约"), ("C", "开工")]
    assert r.rows_skipped == 2 and not [w for w in r.warnings if "小计" in w]


def test_vertically_merged_district_cells_fill_down(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["所属县区", "项目名称", "总投资（万元）", "项目状态"])
    ws.append(["源汇区", "甲", 1, "签约"])
    ws.append([None, "乙", 2, "签约"])
    ws.append(["召陵区", "丙", 3, "签约"])
    ws.merge_cells("A2:A3")
    wb.save(tmp_path / "全市2024-06.xlsx")
    load_files([tmp_path / "全市2024-06.xlsx"], db=tmp_path / "w.duckdb")
    assert rows(tmp_path / "w.duckdb", "SELECT project_name, district FROM projects ORDER BY 1") == [
        ("丙", "召陵区"), ("乙", "源汇区"), ("甲", "源汇区")]


def test_gb18030_csv_with_wgs84_coordinates(tmp_path):
    text = "项目编号,项目名称,所属县区,产业链,总投资(万元),项目进展,签约日期,经度(WGS84),纬度(WGS84)\n" \
           "JK-1,氟硅材料项目,经开区,氟硅新材料产业链,\"12,000\",在建,2024-03-05,114.0713,33.5336\n"
    f = tmp_path / "经开区-202406.csv"
    f.write_bytes(text.encode("gb18030"))
    [r] = load_files([f], db=tmp_path / "w.duckdb")
    assert r.status == "loaded" and any("GB18030" in w for w in r.warnings)
    [(name, district, chain, amount, stage, lng, lat)] = rows(tmp_path / "w.duckdb", """
        SELECT project_name, district, chain, total_investment_wan, stage, lng, lat FROM projects""")
    assert (name, district, chain, amount, stage) == ("氟硅材料项目", "漯河经济技术开发区", "氟硅新材料",
                                                      Decimal("12000"), "开工")
    # WGS-84 → GCJ-02 moves the point a few hundred metres; it must land on the converted spot
    from warehouse.geo import wgs84_to_gcj02

    assert (lng, lat) == pytest.approx(wgs84_to_gcj02(114.0713, 33.5336), abs=1e-6)
    assert abs(lng - 114.0713) > 0.004


def test_old_xls_with_serial_dates(tmp_path):
    book = xlwt.Workbook()
    sh = book.add_sheet("台账")
    sh.write(0, 0, "漯河市舞阳县招商引资项目台账（2024年6月）")
    for c, h in enumerate(["序号", "项 目 名 称", "总投资\n（万元）", "进展情况", "签约时间"]):
        sh.write(1, c, h)
    sh.write(2, 0, 1); sh.write(2, 1, "盐化工项目"); sh.write(2, 2, 8000); sh.write(2, 3, "已签约"); sh.write(2, 4, 45356)
    sh.write(3, 1, "合计"); sh.write(3, 2, 8000)
    book.save(str(tmp_path / "舞阳.xls"))
    [r] = load_files([tmp_path / "舞阳.xls"], db=tmp_path / "w.duckdb")
    assert rows(tmp_path / "w.duckdb", "SELECT project_name, total_investment_wan, sign_date, as_of FROM projects") == [
        ("盐化工项目", Decimal("8000"), dt.date(2024, 3, 5), dt.date(2024, 6, 30))]
    assert r.rows_read == 2 and r.rows_skipped == 1


def test_as_of_precedence(tmp_path):
    db = tmp_path / "w.duckdb"
    f = flat(tmp_path / "召陵区2024年07月.xlsx", "签约", 1)
    [r] = load_files([f], db=db, as_of=dt.date(2024, 8, 15))           # --as-of wins over the file name
    assert r.as_of == dt.date(2024, 8, 15)
    g = flat(tmp_path / "召陵区台账.xlsx", "签约", 1, name="另一个项目")   # no date anywhere: mtime
    [r] = load_files([g], db=db)
    assert r.as_of == dt.date.fromtimestamp(g.stat().st_mtime)
    assert any("文件修改时间" in w for w in r.warnings)


def run_cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "etl", *args], cwd=ROOT, capture_output=True, text=True, env=env)


def test_cli_json_contract_and_exit_codes(tmp_path):
    good = yancheng_ledger(tmp_path / "郾城区_2024年06月.xlsx")
    bad = tmp_path / "坏文件.xlsx"
    bad.write_bytes(b"PK\x03\x04 this is not a zip")
    p = run_cli("load", str(good), str(bad), "--db", str(tmp_path / "w.duckdb"), "--json")
    assert p.returncode == 1
    out = json.loads(p.stdout)
    assert [f["status"] for f in out["files"]] == ["loaded", "refused"]
    assert set(out["files"][0]) == {"path", "status", "message", "rows_loaded", "rows_rejected", "warnings"}
    assert out["files"][0]["rows_loaded"] == 4 and out["files"][0]["rows_rejected"] == 2
    assert "已损坏" in out["files"][1]["message"]
    p = run_cli("load", str(good), "--db", str(tmp_path / "w.duckdb"))
    assert p.returncode == 0 and "未变化" in p.stdout
    assert run_cli("load").returncode == 2
    assert run_cli("load", str(tmp_path / "不存在.xlsx")).returncode == 2
    assert run_cli("load", str(good), "--as-of", "2024-13-01").returncode == 2


def test_warehouse_path_from_environment(tmp_path):
    import os

    good = flat(tmp_path / "召陵区2024年07月.xlsx", "签约", 1)
    env = dict(os.environ, WAREHOUSE_PATH=str(tmp_path / "env.duckdb"))
    assert run_cli("load", str(good), env=env).returncode == 0
    assert wdb.exists(tmp_path / "env.duckdb")


def test_folder_load_finds_every_ledger(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    flat(tmp_path / "a" / "召陵区2024年06月.xlsx", "签约", 1)
    flat(tmp_path / "a" / "b" / "源汇区2024年06月.xlsx", "签约", 2, district="源汇区")
    (tmp_path / "a" / "说明.txt").write_text("x")
    (tmp_path / "a" / "~$召陵区2024年06月.xlsx").write_bytes(b"lock")
    results = load_files([tmp_path / "a"], db=tmp_path / "w.duckdb")
    assert sorted(Path(r.path).name for r in results) == ["召陵区2024年06月.xlsx", "源汇区2024年06月.xlsx"]
    assert all(r.status == "loaded" for r in results)
