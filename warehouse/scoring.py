"""考评排名: districts scored by the year's published rules (data/scoring/<year>.toml).

  score_board(con, year, period)   each district's total, rank, change from the previous period,
                                   and per indicator its input, points, lost points and reason
  batch_board(con)                 the 三个一批 score: period n−2 ranked, period n−1 as a comment
                                   (n = the newest 期 with data), as the province does
  behind_projects(con, …)          the projects behind a district's points (the stalled projects
                                   that cost points, the projects counted)
  save_input(con, …)               a manual input (服务保障 …), appended to score_inputs and audited

Rules: warehouse/scoring_rules.py; inputs: warehouse/scoring_inputs.py; points: scoring_points.py.
The districts scored are the configured city's (ref_districts). On a district account's connection
(warehouse/scope.py) only its own districts exist: its own inputs and absolute points are shown,
a relative method (功效系数法), the total that needs it and the rank are not — they would need the
other districts' numbers, which a district account never sees (issue 12).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import polars as pl

from warehouse import audit
from warehouse.db import has_relation, next_id, transact
from warehouse.filters import Filters
from warehouse.progress import ORD, reached_sql
from warehouse.scoring_inputs import gather, window
from warehouse.scoring_points import RELATIVE, marks, ranks, totals
from warehouse.scoring_rules import BATCH_NAMES, LEDGER_STAGES, Period, RuleError, Rules, load_rules, periods_until, rule_years
from warehouse.settings import settings
from warehouse.stalls import STARTED_NOT_PRODUCING, stalled_projects

SCALE = pl.Decimal(38, 12)
SCORE_SCHEMA = {"district_code": pl.String, "district": pl.String, "total": SCALE, "rank": pl.Int64,
                "prev_total": SCALE, "prev_rank": pl.Int64, "base": SCALE, "adjust": SCALE, "lost": SCALE,
                "rescaled": pl.Boolean}
POINT_SCHEMA = {"district_code": pl.String, "district": pl.String, "key": pl.String, "indicator": pl.String,
                "method": pl.String, "source": pl.String, "weight": SCALE, "value": SCALE, "unit": pl.String,
                "points": SCALE, "lost": SCALE, "reason": pl.String, "order": pl.Int64}
BEHIND_SCHEMA = {"indicator": pl.String, "project_name": pl.String, "stage": pl.String, "event_date": pl.Date,
                 "total_investment_wan": pl.Decimal(24, 6), "stall_kind": pl.String, "months": pl.Int64}
_Q = Decimal(10) ** -12


def _q(x: Decimal | None) -> Decimal | None:
    return None if x is None else x.quantize(_Q)


def districts(con) -> dict[str, str]:
    """The configured city's districts this connection sees: code → name, in reference order."""
    city = str(settings().get("city", "code"))
    return dict(con.execute("SELECT code, name FROM ref_districts WHERE city_code = ? ORDER BY sort_order, code",
                            [city]).fetchall())


def is_partial(con) -> bool:
    """The connection is a district account's (warehouse/scope.py shadows ref_districts)."""
    return has_relation(con, "ref_districts", temporary=True)


def _newest(con) -> date | None:
    return con.execute("SELECT max(as_of) FROM projects").fetchone()[0]


def _score(con, rules: Rules, period: Period, names: dict[str, str], partial: bool, memo: dict):
    inputs = gather(con, rules, period, names, memo)
    by_ind = {ind.key: marks(ind, inputs[ind.key], rules, partial) for ind in rules.indicators}
    sums = totals(rules, by_ind, list(names))
    # a district account's rank among the districts it sees would be no rank at all: none is shown
    return by_ind, sums, ranks({c: None if partial else t.total for c, t in sums.items()})


def _frames(rules: Rules, names: dict[str, str], now, before) -> tuple[pl.DataFrame, pl.DataFrame]:
    by_ind, sums, rank = now
    prev_sums, prev_rank = (before[1], before[2]) if before else ({}, {})
    scores, points = [], []
    for code, name in names.items():
        t, p = sums[code], prev_sums.get(code)
        lost = sum((by_ind[i.key][code].lost or 0 for i in rules.indicators), Decimal(0))
        scores.append({"district_code": code, "district": name, "total": _q(t.total), "rank": rank[code],
                       "prev_total": _q(p.total) if p else None, "prev_rank": prev_rank.get(code),
                       "base": _q(t.base), "adjust": _q(t.adjust), "lost": _q(lost), "rescaled": t.rescaled})
        for order, ind in enumerate(rules.indicators):
            m = by_ind[ind.key][code]
            points.append({"district_code": code, "district": name, "key": ind.key, "indicator": ind.name,
                           "method": ind.method, "source": ind.source, "weight": _q(ind.weight),
                           "value": _q(m.value), "unit": ind.unit, "points": _q(m.points), "lost": _q(m.lost),
                           "reason": m.reason, "order": order})
    frame = pl.DataFrame(scores, schema=SCORE_SCHEMA).with_columns(
        (pl.col("total") - pl.col("prev_total")).alias("change"),
        (pl.col("prev_rank") - pl.col("rank")).alias("rank_change"))
    return frame.sort("rank", "district_code", nulls_last=True), pl.DataFrame(points, schema=POINT_SCHEMA)


def _board(con, rules: Rules, period: Period, extra: dict, memo: dict | None = None) -> dict:
    names, partial = districts(con), is_partial(con)
    previous = period.previous()
    # the year's targets and today's stalls read once for both periods, their ledger counts in one pass
    memo = memo if memo is not None else {}
    memo["periods"] = [p for p in (period, previous) if p]
    now = _score(con, rules, period, names, partial, memo)
    before = _score(con, rules, previous, names, partial, memo) if previous else None
    scores, points = _frames(rules, names, now, before)
    return {"error": None, "rules": rules, "period": period.label, "period_text": period.text,
            "previous_text": previous.text if previous else None, "scores": scores, "points": points,
            "partial": partial, "relative": RELATIVE if partial and any(
                i.method == "efficacy" for i in rules.indicators) else None, **extra}


def _refused(message: str, **extra) -> dict:
    return {"error": message, "rules": None, "period": None, "scores": pl.DataFrame(schema=SCORE_SCHEMA),
            "points": pl.DataFrame(schema=POINT_SCHEMA), "partial": False, **extra}


def score_board(con, year: int | None = None, period: str | None = None, folder: Path | None = None) -> dict:
    """The year's score for `period` (a label, 2025-12; default the newest with data): scores
    (district_code, district, total, rank, prev_total, prev_rank, change, rank_change, base, adjust,
    lost, rescaled) and points (per district and indicator). error: why there is nothing (Chinese)."""
    years = rule_years(folder)
    newest = _newest(con)
    if not years:
        return _refused("还没有考评规则文件（data/scoring/<年度>.toml）。", years=years, periods=[])
    if year not in years:
        year = next((y for y in years if newest is None or y <= newest.year), years[-1])
    try:
        rules = load_rules(year, folder).yearly
    except RuleError as exc:
        return _refused(str(exc), years=years, year=year, periods=[])
    found = periods_until(rules.kind, year, newest)
    if not found:
        return _refused(f"{year}年还没有台账数据，无法考评。", years=years, year=year, periods=[])
    chosen = next((p for p in found if p.label == period), found[0])
    return _board(con, rules, chosen, {"years": years, "year": year, "periods": [p.label for p in found],
                                       "period_texts": {p.label: p.text for p in found}})


def newest_batch_period(con) -> int | None:
    return con.execute("SELECT max(period) FROM project_batches").fetchone()[0]


def batch_board(con, folder: Path | None = None) -> dict:
    """The “三个一批” score of period n−2 (n: the newest 期 with data; the rules of the year that
    期 began in, its [batches] table) and, for the comment line, each district's batches of n−1."""
    n = newest_batch_period(con)
    if n is None or n < 3:
        return _refused("还没有足够的“三个一批”期次数据（需要至少三期）。", comment=_comment(con, None))
    ranked = Period("batch", Period("batch", 0, n - 2).start.year, n - 2)    # the year the 期 began in
    try:
        rules = load_rules(ranked.year, folder).batches
    except RuleError as exc:
        return _refused(str(exc), comment=_comment(con, None))
    if rules is None:
        return _refused(f"{ranked.year}年考评规则文件没有“三个一批”考评（[batches]）。", comment=_comment(con, None))
    memo: dict = {"batch_numbers": (n - 1,)}         # the comment's 期 counted with the ranked ones
    board = _board(con, rules, ranked, {"comment_period": f"第{n - 1}期"}, memo)
    board["comment"] = _comment(con, n - 1, memo.get(("batches", n - 1)))
    return board


COMMENT_SCHEMA = {"district_code": pl.String, "district": pl.String, "batch": pl.String, "projects": pl.Int64,
                  "investment_wan": pl.Decimal(38, 6)}


def _comment(con, period: int | None, counted: dict | None = None) -> pl.DataFrame:
    """Per district and batch of one 期: projects and investment (万元). counted: that 期's
    (district code, batch) → (projects, investment) when the board has read them already."""
    if counted is not None:
        order = {b: i for i, b in enumerate(BATCH_NAMES)}
        batches = sorted(counted.items(), key=lambda kv: order.get(kv[0][1], len(order)))     # sorted once
        rows = [{"district_code": code, "district": name, "batch": batch, "projects": n, "investment_wan": wan}
                for code, name in districts(con).items() for (c, batch), (n, wan) in batches if c == code]
        return pl.DataFrame(rows, schema=COMMENT_SCHEMA)
    city = str(settings().get("city", "code"))
    return con.execute(
        """SELECT d.code AS district_code, d.name AS district, b.batch, count(*) AS projects,
                  coalesce(sum(b.investment_wan), 0) AS investment_wan
           FROM project_batches b JOIN projects p USING (project_id) JOIN ref_districts d ON d.code = p.district_code
           WHERE b.period = ? AND d.city_code = ? GROUP BY d.code, d.name, b.batch
           ORDER BY any_value(d.sort_order), d.code, list_position(['签约一批', '开工一批', '投产一批'], b.batch)""",
        [period, city]).pl()


def behind_projects(con, year: int, period: str, district_code: str, limit: int = 50,
                    folder: Path | None = None) -> pl.DataFrame:
    """The projects behind a district's points in `period`: for each ledger indicator the
    projects counted (largest first), for a stalled-project deduction the stalled projects
    (longest first), at most `limit` each. indicator, project_name, stage, event_date,
    total_investment_wan, stall_kind, months."""
    try:
        rules = load_rules(year, folder).yearly
    except RuleError:
        return pl.DataFrame(schema=BEHIND_SCHEMA)
    name = districts(con).get(district_code)
    chosen = next((p for p in periods_until(rules.kind, year, date(year, 12, 31)) if p.label == period), None)
    if name is None or chosen is None:
        return pl.DataFrame(schema=BEHIND_SCHEMA)
    ledger = [i for i in rules.indicators if i.source == "ledger"]
    counted = [i for i in ledger if i.measure != "stalled"]
    found: list[pl.DataFrame] = []
    if counted:
        # the district's projects read once, each indicator's largest from them (on a lake every
        # scan of the projects is a read of the data files)
        parts, params = [], [district_code]
        for pos, ind in enumerate(counted):
            col = LEDGER_STAGES[ind.stage]
            start, _ = window(ind, chosen)
            parts.append(f"""SELECT * FROM (SELECT {pos} AS pos, project_id, ? AS indicator, project_name, stage,
                                     {col} AS event_date, total_investment_wan, NULL::VARCHAR AS stall_kind,
                                     NULL::BIGINT AS months FROM d
                              WHERE reached >= ? AND {col} BETWEEN ? AND ?
                              ORDER BY total_investment_wan DESC NULLS LAST, project_id LIMIT ?)""")
            params += [ind.name, ORD[ind.stage], start, chosen.end, limit]
        rows = con.execute(
            f"""WITH d AS MATERIALIZED (
                    SELECT project_id, project_name, stage, sign_date, start_date, production_date,
                           total_investment_wan, {reached_sql('p')} AS reached
                    FROM projects p WHERE district_code = ?)
                {' UNION ALL '.join(parts)}
                ORDER BY pos, total_investment_wan DESC NULLS LAST, project_id""", params).pl()
        found = [rows.filter(pl.col("pos") == pos) for pos in range(len(counted))]
    out = []
    for ind in ledger:
        if ind.measure == "stalled":
            s = stalled_projects(con, Filters(districts=(name,)), None, None, limit, shared=False)
            started = pl.col("kind") == STARTED_NOT_PRODUCING
            s = s.with_columns(pl.lit(ind.name).alias("indicator"), pl.col("kind").alias("stall_kind"),
                               pl.when(started).then(pl.col("start_date")).otherwise(pl.col("sign_date"))
                               .alias("event_date"))
        else:
            s = found.pop(0)
        out.append(s.select(list(BEHIND_SCHEMA)).cast(BEHIND_SCHEMA))
    return pl.concat(out) if out else pl.DataFrame(schema=BEHIND_SCHEMA)


def manual_indicators(year: int, folder: Path | None = None) -> list[dict]:
    """The indicators of `year`'s rules entered by hand: key, name, score (考评名称), periods
    (labels an entry may be for), low/high (the values allowed)."""
    rules = load_rules(year, folder)
    out = []
    for r in (rules.yearly, rules.batches):
        for ind in (r.indicators if r else ()):
            if ind.source != "manual":
                continue
            found = (periods_until(r.kind, year, date(year, 12, 31)) if r.kind != "batch" else
                     [Period("batch", year, n) for n in range((year - 2021) * 4 - 1, (year - 2021) * 4 + 3) if n >= 1])
            labels = [p.label for p in found]
            low = ind.low if ind.low is not None else (Decimal(0) if ind.method == "points" else None)
            high = ind.high if ind.high is not None else (ind.weight if ind.method == "points" else None)
            out.append({"key": ind.key, "name": ind.name, "score": r.name, "periods": labels, "low": low,
                        "high": high, "period_texts": {p.label: p.text for p in found}})
    return out


def save_input(con, year: int, period: str, district_code: str, key: str, value, note: str, login: str,
               role: str | None = None, address: str | None = None, folder: Path | None = None) -> str:
    """Append one manual input (the newest entry wins) and its audit line, in one transaction.
    Refused with a Chinese RuleError when the year, period, district, indicator or value is wrong.
    Returns the audit detail."""
    wanted = next((m for m in manual_indicators(year, folder) if m["key"] == key), None)
    if wanted is None:
        raise RuleError(f"{year}年考评规则中没有需要人工录入的指标“{key}”")
    if period not in wanted["periods"]:
        raise RuleError(f"“{wanted['name']}”没有考评期“{period}”")
    name = districts(con).get(district_code)
    if name is None:
        raise RuleError(f"不认识的县区代码“{district_code}”")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise RuleError(f"分值“{value}”不是数字") from None
    if not number.is_finite() or (wanted["low"] is not None and number < wanted["low"]) or (
            wanted["high"] is not None and number > wanted["high"]):
        raise RuleError(f"“{wanted['name']}”的分值须在{wanted['low']}至{wanted['high']}之间，录入的是{value}")
    detail = f"考评录入：{year}年{period} {name}“{wanted['name']}”{number}分" + (f"（{note}）" if note else "")

    def work(con):
        con.execute("INSERT INTO score_inputs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [next_id(con, "score_input_seq"), year, period, district_code, key, number, note or None, login,
                     datetime.now()])
        audit.record(con, "score_input", login, role=role, detail=detail, address=address, districts=(district_code,))

    transact(con, work)
    return detail


def input_listing(con, year: int | None = None) -> pl.DataFrame:
    """Every manual entry (newest first), with whether it is the one in force."""
    if not has_relation(con, "score_inputs"):
        return pl.DataFrame()
    return con.execute(
        """SELECT i.input_id, i.year, i.period, i.district_code, d.name AS district, i.indicator, i.value, i.note,
                  i.entered_by, i.entered_at, i.input_id IN (SELECT input_id FROM score_input_current) AS current
           FROM score_inputs i LEFT JOIN ref_districts d ON d.code = i.district_code
           WHERE ? IS NULL OR i.year = ? ORDER BY i.input_id DESC LIMIT 2000""", [year, year]).pl()
