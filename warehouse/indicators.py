"""The target indicators (目标任务指标) from data/reference/indicators.csv: name, canonical unit,
where the actual comes from (ledger: counted or summed from the project ledgers; reported: the
districts' monthly statistics) and the names ledgers and reports use for it.

The file is the city's to edit. `ledger_metric` names the one definition in the warehouse that
computes a ledger-sourced indicator (signed_projects, signed_investment; see
warehouse/sql/schema/010_indicators.sql).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from warehouse.reference import norm_key
from warehouse.settings import REFERENCE_DIR

FILE_NAME = "indicators.csv"
SOURCES = ("ledger", "reported")
LEDGER_METRICS = ("signed_projects", "signed_investment")
COUNT_UNITS = ("个",)
RMB_UNITS = ("亿元", "万元", "元")
USD_UNITS = ("万美元", "亿美元", "美元")


@dataclass(frozen=True)
class Indicator:
    name: str
    unit: str                      # canonical unit: every value is stored in it
    source: str                    # ledger / reported
    ledger_metric: str | None
    synonyms: tuple[str, ...]
    sort_order: int

    @property
    def unit_kind(self) -> str:
        """count / rmb / usd: which written units can be converted to this one."""
        return unit_kind(self.unit) or "count"


def unit_kind(unit: str | None) -> str | None:
    if not unit:
        return None
    if unit in ("个", "项", "家"):
        return "count"
    if "美元" in unit:
        return "usd"
    if unit in ("亿元", "亿", "万元", "万", "千元", "元"):
        return "rmb"
    return None


@lru_cache(maxsize=4)
def load_indicators(directory: str | None = None) -> tuple[Indicator, ...]:
    path = Path(directory) if directory else REFERENCE_DIR
    with (path / FILE_NAME).open(encoding="utf-8-sig", newline="") as f:
        rows = [{k: (v or "").strip() for k, v in r.items()} for r in csv.DictReader(f)]
    out = []
    for i, r in enumerate(rows):
        if r["source"] not in SOURCES:
            raise ValueError(f"{FILE_NAME} 第{i + 2}行：来源应为 ledger 或 reported，实为“{r['source']}”")
        metric = r.get("ledger_metric") or None
        if r["source"] == "ledger" and metric not in LEDGER_METRICS:
            raise ValueError(f"{FILE_NAME} 第{i + 2}行：台账指标须注明 ledger_metric（{'/'.join(LEDGER_METRICS)}）")
        if unit_kind(r["unit"]) is None:
            raise ValueError(f"{FILE_NAME} 第{i + 2}行：无法识别的单位“{r['unit']}”")
        synonyms = tuple(s.strip() for s in r["synonyms"].split(";") if s.strip())
        out.append(Indicator(r["indicator"], r["unit"], r["source"], metric, synonyms, i))
    return tuple(out)


def synonym_index(indicators: tuple[Indicator, ...]) -> dict[str, Indicator]:
    """norm_key(name or synonym) → indicator (the first indicator listing a name keeps it)."""
    index: dict[str, Indicator] = {}
    for ind in indicators:
        for name in (ind.name, *ind.synonyms):
            index.setdefault(norm_key(name), ind)
    return index


def write_indicator_table(con, indicators: tuple[Indicator, ...]) -> None:
    """Replace ref_indicators with the current file (inside the caller's transaction)."""
    con.execute("DELETE FROM ref_indicators")
    con.executemany("INSERT INTO ref_indicators VALUES (?, ?, ?, ?, ?)",
                    [(i.name, i.unit, i.source, i.ledger_metric, i.sort_order) for i in indicators])
