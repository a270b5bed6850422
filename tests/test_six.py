"""六职招商: the workbooks districts send (recognised by content, every row loaded, skipped or
rejected with a reason, each trip counted once however many workbooks list it), and the seeds'
figures reproduced from the demo's generated workbooks and ledgers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from openpyxl import Workbook

from etl.load import load_files
from etl.normalise.six import count_of
from etl.normalise.six_headers import leader_in_text, resolve_post
from tests.warehouse_fixture import snapshot
from warehouse import six
from warehouse.db import reading
from warehouse.filters import Filters
from warehouse_copy import copy_warehouse

DEC = date(2025, 12, 1)
SIX_TABLES = ("six_trips", "six_receptions", "six_assignments", "loads")


def _rows_workbook(path, trips, title="郾城区2025年11月“六职”招商工作情况统计表", date_line="填报时间：2025年11月30日",
                  others: bool = True):
    wb = Workbook()
    ws = wb.active
    ws.title = "外出招商"
    ws.append([title])
    ws.append(["填报单位：郾城区招商中心", None, None, date_line])
    ws.append(["序号", "带队领导", "职务", "外出时间", "返回时间", "目的地", "拜访企业", "对接人", "洽谈线索（个）"])
    for row in trips:
        ws.append(row)
    ws.append(["合计", None, None, None, None, None, None, None, "3"])
    if not others:
        wb.save(path)
        return path
    s2 = wb.create_sheet("接待客商")
    s2.append(["接待时间", "接待领导", "职务", "客商名称", "来自", "洽谈内容"])
    s2.append(["2025-11-12", "张伟", "区委书记", "深圳某科技公司", "深圳", "新能源电池项目"])
    s3 = wb.create_sheet("包抓项目")
    s3.append(["包抓领导", "职务", "项目编号", "项目名称", "是否拟招引"])
    s3.append(["张伟", "区委书记", "YC-001", "某食品项目", "是"])
    s3.append(["李强", "区长", None, "某 装备 项目", "否"])
    wb.save(path)
    return path


TRIPS = [[1, "张 伟", "区委书记", "2025.11.3", "2025.11.5", "广东深圳", "比亚迪、华为", "王总", "2"],
         [2, "李强", "区长", "11月10日", None, "上海", "某某食品有限公司", None, "1"],
         [3, "李强", None, "11月20日", "11月21日", "江苏苏州", "甲公司；乙公司；丙公司", None, "无"],
         [4, "王五", "市长", "11月22日", None, "北京", "", None, None]]


def test_posts_and_leaders_as_written():
    assert resolve_post("中共郾城区委书记") == "县区委书记"
    assert resolve_post("常务副县长") == "常务副县区长"
    assert resolve_post("县委副书记") == "副书记"
    assert resolve_post("副区长（分管招商引资）") == "分管招商引资副县区长"
    assert resolve_post("代县长") == "县区长"
    assert resolve_post("产业集聚区管委会主任") == "开发区主任"
    assert resolve_post("市长") is None
    assert leader_in_text("张伟（区委书记）") == ("张伟", "县区委书记")
    assert leader_in_text("县长李强外出招商情况") == ("李强", "县区长")
    assert count_of("5家") == (5, None) and count_of("三") == (3, None) and count_of("无") == (None, None)
    assert count_of("若干")[1] == "“若干”不是数目"


def test_a_rows_workbook_loads_every_row_or_says_why(tmp_path):
    db = tmp_path / "w.duckdb"
    path = _rows_workbook(tmp_path / "郾城区六职招商2025年11月.xlsx", TRIPS)
    (r,) = load_files([path], db=db)
    assert r.status == "loaded" and r.as_of == date(2025, 11, 30)
    assert (r.rows_read, r.rows_loaded, r.rows_skipped, r.rows_rejected) == (8, 6, 1, 1)
    assert r.rejected[0]["reason"].startswith("职务“市长”不是“六职”")
    assert any("1次外出没有写天数和返回时间，按1天计" in w for w in r.warnings)
    with reading(db) as con:
        trips = con.execute("SELECT leader, post, start_date, days, companies_visited, leads FROM six_trips "
                            "ORDER BY start_date").fetchall()
        assert trips == [("张伟", "县区委书记", date(2025, 11, 3), 3, 2, 2),
                         ("李强", "县区长", date(2025, 11, 10), 1, 1, 1),        # no end date: one day
                         ("李强", "县区长", date(2025, 11, 20), 2, 3, 0)]         # post from his other row
        assert con.execute("SELECT project_name, planned FROM six_assignments ORDER BY 1").fetchall() == [
            ("某装备项目", False), ("某食品项目", True)]
        t = six.totals(con, Filters(), date(2025, 11, 1))
        assert (t["trips"], t["trips_month"], t["days"], t["companies_visited"], t["leads"], t["receptions"]) == (
            3, 3, 6, 6, 3, 1)
        assert (t["projects"], t["linked"], t["planned"]) == (2, 0, 1)      # no ledger loaded: none 入库


def test_a_trip_listed_again_next_month_counts_once(tmp_path):
    db = tmp_path / "w.duckdb"
    first = _rows_workbook(tmp_path / "郾城区六职招商2025年11月.xlsx", TRIPS[:2])
    again = TRIPS[:2] + [[3, "李强", "区长", "12月2日", "12月4日", "北京", "某公司", None, "1"]]
    second = _rows_workbook(tmp_path / "郾城区六职招商2025年12月.xlsx", again,
                            title="郾城区2025年12月“六职”招商工作情况统计表", date_line="填报时间：2025年12月31日")
    assert [r.status for r in load_files([first, second], db=db)] == ["loaded", "loaded"]
    assert load_files([second], db=db)[0].status == "unchanged"        # the same content again: nothing
    with reading(db) as con:
        t = six.totals(con, Filters(), DEC)
        assert (t["trips"], t["trips_month"], t["days"]) == (3, 1, 3 + 1 + 3)
        assert six.trend(con, Filters(), 2025).filter(six_month_is(11))["trips"].to_list() == [2]


def six_month_is(m: int):
    import polars as pl
    return pl.col("month").dt.month() == m


def test_one_sheet_per_leader_with_yearless_dates(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "张伟（县委书记）"
    ws.append(["舞阳县县委书记张伟外出招商情况（2025年）"])
    ws.append(["序号", "时间", "天数", "目的地", "拜访企业", "拜访企业数", "获取线索"])
    ws.append([1, "3月5日", "3天", "上海", "甲公司，乙公司", "2", "无"])
    ws.append([2, "4月8日", "2", "深圳", "丙公司", "五", "1"])
    other = wb.create_sheet("李强（县长）")
    other.append(["序号", "时间", "天数", "目的地", "拜访企业", "拜访企业数", "获取线索"])
    other.append([1, "5月9日", "1天", "北京", "丁公司", "1", "2"])
    path = tmp_path / "舞阳县六职招商（截至2025年6月）.xlsx"
    wb.save(path)
    db = tmp_path / "w.duckdb"
    (r,) = load_files([path], db=db)
    assert r.status == "loaded" and r.rows_loaded == 3 and r.rows_rejected == 0 and r.as_of == date(2025, 6, 30)
    with reading(db) as con:
        assert con.execute("SELECT district, leader, post, start_date, days, companies_visited FROM six_trips "
                           "ORDER BY start_date").fetchall() == [
            ("舞阳县", "张伟", "县区委书记", date(2025, 3, 5), 3, 2), ("舞阳县", "张伟", "县区委书记", date(2025, 4, 8), 2, 5),
            ("舞阳县", "李强", "县区长", date(2025, 5, 9), 1, 1)]


def test_a_workbook_of_which_no_row_can_be_used_is_refused_and_changes_nothing(tmp_path, small_warehouse):
    db = tmp_path / "w.duckdb"
    copy_warehouse(small_warehouse, db)
    before = snapshot(db, SIX_TABLES[:3])
    bad = [[1, "王五", "市长", "11月22日", None, "北京", "甲公司", None, None],
           [2, None, "区长", "11月23日", None, "上海", "乙公司", None, None]]
    (r,) = load_files([_rows_workbook(tmp_path / "郾城区六职招商2025年11月.xlsx", bad, others=False)], db=db)
    assert r.status == "refused"
    assert "“六职”招商表中没有一行可以入库" in r.message and "缺少领导姓名（1行）" in r.message
    assert snapshot(db, SIX_TABLES[:3]) == before


def test_a_district_account_cannot_load_another_districts_six_workbook(tmp_path):
    db = tmp_path / "w.duckdb"
    path = _rows_workbook(tmp_path / "郾城区六职招商2025年11月.xlsx", TRIPS[:2])
    (r,) = load_files([path], db=db, user="wuyang", districts={"411121"})
    assert r.status == "refused" and "都不属于本账号的县区" in r.message


def test_a_project_ledger_with_a_leader_column_is_still_a_ledger(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["项目名称", "所属县区", "总投资（万元）", "项目状态", "包保领导", "签约时间"])
    ws.append(["某食品项目", "郾城区", "5000", "签约", "张伟", "2025-03-01"])
    path = tmp_path / "郾城区2025年11月台账.xlsx"
    wb.save(path)
    db = tmp_path / "w.duckdb"
    (r,) = load_files([path], db=db)
    assert r.status == "loaded"
    with reading(db) as con:
        assert con.execute("SELECT kind FROM loads").fetchall() == [("项目台账",)]


def test_the_seeds_figures_from_the_demo(demo_warehouse):
    """Seed 001 for the city, seed 003 for 西城区 — from the demo's 32 cumulative workbooks (the demo
    ledgers mostly have no 项目编号: the 包抓 lines find their projects by district and name)."""
    with reading(demo_warehouse) as con:      # not the module-wide demo_con: other tests here write
        _seed_figures(con)


def _seed_figures(demo_con) -> None:
    city = six.totals(demo_con, Filters(), DEC)
    assert (city["trips"], city["companies_visited"]) == (258, 363)
    assert (city["signed"], city["registered"], city["started"]) == (93, 82, 60)
    xc = six.totals(demo_con, Filters(districts=("西城区",)), DEC)
    assert (xc["planned"], xc["planned_signed"], xc["planned_registered"], xc["planned_started"]) == (10, 8, 7, 7)
    by_district = six.activity(demo_con, Filters(), DEC)
    assert int(by_district["trips"].sum()) == 258 and by_district.height == 8
    n_rows = demo_con.execute("SELECT count(*) FROM six_trips").fetchone()[0]
    assert n_rows > 258                  # the same trips were listed quarter after quarter
    signed_wan = demo_con.execute("""
        SELECT sum(p.total_investment_wan) FROM projects p JOIN six_assignment_current a
          ON a.district_code = p.district_code AND a.project_name = replace(p.project_name, ' ', '')
        WHERE a.year = 2025 AND p.stage IN ('签约', '履约', '开工', '投产', '达效')""").fetchone()[0]
    assert city["signed_wan"] == signed_wan and isinstance(city["signed_wan"], Decimal)


def test_a_district_account_sees_its_own_six_rows_only(demo_warehouse):
    from warehouse.scope import Scope

    with reading(demo_warehouse, scope=Scope(("411103",), "yancheng")) as con:
        act = six.activity(con, Filters(), DEC, "leader")
        assert set(act["district"]) == {"郾城区"}
        assert set(six.projects(con, Filters(), 2025)["district"]) == {"郾城区"}


def test_the_blank_template_refused_as_empty_and_filled_loads(tmp_path):
    from openpyxl import load_workbook

    from etl.six_template import write_six_template

    blank = write_six_template(tmp_path / "郾城区六职招商（截至2025年11月）.xlsx")
    db = tmp_path / "w.duckdb"
    (r,) = load_files([blank], db=db)
    assert r.status == "refused" and "没有一行记录" in r.message
    wb = load_workbook(blank)
    wb["外出招商"].append([1, "郾城区", "张伟", "县区委书记", date(2025, 11, 3), date(2025, 11, 4), None, "上海",
                       None, "甲公司、乙公司", "王总", 1, None, None])
    wb["接待客商"].append([1, "郾城区", date(2025, 11, 12), "张伟", "县区委书记", "丙公司", "深圳", "电池项目"])
    wb["包抓项目"].append([1, "郾城区", "张伟", "县区委书记", None, "某食品项目", "是"])
    filled = tmp_path / "郾城区六职招商（截至2025年11月）填好.xlsx"
    wb.save(filled)
    (r,) = load_files([filled], db=db)
    assert r.status == "loaded" and (r.rows_loaded, r.rows_rejected) == (3, 0)
    with reading(db) as con:
        assert con.execute("SELECT days, companies_visited, leads FROM six_trips").fetchall() == [(2, 2, 1)]
        assert con.execute("SELECT planned FROM six_assignments").fetchall() == [(True,)]
