"""考评 (warehouse/scoring*.py, pages/scores.py, pages/score_inputs.py): worked examples computed by
hand, a refused rule file, the manual input and its audit line, a district account's view."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from auth_fixture import sign_in
from warehouse import audit, derived, scoring
from warehouse.db import connect, reading
from warehouse.scope import Scope
from warehouse.scoring_points import marks, ranks, totals
from warehouse.scoring_rules import RuleError, load_rules, parse_rules
from warehouse_fixture import FORMULA_NAME, SHARED_NAME, build_small_warehouse

APP = str(Path(__file__).resolve().parent.parent / "app.py")
D = Decimal
D_ = date.fromisoformat

FOUR = """
name = "测试考评"
year = 2024
period = "month"
[[indicators]]
key = "comp"
name = "完成率"
weight = 40
method = "completion"
source = "target"
target = "签约项目数"
cap = 1.2
[[indicators]]
key = "eff"
name = "功效"
weight = 30
method = "efficacy"
source = "ledger"
stage = "开工"
measure = "investment"
[[indicators]]
key = "band"
name = "分档"
weight = 30
method = "bands"
source = "ledger"
stage = "投产"
bands = [{from = 0, points = 0}, {from = 1, points = 10}, {from = 3, points = 20}, {from = 6, points = 30}]
[[indicators]]
key = "ded"
name = "停滞扣分"
method = "deduction"
source = "ledger"
measure = "stalled"
per = -1
min = -5
"""


def test_worked_example_by_hand():
    """A: 150% → capped at 120% × 40 = 48; eff 100 → (100−0)/(100−0)×40+60 = 100 × 30/100 = 30; 2 → band 10;
    7 stalled → −7 capped at −5: 88 − 5 = 83.  B: 75% × 40 = 30; 50 → 80 × 0.3 = 24; 6 → 30; −1: 83.
    C: no target (not scored); 0 → 60 × 0.3 = 18; 3 → 20; 0: (18 + 20) × 100 / 60 = 63.33….
    D: 50% → 20; no value → 0 (未报送, left out of min/max); 0 → 0; −2: 18.  Ranks 1, 1, 3, 4."""
    rules = parse_rules(FOUR).yearly
    inputs = {
        "comp": {"A": (D("1.5"), ""), "B": (D("0.75"), ""), "C": (None, "无目标"), "D": (D("0.5"), "")},
        "eff": {"A": (D(100), ""), "B": (D(50), ""), "C": (D(0), ""), "D": (None, "未报送")},
        "band": {"A": (D(2), ""), "B": (D(6), ""), "C": (D(3), ""), "D": (D(0), "")},
        "ded": {"A": (D(7), ""), "B": (D(1), ""), "C": (D(0), ""), "D": (D(2), "")},
    }
    by = {i.key: marks(i, inputs[i.key], rules) for i in rules.indicators}
    assert [by["comp"][c].points for c in "ABD"] == [D(48), D(30), D(20)]
    assert by["comp"]["C"].points is None and "无目标" in by["comp"]["C"].reason
    assert [by["eff"][c].points for c in "ABCD"] == [D(30), D(24), D(18), D(0)]
    assert by["eff"]["D"].reason == "未报送" and by["eff"]["D"].lost == D(30)
    assert [by["band"][c].points for c in "ABCD"] == [D(10), D(30), D(20), D(0)]
    assert [by["ded"][c].points for c in "ABCD"] == [D(-5), D(-1), D(0), D(-2)]
    assert by["ded"]["A"].lost == D(5)
    sums = totals(rules, by, list("ABCD"))
    assert sums["A"].total == D(83) and sums["B"].total == D(83) and sums["D"].total == D(18)
    assert sums["C"].total == D(38) * 100 / 60 and sums["C"].rescaled
    assert sums["C"].total.quantize(D("0.01")) == D("63.33")
    assert ranks({c: t.total for c, t in sums.items()}) == {"A": 1, "B": 1, "C": 3, "D": 4}


def test_ties_share_a_rank_and_the_next_is_skipped():
    assert ranks({"a": D(90), "b": D(80), "c": D(80), "d": D(70), "e": None}) == {
        "a": 1, "b": 2, "c": 2, "d": 4, "e": None}


def test_efficacy_all_equal_is_full_weight_and_zero_rule():
    rules = parse_rules(FOUR.replace('period = "month"', 'period = "month"\nno_target = "zero"')).yearly
    eff = rules.indicator("eff")
    assert {c: m.points for c, m in marks(eff, {"a": (D(5), ""), "b": (D(5), "")}, rules).items()} == {
        "a": D(30), "b": D(30)}
    comp = marks(rules.indicator("comp"), {"a": (None, "无目标")}, rules)["a"]
    assert comp.points == 0 and comp.lost == D(40)         # no_target = "zero": 0, not rescaled


@pytest.mark.parametrize("change, words", [
    (('method = "bands"', 'method = "magic"'), "method"),
    (("weight = 30\nmethod = \"efficacy\"", "weight = \"很多\"\nmethod = \"efficacy\""), "不是数字"),
    (('source = "target"', 'source = "crystal_ball"'), "source"),
    (('period = "month"', 'period = "fortnight"'), "period"),
    (('year = 2024', 'year = "去年"'), "年度"),
    (("[[indicators]]\nkey = \"comp\"", "[[indicators]]\nkey = \"comp\"\n[[indicators]]\nkey = \"comp\""), "指标"),
])
def test_a_bad_rule_file_is_refused_in_chinese(change, words):
    with pytest.raises(RuleError) as exc:
        parse_rules(FOUR.replace(*change), "考评规则文件 2024.toml")
    assert words in str(exc.value) and "Traceback" not in str(exc.value)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(exc.value))


def test_a_bad_rule_file_on_the_page_is_a_message(tmp_path, small_con):
    (tmp_path / "2024.toml").write_text(FOUR.replace('method = "bands"', 'method = "magic"'), encoding="utf-8")
    board = scoring.score_board(small_con, 2024, None, tmp_path)
    assert "magic" in board["error"] and board["scores"].height == 0


def test_the_shipped_rule_files_are_valid():
    for year in (2024, 2025):
        rules = load_rules(year)
        assert rules.yearly.weight == 100 and rules.yearly.year == year
    assert load_rules(2025).batches.weight == 100


SMALL_RULES = """
name = "测试月考核"
year = 2024
period = "month"
[[indicators]]
key = "signed"
name = "签约项目数完成率"
weight = 40
method = "completion"
source = "target"
target = "签约项目数"
cap = 1.2
[[indicators]]
key = "signed_n"
name = "签约项目"
weight = 20
method = "bands"
source = "ledger"
stage = "签约"
window = "year"
bands = [{from = 0, points = 0}, {from = 1, points = 10}, {from = 2, points = 20}]
[[indicators]]
key = "service"
name = "服务保障"
weight = 30
method = "points"
source = "manual"
[[indicators]]
key = "trips"
name = "六职外出"
weight = 10
method = "bands"
source = "six"
bands = [{from = 1, points = 10}]
[[indicators]]
key = "stalled"
name = "停滞扣分"
method = "deduction"
source = "ledger"
measure = "stalled"
"""


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    """The 11-project warehouse (tests/warehouse_fixture.py), a 签约项目数 target of 4 for 源汇区 only
    (2 reported by June),
    two 服务保障 entries for 源汇区 in 2024-06 (the newer, 27.5, counts)."""
    base = tmp_path_factory.mktemp("scoring")
    rules = base / "rules"
    rules.mkdir()
    (rules / "2024.toml").write_text(SMALL_RULES, encoding="utf-8")
    db = build_small_warehouse(base / "w.duckdb")
    con = connect(db)
    try:
        con.execute("INSERT INTO indicator_targets VALUES (99, DATE '2024-01-15', '目标.xlsx', 'Sheet1', 3, 2024, "
                    "'411102', '源汇区', '签约项目数', '个', 4, '4')")
        con.execute("INSERT INTO indicator_actuals VALUES (98, '月报.xlsx', 'Sheet1', 3, DATE '2024-06-30', 2024, "
                    "'411102', '源汇区', '签约项目数', '个', 2, NULL, NULL, '2')")
        derived.refresh_city(con)           # as a load does after its rows
        scoring.save_input(con, 2024, "2024-06", "411102", "service", "20", "初评", "city", role="city", folder=rules)
        scoring.save_input(con, 2024, "2024-06", "411102", "service", "27.5", "复核", "city", role="city",
                           address="10.0.0.9", folder=rules)
    finally:
        con.close()
    return db, rules


def test_scores_on_a_small_warehouse_by_hand(scored):
    """源汇区: 签约 2 of 4 = 50% × 40 = 20; signed 2 (P01, P02) → 20; 服务保障 27.5 (the newer entry);
    六职 none → 0 未报送; stalled P10 → −1: 66.5.  郾城区: no target → not scored; signed 1 (P04) → 10;
    服务保障 未录入 → 0; 六职 0; no stall: (10 + 0 + 0) × 100 / 60 = 16.67."""
    db, rules = scored
    with reading(db) as con:
        board = scoring.score_board(con, 2024, "2024-06", rules)
        behind = scoring.behind_projects(con, 2024, "2024-06", "411102", folder=rules)
    assert board["error"] is None and board["period_text"] == "2024年6月" and board["previous_text"] == "2024年5月"
    totals_ = dict(board["scores"].select("district", "total").iter_rows())
    assert totals_["源汇区"] == D("66.5")
    assert totals_["郾城区"] == (D(10) * 100 / 60).quantize(D(10) ** -12)
    pts = {(r["district"], r["key"]): r for r in board["points"].iter_rows(named=True)}
    assert pts[("源汇区", "signed")]["value"] == D("0.5") and pts[("源汇区", "signed")]["points"] == D(20)
    assert pts[("源汇区", "service")]["points"] == D("27.5")
    assert pts[("源汇区", "trips")]["reason"] == "未报送" and pts[("源汇区", "trips")]["points"] == 0
    assert pts[("源汇区", "stalled")]["points"] == D(-1)
    assert pts[("郾城区", "signed")]["points"] is None and "无目标" in pts[("郾城区", "signed")]["reason"]
    assert pts[("郾城区", "service")]["reason"] == "未录入"
    rank = dict(board["scores"].select("district", "rank").iter_rows())
    assert rank["源汇区"] == 1 and rank["郾城区"] == 2
    assert set(behind.filter(behind["indicator"] == "停滞扣分")["project_name"]) == {
        '=HYPERLINK("http://example.invalid","点我")'}


def test_the_projects_behind_every_ledger_indicator_by_hand(scored, tmp_path):
    """Two counted indicators and a deduction, read in one statement: 源汇区 signed in 2024 up to
    May: P01 (50000 万), P02 (12000.5 万), largest first; started in May 2024: P01 (2024-05-01);
    stalled: P10. At most one each: P01, P01, P10."""
    db, _ = scored
    started = SMALL_RULES.replace(
        'key = "trips"\nname = "六职外出"\nweight = 10\nmethod = "bands"\nsource = "six"\n',
        'key = "started_n"\nname = "开工项目"\nweight = 10\nmethod = "bands"\nsource = "ledger"\n'
        'stage = "开工"\nwindow = "period"\n')
    assert "开工项目" in started
    (tmp_path / "2024.toml").write_text(started, encoding="utf-8")
    with reading(db) as con:
        behind = scoring.behind_projects(con, 2024, "2024-05", "411102", folder=tmp_path)
        one = scoring.behind_projects(con, 2024, "2024-05", "411102", limit=1, folder=tmp_path)
    rows = [(r["indicator"], r["project_name"], r["event_date"], r["total_investment_wan"])
            for r in behind.iter_rows(named=True)]
    assert rows == [("签约项目", "双汇肉制品扩建项目", D_("2024-02-10"), D(50000)),
                    ("签约项目", SHARED_NAME, D_("2024-03-15"), D("12000.5")),
                    ("开工项目", "双汇肉制品扩建项目", D_("2024-05-01"), D(50000)),
                    ("停滞扣分", FORMULA_NAME, D_("2023-04-01"), D(5000))]
    assert one["indicator"].to_list() == ["签约项目", "开工项目", "停滞扣分"]
    assert one["project_name"].to_list() == ["双汇肉制品扩建项目", "双汇肉制品扩建项目", FORMULA_NAME]


def test_the_manual_input_is_audited(scored):
    db, rules = scored
    with reading(db) as con:
        trail = audit.entries(con, actions=("score_input",))
        listing = scoring.input_listing(con, 2024)
    assert trail.height == 2 and trail["login"].to_list() == ["city", "city"]
    assert "源汇区“服务保障”27.5分（复核）" in trail["detail"][0] and trail["address"][0] == "10.0.0.9"
    assert listing["current"].to_list() == [True, False] and listing["value"].to_list() == [D("27.5"), D(20)]


@pytest.mark.parametrize("period, district, key, value, words", [
    ("2024-06", "411102", "service", "31", "0至30"),
    ("2024-06", "411102", "service", "很好", "不是数字"),
    ("2024-13", "411102", "service", "5", "考评期"),
    ("2024-06", "999999", "service", "5", "县区"),
    ("2024-06", "411102", "signed", "5", "人工录入"),
])
def test_a_wrong_manual_input_is_refused_and_changes_nothing(scored, period, district, key, value, words):
    db, rules = scored
    con = connect(db)
    try:
        before = con.execute("SELECT count(*) FROM score_inputs").fetchone()[0]
        with pytest.raises(RuleError) as exc:
            scoring.save_input(con, 2024, period, district, key, value, "", "city", folder=rules)
        assert words in str(exc.value)
        assert con.execute("SELECT count(*) FROM score_inputs").fetchone()[0] == before
    finally:
        con.close()


def test_a_district_account_sees_itself_only(scored):
    db, rules = scored
    with reading(db, Scope(("411103",), "yancheng")) as con:
        board = scoring.score_board(con, 2024, "2024-06", rules)
        listing = scoring.input_listing(con, 2024)
    assert board["partial"] and board["scores"]["district"].to_list() == ["郾城区"]
    assert set(board["points"]["district_code"]) == {"411103"} and board["scores"]["rank"].to_list() == [None]
    assert board["scores"]["total"][0] == (D(10) * 100 / 60).quantize(D(10) ** -12)   # its own, as the city sees it
    assert listing.height == 0                           # 源汇区's entries are not its own


def test_a_district_account_sees_no_relative_points(demo_warehouse):
    with reading(demo_warehouse, Scope(("411103",), "yancheng")) as con:
        board = scoring.score_board(con, 2025, "2025-12")
    eff = board["points"].filter(board["points"]["method"] == "efficacy")
    assert eff["points"].null_count() == eff.height > 0 and board["scores"]["total"].to_list() == [None]


def test_batch_board_ranks_n_minus_2_and_comments_n_minus_1(demo_warehouse):
    with reading(demo_warehouse) as con:
        board = scoring.batch_board(con)
        newest = con.execute("SELECT max(period) FROM project_batches").fetchone()[0]
        n1 = con.execute("SELECT count(*) FROM project_batches WHERE period = ?", [newest - 1]).fetchone()[0]
        asked = scoring._comment(con, newest - 1)          # the comment asked on its own, in SQL
        by_hand = con.execute(
            """SELECT p.district_code, b.batch, count(*), sum(b.investment_wan) FROM project_batches b
               JOIN projects p USING (project_id) WHERE b.period = ? GROUP BY ALL""", [newest - 1]).fetchall()
    assert board["period"] == f"第{newest - 2}期" and board["comment_period"] == f"第{newest - 1}期"
    assert board["scores"]["rank"].min() == 1 and board["scores"].height == 8
    # read with the ranked 期 in one query: the same rows, in the same order, as asked alone
    assert board["comment"].equals(asked) and board["comment"].height > 0
    assert board["comment"]["projects"].sum() == n1
    assert sorted(board["comment"].select("district_code", "batch", "projects", "investment_wan").rows()) == sorted(
        by_hand)
    order = {"签约一批": 0, "开工一批": 1, "投产一批": 2}
    for _, rows in board["comment"].group_by("district_code", maintain_order=True):
        assert [order[b] for b in rows["batch"]] == sorted(order[b] for b in rows["batch"])


class _Counting:
    """A page's connection that counts the statements run on it."""

    def __init__(self, con):
        self.con, self.statements = con, []

    def execute(self, sql, *args):
        self.statements.append(sql)
        return self.con.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self.con, name)


def test_a_board_asks_once_per_source_and_period(demo_warehouse):
    """Each source of inputs is one query for both periods a board compares (on a lake every
    statement is a round trip to the catalog server): the ledger's indicators in one pass over the
    projects, the batches in one, the manual entries once, the relation list once per connection."""
    with reading(demo_warehouse) as con:
        counting = _Counting(con)
        board = scoring.score_board(counting, 2025, "2025-12")
        rules = board["rules"]
        ledger = [s for s in counting.statements if "FILTER (WHERE reached >=" in s]
        manual = [s for s in counting.statements if "score_input_current" in s]
        catalog = [s for s in counting.statements if "duckdb_tables()" in s]
        assert len([i for i in rules.indicators if i.source == "ledger" and i.measure != "stalled"]) == 2
        assert len(ledger) == 1 and len(manual) == 1 and len(catalog) == 1        # two periods compared
        counting.statements.clear()
        scoring.batch_board(counting)
        batches = [s for s in counting.statements if "list_contains(?::INTEGER[], b.period)" in s]
        assert len(batches) == 1 and not [s for s in counting.statements if "duckdb_tables()" in s]


def _open(page: str, login: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    sign_in(at, login)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_score_inputs_page_saves_and_audits(tmp_path, monkeypatch):
    db = build_small_warehouse(tmp_path / "w.duckdb")
    monkeypatch.setenv("WAREHOUSE_PATH", str(db))
    at = _open("pages/score_inputs.py", "city")
    assert at.title[0].value == "考评录入"
    at.text_input(key="si-value").input("12.5")
    at.text_input(key="si-note").input("服务企业及时")
    next(b for b in at.button if b.label == "保存").click().run()
    assert not at.exception and any("已记入操作日志" in s.value for s in at.success), [e.value for e in at.error]
    with reading(db) as con:
        assert audit.entries(con, actions=("score_input",)).height == 1
        assert scoring.input_listing(con)["value"].to_list() == [D("12.5")]


def test_score_inputs_page_is_not_for_district_accounts(small_warehouse, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_PATH", str(small_warehouse))
    at = _open("pages/score_inputs.py", "yancheng")
    assert any("无权" in w.value for w in at.warning)


def test_scores_page_on_the_demo(demo_warehouse, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_PATH", str(demo_warehouse))
    at = _open("pages/scores.py", "city")
    assert at.title[0].value == "考评排名"
    text = " ".join(m.value for m in at.markdown) + " ".join(str(t.value) for t in at.dataframe)
    assert "未录入" in text or at.dataframe
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["考评期"] == "2025年12月" and metrics["参评县区"] == "8个"
