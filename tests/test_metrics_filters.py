"""Global filters: URL values are validated against the warehouse, and never become SQL text."""

from datetime import date

import pytest

from warehouse import ledger, overview
from warehouse.filters import (ALL_TIME, FilterOptions, Filters, TimeChoice, from_query, shifted_year,
                               to_query, where)
from warehouse.options import filter_options

OPTS = FilterOptions(districts=("源汇区", "郾城区"), clusters=("现代食品", "新材料"),
                     chains=("肉制品", "盐化工"), chain_cluster=(("肉制品", "现代食品"), ("盐化工", "新材料")),
                     periods=(12, 13), years=(2024, 2023), newest_as_of=date(2024, 6, 30))


def test_default_view_is_the_newest_year():
    filters, time = from_query({}, OPTS)
    assert filters == Filters(date_from=date(2024, 1, 1), date_to=date(2024, 12, 31))
    assert to_query(filters, time, OPTS) == {}


@pytest.mark.parametrize("params, expected", [
    ({"district": ["源汇区", "不存在区"]}, Filters(districts=("源汇区",))),
    ({"district": ["源汇区,郾城区"]}, Filters(districts=("源汇区", "郾城区"))),
    ({"chain": ["肉制品"], "cluster": ["新材料"]}, Filters(clusters=("新材料",))),  # chain outside cluster
    ({"period": ["12", "99", "1e3", "-1"]}, Filters(periods=(12,))),
    ({"stage": ["开工", "'; DROP TABLE project_rows; --"]}, Filters(stages=("开工",))),
    ({"district": ["<script>alert(1)</script>"]}, Filters()),
])
def test_unknown_values_are_dropped(params, expected):
    filters, _ = from_query({**params, "year": [ALL_TIME]}, OPTS)
    assert filters == expected


@pytest.mark.parametrize("params", [
    {"year": ["1999"]}, {"year": ["二〇二四"]}, {"from": ["2024-13-01"]}, {"to": ["yesterday"]},
    {"from": ["2024-06-01"], "to": ["2024-01-01"]}, {"year": ["2024' OR 1=1"]},
])
def test_bad_time_values_give_the_default(params):
    assert from_query(params, OPTS)[1] == TimeChoice("year", 2024)


def test_url_round_trip():
    filters = Filters(districts=("郾城区",), clusters=("现代食品",), chains=("肉制品",), periods=(13,),
                      stages=("签约", "开工"), date_from=date(2023, 1, 1), date_to=date(2023, 12, 31))
    time = TimeChoice("year", 2023)
    query = to_query(filters, time, OPTS)
    assert query == {"district": ["郾城区"], "cluster": ["现代食品"], "chain": ["肉制品"], "period": ["13"],
                     "stage": ["签约", "开工"], "year": ["2023"]}
    assert from_query(query, OPTS) == (filters, time)
    rng = TimeChoice("range", None, date(2024, 2, 1), date(2024, 3, 31))
    back = from_query(to_query(Filters(date_from=rng.date_from, date_to=rng.date_to), rng, OPTS), OPTS)
    assert back == (Filters(date_from=date(2024, 2, 1), date_to=date(2024, 3, 31)), rng)
    assert to_query(Filters(), TimeChoice("all"), OPTS) == {"year": [ALL_TIME]}


def test_where_binds_every_value():
    hostile = "x') OR 1=1 --"
    sql, params = where(Filters(districts=(hostile,), stages=(hostile,), chains=(hostile,),
                                date_from=date(2024, 1, 1)))
    assert hostile not in sql and "2024" not in sql
    assert params.count([hostile]) == 3


def test_hostile_values_match_nothing(small_con):
    hostile = Filters(districts=("源汇区' OR '1'='1",))
    assert ledger.project_count(small_con, hostile)["projects"] == 0
    assert ledger.project_count(small_con, Filters(), "%")["projects"] == 0      # no LIKE wildcards
    assert ledger.project_count(small_con, Filters(), "_")["projects"] == 0
    assert ledger.project_count(small_con, Filters(), "script")["projects"] == 1
    assert ledger.project_count(small_con, Filters(), "甲食品")["projects"] == 2  # investor match
    assert overview.headline(small_con, hostile)["projects"].sum() == 0


def test_shifted_year_handles_leap_day():
    f = shifted_year(Filters(date_from=date(2024, 2, 29), date_to=date(2024, 3, 1)))
    assert (f.date_from, f.date_to) == (date(2023, 2, 28), date(2023, 3, 1))


def test_filter_options_from_warehouse(small_con):
    opts = filter_options(small_con)
    assert opts.districts[:5] == ("源汇区", "郾城区", "召陵区", "舞阳县", "临颍县")
    assert opts.clusters == ("现代食品", "先进制造", "新材料", "未归集群")
    assert "未识别产业链" in opts.chains and opts.chains[0] == "肉制品"
    assert opts.periods == (8, 10, 11, 12, 13)
    assert opts.years == (2024, 2023, 2022) and opts.default_year == 2024
    assert set(opts.chains_of(["新材料"])) == {"氟硅新材料", "高分子材料", "纸制品", "盐化工", "新型建材",
                                                "未识别产业链"}


@pytest.mark.parametrize("filters", [Filters(), Filters(date_from=date(2024, 1, 1), date_to=date(2024, 6, 30)),
                                     Filters(districts=("源汇区",), stages=("签约", "开工"))])
@pytest.mark.parametrize("order, descending", [("total_investment_wan", True), ("total_investment_wan", False),
                                               ("project_name", False), ("sign_date", True)])
@pytest.mark.parametrize("limit", [1, 3, 5, 1000])
def test_top_rows_are_the_rows_a_plain_sort_gives(demo_con, filters, order, descending, limit):
    """top_rows' cut-off pass changes the speed, never the rows (amounts tie, some are unknown)."""
    from warehouse.filters import top_rows

    sql, params = where(filters)
    direction = "DESC" if descending else "ASC"
    plain = demo_con.execute(
        f"SELECT project_id FROM projects p WHERE {sql} ORDER BY {order} {direction} NULLS LAST, project_id "
        f"LIMIT {limit}", params).fetchall()
    fast = demo_con.execute(*top_rows("project_id", sql, params, order, descending, "project_id", limit)).fetchall()
    assert fast == plain and len(plain) >= min(limit, 1)
