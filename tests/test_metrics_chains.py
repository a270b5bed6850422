"""Industry chain metrics: unknown chains counted (never dropped), key share, gaps, matrix."""

from decimal import Decimal

import pytest

from warehouse import chains
from warehouse.filters import UNKNOWN_CHAIN, Filters
from warehouse_fixture import TOTAL_INVESTMENT_WAN


def test_chain_summary_counts_every_project(small_con):
    df = chains.chain_summary(small_con, Filters())
    assert df["projects"].sum() == 11
    assert df["investment_wan"].sum() == TOTAL_INVESTMENT_WAN
    got = {r["chain"]: (r["projects"], r["investment_wan"]) for r in df.iter_rows(named=True) if r["projects"]}
    assert got == {
        "肉制品": (2, Decimal("55000")), "休闲食品": (3, Decimal("1112000.5")),
        "食品添加剂": (1, Decimal("20000")), "装备制造": (1, Decimal("150000")),
        "电子信息": (1, Decimal("8000")), "生物医药": (1, Decimal("0")), "盐化工": (1, Decimal("600000")),
        UNKNOWN_CHAIN: (1, Decimal("3000")),
    }
    unknown = df.filter(df["chain"] == UNKNOWN_CHAIN).row(0, named=True)
    assert unknown["cluster"] == "未归集群"


def test_key_chain_share(small_con):
    share = chains.key_chain_share(small_con, Filters())
    assert (share["key_projects"], share["all_projects"]) == (9, 11)   # 盐化工 and the unknown are not key
    assert share["key_investment_wan"] == Decimal("1345000.5")
    assert share["share_projects"] == pytest.approx(9 / 11)
    assert share["share_investment"] == pytest.approx(1345000.5 / 1948000.5)


def test_chain_district_matrix(small_con):
    df = chains.chain_district_matrix(small_con, Filters())
    cells = {(r["chain"], r["district"]): r["projects"] for r in df.iter_rows(named=True)}
    assert cells[("休闲食品", "源汇区")] == 1 and cells[("休闲食品", "临颍县")] == 1
    assert cells[(UNKNOWN_CHAIN, "召陵区")] == 1
    assert sum(cells.values()) == 11


def test_chain_gaps_include_empty_reference_chains(small_con):
    gaps = chains.chain_gaps(small_con, Filters(), fewer_than=1)
    assert set(gaps["chain"]) == {"饮料", "粮油制品", "预制菜", "氟硅新材料", "高分子材料", "纸制品",
                                  "新型建材", "纺织服装", "现代家居", "汽车零部件", "卫生材料", "现代物流"}
    assert "肉制品" in chains.chain_gaps(small_con, Filters(), fewer_than=3)["chain"].to_list()
    assert UNKNOWN_CHAIN not in chains.chain_gaps(small_con, Filters(), fewer_than=3)["chain"].to_list()


def test_unknown_chains_list_written_names(small_con):
    df = chains.unknown_chains(small_con, Filters())
    assert df.select("written_chain", "projects", "districts").rows() == [("区块链", 1, "召陵区")]


def test_chain_filter_selects_unknown(small_con):
    df = chains.chain_summary(small_con, Filters(chains=(UNKNOWN_CHAIN,)))
    assert df.filter(df["projects"] > 0)["chain"].to_list() == [UNKNOWN_CHAIN]
    df = chains.chain_summary(small_con, Filters(clusters=("新材料",)))
    assert df.filter(df["projects"] > 0)["chain"].to_list() == ["盐化工"]
