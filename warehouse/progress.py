"""How far a project got: one definition, used by the funnel, the batches and the stalled lists.

A project has reached a stage when its latest stage is that stage or a later one, or when the
ledger wrote the date of that stage (or a later one) on or before its as-of date. The dates
matter for terminated projects: a project that started and was then dropped did start, so it
stays in the 开工 denominator of 投产率 ("terminated projects stay in the denominator").
"""

from __future__ import annotations

from warehouse.filters import STAGES, TERMINATED

ORD = {stage: i + 1 for i, stage in enumerate(STAGES)}   # 在谈 1 … 达效 6
SIGNED, REGISTERED, STARTED, PRODUCING, EFFECTIVE = (ORD[s] for s in ("签约", "履约", "开工", "投产", "达效"))

_DATE_OF = {SIGNED: "sign_date", REGISTERED: "register_date", STARTED: "start_date",
            PRODUCING: "production_date"}


def stage_ord_sql(alias: str = "p") -> str:
    """The latest stage as an ordinal (终止 → 0)."""
    a = f"{alias}." if alias else ""
    whens = " ".join(f"WHEN '{s}' THEN {o}" for s, o in ORD.items())
    return f"(CASE {a}stage {whens} ELSE 0 END)"


def reached_sql(alias: str = "p") -> str:
    """The furthest stage ordinal that the project is known to have reached."""
    a = f"{alias}." if alias else ""
    dated = ", ".join(f"CASE WHEN {a}{col} <= {a}as_of THEN {o} ELSE 0 END"
                      for o, col in _DATE_OF.items())
    return f"greatest({stage_ord_sql(alias)}, {dated})"


def terminated_sql(alias: str = "p") -> str:
    a = f"{alias}." if alias else ""
    return f"({a}stage = '{TERMINATED}')"
