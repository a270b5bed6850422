"""A deterministic province warehouse: N projects over 河南's 181 county-level areas, each listed
in its district's monthly ledger from the month it entered until the newest month, written
directly with DuckDB SQL into the tables a real load fills (same schema, same conventions).

Why not through the loader: 1M projects × ~30 monthly snapshots is ~30M ledger rows; writing and
loading that many spreadsheet rows would take hours. The loader is measured on real files in
bench/loading.py; the query benchmarks need the *result* of years of loads, which this module
writes the way the loader would have written it:

- one `loads` row per district ledger per month (file names, sheets and row numbers in the
  layout that district sends, see LAYOUTS), with skipped rows, a few rejected rows and warnings;
- `project_rows`: one row per project per monthly snapshot, in load order, with exactly the
  columns each layout carries (a CSV export has 项目编号, 投资方类型 and 签约活动; a legacy .xls has
  no coordinates, so its points are the district's centre, marked approximate; …);
- identities as the loader makes them: `编号:<code>` when the layout has a 项目编号 column,
  else `<district code>|<normalised name>`;
- `project_current` computed by the loader's own SQL (etl.store.REFRESH_CURRENT_SQL);
- the files that are not ledgers: 目标任务 and 指标月报 (2024–2025), and the newest year's 六职招商
  workbooks (bench/six_data.py), each with its `loads` row.

Projects live as the demo's do (etl/demo/projects.py): 在谈 → 签约 → (履约) → 开工 → 投产 → 达效 with
monthly chances, some stall, a few are dropped, some are listed in a "三个一批" batch. All
randomness comes from one numpy PCG64 stream seeded by `seed`: same arguments, same warehouse.

`snapshot_rows(month)` gives the rows a month's ledgers hold, as dicts for etl.layouts writers:
the loading benchmark writes the month after the newest one as real files, so a load of them
into the generated warehouse is a real monthly update.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from etl.demo import names
from etl.normalise.ledger import CODE_PREFIX
from warehouse import derived
from warehouse.reference import Reference, load_reference, write_reference_tables

FIRST_MONTH = (2021, 7)          # snapshot 0: 2021-07-31 (三个一批 第1期)
MONTHS = 54                      # snapshots 0 … 53: 2021-07-31 … 2025-12-31 (the newest in the warehouse)
SAMPLE_MONTH = MONTHS            # 2026-01-31: the next month, written as real ledger files
NEVER = 10_000                   # a month index meaning "has not happened"

LAYOUTS = ("A", "B", "C", "D", "E")
LAYOUT_NAMES = {"A": "title_twoheader_xlsx", "B": "sheet_per_stage_xlsx", "C": "flat_csv_gb18030",
                "D": "legacy_xls", "E": "masked_publication_xlsx"}
LAYOUT_FILLER = "ABABCDAB"
FILE_NAMES = {
    "A": "{name}_{y}年{m:02d}月_招商项目台账.xlsx",
    "B": "{short}{y}年{m}月招商引资项目进展表.xlsx",
    "C": "{short}-{y}{m:02d}.csv",
    "D": "{name}台账{y}.{m}.xls",
    "E": "{name}招商引资项目台账{y}年{m}月（公开版）.xlsx",
}
# what each layout's columns carry (etl/layouts.py): the loader stores NULL for the rest
HAS_CODE = ("C",)
HAS_PERIOD = ("A", "C")
HAS_FOREIGN = ("A", "C")
HAS_COORDS = ("A", "B", "C", "E")
HAS_UNIT = ("A",)
HAS_LEADER = ("A", "B", "C", "D")
HAS_INVESTOR_KIND = ("C",)
ROW_OFFSET = {"A": 5, "B": 3, "C": 1, "D": 2, "E": 2}   # header rows above the first project row
SKIPPED_PER_FILE = {"A": 8, "B": 7, "C": 0, "D": 1, "E": 0}  # section and 合计/小计 rows
STAGES = ("在谈", "签约", "履约", "开工", "投产", "达效", "终止")
# the date columns a sheet-per-stage ledger (layout B) has on each stage's sheet
B_DATES = {"sign": ("签约", "履约", "开工", "投产", "达效", "终止"), "start": ("开工", "投产", "达效"),
           "production": ("投产", "达效")}

BRAND_CHARS = "汇嘉恒盛金豫宏华天瑞鑫博康泰丰润德隆源中新亿佳永达禾图宇祥通成辉"   # 32
UNKNOWN_CHAIN, CLUSTER_ONLY, ALIAS_SPELLING = 0.015, 0.01, 0.25
OLD_STOCK = 0.12                 # projects already listed in the first snapshot
NO_COORDINATES, MASKED_SHARE, PENDING_SHARE, SHARED_NAME_SHARE = 0.10, 0.25, 0.2, 0.001


def month_end(index: int) -> date:
    y, m = divmod(FIRST_MONTH[0] * 12 + FIRST_MONTH[1] - 1 + index, 12)
    return date(y, m + 1, calendar.monthrange(y, m + 1)[1])


def month_index(day: date) -> int:
    return day.year * 12 + day.month - (FIRST_MONTH[0] * 12 + FIRST_MONTH[1])


def period_of(day: date) -> int:
    """三个一批 period: 2021 Q3 is 第1期 (as etl/demo/projects.py)."""
    return (day.year - 2021) * 4 + (day.month - 1) // 3 + 1 - 2


@dataclass
class Generated:
    projects: int
    history_rows: int
    loads: int
    seconds: float
    db_bytes: int
    newest_as_of: date
    six_rows: dict[str, int] = field(default_factory=dict)    # 六职招商: files, trips, receptions, assignments


# --- the projects ------------------------------------------------------------------------------

def _allocate(total: int, weights: np.ndarray) -> np.ndarray:
    shares = total * weights / weights.sum()
    counts = np.floor(shares).astype(np.int64)
    rest = total - counts.sum()
    order = np.argsort(-(shares - counts), kind="stable")
    counts[order[:rest]] += 1
    return counts


def _geometric(rng: np.random.Generator, p: np.ndarray | float, n: int) -> np.ndarray:
    return rng.geometric(np.broadcast_to(np.asarray(p, dtype=float), (n,))).astype(np.int64)


def _day_in_month(rng: np.random.Generator, months: np.ndarray) -> np.ndarray:
    """A random day (as numpy datetime64[D]) inside each month index; NEVER stays NaT."""
    out = np.full(months.shape, np.datetime64("NaT"), dtype="datetime64[D]")
    ok = months < NEVER
    first = np.datetime64(f"{FIRST_MONTH[0]}-{FIRST_MONTH[1]:02d}", "M") + months[ok]
    start = first.astype("datetime64[D]")
    length = ((first + 1).astype("datetime64[D]") - start).astype(np.int64)
    u = rng.random(months.shape[0])[ok]
    out[ok] = start + np.floor(u * length).astype(np.int64)
    return out


def plan_projects(ref: Reference, n: int, seed: int = 2021) -> pl.DataFrame:
    """One row per project: who it is and the month index of each of its events."""
    rng = np.random.Generator(np.random.PCG64(seed))
    districts = ref.districts
    weights = np.array([(0.6 if d.kind == "功能区" else 1.0) * (1.5 if d.parent_code == "410100" else 1.0)
                        for d in districts]) * rng.uniform(0.6, 1.6, len(districts))
    # n projects in the warehouse, and the new ones of the sample month on top (as many as a month brings)
    n_new = round(n * (1 - OLD_STOCK) / MONTHS)
    counts_old, counts_new = _allocate(n, weights), _allocate(n_new, weights)
    counts = counts_old + counts_new
    d_idx = np.concatenate([np.repeat(np.arange(len(districts)), counts_old),
                            np.repeat(np.arange(len(districts)), counts_new)])
    # layouts: a city's first five districts send the five layouts (in an order that turns from
    # city to city), the others mostly the common ones — every city with five or more districts
    # has every layout
    layout_of = np.zeros(len(districts), dtype=np.int64)
    position: dict[str, int] = {}
    for i, d in enumerate(districts):
        k = position.get(d.parent_code, 0)
        position[d.parent_code] = k + 1
        city = list(position).index(d.parent_code)
        code = LAYOUTS[(k + city) % 5] if k < 5 else LAYOUT_FILLER[(k - 5 + city) % len(LAYOUT_FILLER)]
        layout_of[i] = LAYOUTS.index(code)

    # entry month: some projects are old stock listed from the first snapshot, the rest arrive
    # evenly; within a district, row order is entry order
    entry = np.concatenate([np.where(rng.random(n) < OLD_STOCK, 0, rng.integers(0, MONTHS, n)),
                            np.full(n_new, SAMPLE_MONTH)])
    n = n + n_new
    order = np.lexsort((rng.random(n), entry, d_idx))
    entry, d_idx = entry[order], d_idx[order]
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    seq = np.arange(n) - np.repeat(starts, counts) + 1

    # life (months after entry; NEVER when it does not happen by the sample month)
    signed_at_entry = rng.random(n) < 0.45
    t_sign = np.where(signed_at_entry, entry, entry + _geometric(rng, 0.2, n))
    t_drop_talks = entry + _geometric(rng, 0.01, n)
    dropped_talks = ~signed_at_entry & (t_drop_talks < t_sign)
    stalled_signed = rng.random(n) < 0.3
    t_go = t_sign + _geometric(rng, np.where(stalled_signed, 0.01, 0.3), n)
    t_drop_signed = t_sign + _geometric(rng, 0.004, n)
    dropped_signed = ~dropped_talks & (t_drop_signed < t_go)
    via_register = rng.random(n) < 0.5
    t_reg = np.where(via_register, t_go, NEVER)
    t_start = np.where(via_register, t_go + _geometric(rng, 0.3, n), t_go)
    stalled_building = rng.random(n) < 0.15
    t_prod = t_start + 4 + _geometric(rng, np.where(stalled_building, 0.01, 0.08), n)
    t_eff = t_prod + 5 + _geometric(rng, 0.06, n)
    t_term = np.where(dropped_talks, t_drop_talks, np.where(dropped_signed, t_drop_signed, NEVER))
    t_sign = np.where(dropped_talks, NEVER, t_sign)
    for t in (t_reg, t_start, t_prod, t_eff):
        t[dropped_talks | dropped_signed] = NEVER
    for t in (t_sign, t_reg, t_start, t_prod, t_eff, t_term):
        t[t > SAMPLE_MONTH] = NEVER

    # money (万元): most 0.1–5亿, some 5–10亿, a few 10–50亿, rare 50亿+ (as the demo)
    u = rng.random(n)
    lo = np.select([u < 0.74, u < 0.91, u < 0.995], [1000, 50000, 100000], 500000)
    hi = np.select([u < 0.74, u < 0.91, u < 0.995], [50000, 100000, 500000], 950000)
    step = np.select([u < 0.74, u < 0.91, u < 0.995], [100, 1000, 10000], 10000)
    raw = np.exp(rng.uniform(np.log(lo), np.log(hi)))
    amount_units = np.maximum(np.round(raw / step), 1).astype(np.int64) * step   # whole 万元
    v = rng.random(n)
    extra_tens = rng.integers(1, 10, n) * 10
    amount_tenths = amount_units * 10 + np.where((amount_units < 10000) & (v < 0.06), 5, 0) \
        + np.where((amount_units >= 10000) & (amount_units < 50000) & (v < 0.2), extra_tens * 10, 0)
    big = amount_units >= 10000
    foreign = rng.random(n) < 0.06
    foreign_wan_usd = np.maximum(50, (amount_units / 7 * rng.uniform(0.3, 1.0, n)).astype(np.int64))
    pending = ~signed_at_entry & (rng.random(n) < PENDING_SHARE)
    masked = rng.random(n) < MASKED_SHARE
    sign_b = rng.random(n) < np.where(big, 0.65, 0.25)
    start_b = rng.random(n) < np.where(big, 0.65, 0.25)
    prod_b = rng.random(n) < np.where(big, 0.65, 0.25)

    # chains: weighted to key chains; a few unknown names and a few cluster-only names
    chains = ref.chains
    cw = np.array([3.0 if c["is_key"] else 1.5 for c in chains])
    chain_i = rng.choice(len(chains), size=n, p=cw / cw.sum())
    cu = rng.random(n)
    unknown_i = rng.integers(0, len(names.UNKNOWN_CHAINS), n)
    cluster_aliases = sorted((a, cl) for a, (ch, cl) in ref.chain_aliases.items() if ch is None)
    cluster_i = rng.integers(0, max(1, len(cluster_aliases)), n)
    alias_u = rng.random(n)
    alias_pick = rng.integers(0, 1 << 30, n)

    # names: a unique four-character brand per project (an affine permutation of the index)
    product_pick = rng.integers(0, 1 << 30, n)
    suffix_pick = rng.integers(0, len(names.SUFFIXES), n)
    place_pick = rng.integers(0, 1 << 30, n)
    org_pick = rng.integers(0, len(names.ORG), n)
    origin_pick = rng.integers(0, len(names.ORIGINS), n)
    kind_pick = rng.integers(0, len(names.INVESTOR_KINDS), n)
    event_pick = rng.integers(0, len(names.EVENTS), n)
    unit_pick = rng.integers(0, 4, n)
    leader_pick = rng.integers(0, 5, n)
    shared = rng.random(n) < SHARED_NAME_SHARE
    shared_with = rng.integers(0, n, n)

    # places: around the district's centre; some ledgers give no point
    no_point = rng.random(n) < NO_COORDINATES
    dlng = rng.normal(0, 0.045, n)
    dlat = rng.normal(0, 0.035, n)

    entry_day = _day_in_month(rng, entry)
    sign_day = np.where(signed_at_entry, entry_day, _day_in_month(rng, t_sign))
    sign_day[t_sign >= NEVER] = np.datetime64("NaT")
    start_day = _day_in_month(rng, t_start)
    prod_day = _day_in_month(rng, t_prod)

    # per-district leaders (包保领导) and units (责任单位)
    leader_rng = np.random.Generator(np.random.PCG64(seed + 1))
    leaders, units = [], []
    for d in districts:
        titles = names.leader_titles(d.name, d.kind)
        people = []
        for t in titles[:5] + titles[: max(0, 5 - len(titles))]:
            surname = names.SURNAMES[leader_rng.integers(len(names.SURNAMES))]
            given = "".join(leader_rng.choice(list(names.GIVEN), size=int(leader_rng.integers(1, 3)), replace=False))
            people.append(f"{surname}{given}({t})")   # the loader NFKC-normalises （）
        leaders.append(people)
        units.append([f"{d.short_name}{x}" for x in ("招商服务中心", "商务局", "发展改革委", "工业和信息化局")])

    modulus = len(BRAND_CHARS) ** 4
    if n > modulus:
        raise ValueError(f"at most {modulus} projects")
    perm = (np.arange(n, dtype=np.int64) * 480_881 + 12_345) % modulus     # 480881 is odd: a bijection
    brands = []
    for x in perm.tolist():
        s = ""
        for _ in range(4):
            x, r = divmod(x, len(BRAND_CHARS))
            s += BRAND_CHARS[r]
        brands.append(s)

    rows = {k: [] for k in ("chain_written", "chain", "cluster", "chain_known", "project_name", "investor",
                            "responsible_unit", "leader", "investor_kind", "investor_origin", "event")}
    chain_alias_lists = {c["chain"]: sorted(a for a, (ch, _) in ref.chain_aliases.items()
                                             if ch == c["chain"] and a != c["chain"]) for c in chains}
    for i in range(n):
        d = int(d_idx[i])
        if cu[i] < UNKNOWN_CHAIN:
            written = names.UNKNOWN_CHAINS[unknown_i[i]]
            chain, cluster, known = written, None, False
        elif cu[i] < UNKNOWN_CHAIN + CLUSTER_ONLY and cluster_aliases:
            written, cluster = cluster_aliases[cluster_i[i]]
            chain, known = None, None
        else:
            c = chains[chain_i[i]]
            chain, cluster, known = c["chain"], c["cluster"], True
            aliases = chain_alias_lists[chain]
            written = aliases[alias_pick[i] % len(aliases)] if aliases and alias_u[i] < ALIAS_SPELLING else chain
        brand = brands[i]
        products = names.PRODUCTS.get(chain or written, names.GENERIC_PRODUCTS)
        if amount_units[i] >= 500000:
            name = f"{brand}{(chain or '综合').removesuffix('产业')}{names.BIG_SUFFIXES[suffix_pick[i] % 4]}"
        else:
            name = f"{brand}{products[product_pick[i] % len(products)]}{names.SUFFIXES[suffix_pick[i]]}"
        origin = "境外" if foreign[i] else names.ORIGINS[origin_pick[i]]
        places = names.ORIGIN_PLACES[origin] if origin else (districts[d].short_name, "河南")
        investor = (f"{places[place_pick[i] % len(places)]}{brand}{names.SECTOR.get(cluster or '', '实业')}"
                    f"{names.ORG[org_pick[i]]}")
        rows["chain_written"].append(written)
        rows["chain"].append(chain)
        rows["cluster"].append(cluster)
        rows["chain_known"].append(known)
        rows["project_name"].append(name)
        rows["investor"].append(investor)
        rows["responsible_unit"].append(units[d][unit_pick[i]])
        rows["leader"].append(leaders[d][leader_pick[i]])
        rows["investor_kind"].append("外资" if foreign[i] else (names.INVESTOR_KINDS[kind_pick[i]] or None))
        rows["investor_origin"].append(origin or None)
        rows["event"].append(names.EVENTS[event_pick[i]] or None)
    # a few projects listed by two districts (shared or moved): the same name in both
    names_list = rows["project_name"]
    for i in np.flatnonzero(shared).tolist():
        j = int(shared_with[i])
        if d_idx[j] != d_idx[i]:
            names_list[i] = names_list[j]

    codes = [districts[d].code for d in d_idx.tolist()]
    layout = np.array(LAYOUTS)[layout_of[d_idx]]
    entry_years = (FIRST_MONTH[0] * 12 + FIRST_MONTH[1] - 1 + entry) // 12
    project_code = [f"{c}-{y}-{s:05d}" for c, y, s in zip(codes, entry_years.tolist(), seq.tolist())]
    name_key = [nm.replace(" ", "").lower() for nm in names_list]
    project_id = [f"{CODE_PREFIX}{pc}" if lay in HAS_CODE else f"{c}|{nk}"
                  for pc, lay, c, nk in zip(project_code, layout.tolist(), codes, name_key)]
    centre_lng = np.array([d.lng for d in districts])[d_idx]
    centre_lat = np.array([d.lat for d in districts])[d_idx]
    has_point = ~no_point & np.isin(layout, HAS_COORDS)

    return pl.DataFrame({
        "d_idx": d_idx.astype(np.int32), "seq": seq.astype(np.int32), "layout": layout,
        "district_code": codes, "district": [districts[d].name for d in d_idx.tolist()],
        "project_id": project_id, "project_code": project_code, "project_name": names_list, "name_key": name_key,
        "chain_written": rows["chain_written"], "chain": rows["chain"], "cluster": rows["cluster"],
        "chain_known": pl.Series(rows["chain_known"], dtype=pl.Boolean),
        "investor": rows["investor"],
        "amount_tenths": amount_tenths, "pending": pending, "masked": masked,
        "foreign_wan_usd": np.where(foreign, foreign_wan_usd, -1),
        "entry": entry.astype(np.int32), "t_sign": t_sign.astype(np.int32), "t_reg": t_reg.astype(np.int32),
        "t_start": t_start.astype(np.int32), "t_prod": t_prod.astype(np.int32), "t_eff": t_eff.astype(np.int32),
        "t_term": t_term.astype(np.int32),
        "entry_date": entry_day, "sign_date": sign_day, "start_date": start_day, "production_date": prod_day,
        "sign_b": sign_b, "start_b": start_b, "prod_b": prod_b,
        "lng": np.where(has_point, np.round(centre_lng + dlng, 6), centre_lng),
        "lat": np.where(has_point, np.round(centre_lat + dlat, 6), centre_lat),
        "has_point": has_point,
        "responsible_unit": rows["responsible_unit"], "leader": rows["leader"],
        "investor_kind": rows["investor_kind"], "investor_origin": rows["investor_origin"], "event": rows["event"],
    }).with_columns(pl.when(pl.col("foreign_wan_usd") >= 0).then(pl.col("foreign_wan_usd")).alias("foreign_wan_usd"))


# --- the ledgers: one file per district per month ----------------------------------------------

def plan_loads(ref: Reference, projects: pl.DataFrame, months: range) -> pl.DataFrame:
    layout_by_d = dict(projects.group_by("d_idx").agg(pl.col("layout").first()).iter_rows())
    rows = []
    n_d = len(ref.districts)
    for m in months:
        day = month_end(m)
        for d_i, d in enumerate(ref.districts):
            lay = layout_by_d.get(d_i)
            if lay is None:
                continue
            name = FILE_NAMES[lay].format(name=d.name, short=d.short_name, y=day.year, m=day.month)
            sheet = {"A": f"{day.year}年台账", "B": "", "C": name.rsplit(".", 1)[0], "D": "Sheet1",
                     "E": "项目清单"}[lay]
            rows.append({"load_id": m * n_d + d_i + 1, "d_idx": d_i, "m": m, "as_of": day, "layout": lay,
                         "source_file": name, "source_sheet": sheet, "row_offset": ROW_OFFSET[lay]})
    return pl.DataFrame(rows, schema={"load_id": pl.Int64, "d_idx": pl.Int32, "m": pl.Int32, "as_of": pl.Date,
                                      "layout": pl.String, "source_file": pl.String, "source_sheet": pl.String,
                                      "row_offset": pl.Int32})


def _in(column: str, layouts: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(x) for x in layouts)})"


def snapshot_sql(month: int) -> str:
    """SELECT of the project rows the ledgers of `month` hold (gen_projects p, gen_loads l)."""
    m = int(month)
    stage = (f"CASE WHEN p.t_term <= {m} THEN '终止' WHEN p.t_eff <= {m} THEN '达效' "
             f"WHEN p.t_prod <= {m} THEN '投产' WHEN p.t_start <= {m} THEN '开工' "
             f"WHEN p.t_reg <= {m} THEN '履约' WHEN p.t_sign <= {m} THEN '签约' ELSE '在谈' END")

    def dated(col: str, t: str, key: str) -> str:
        b_stages = ", ".join(repr(s) for s in B_DATES[key])
        return (f"CASE WHEN p.{t} <= {m} AND (p.layout <> 'B' OR s.stage IN ({b_stages})) "
                f"THEN p.{col} END")

    batch = (f"CASE WHEN NOT {_in('p.layout', HAS_PERIOD)} THEN NULL "
             f"WHEN p.prod_b AND p.t_prod <= {m} THEN '投产一批' "
             f"WHEN p.start_b AND p.t_start <= {m} THEN '开工一批' "
             f"WHEN p.sign_b AND p.t_sign <= {m} THEN '签约一批' END")
    batch_day = (f"CASE WHEN p.prod_b AND p.t_prod <= {m} THEN p.production_date "
                 f"WHEN p.start_b AND p.t_start <= {m} THEN p.start_date "
                 f"WHEN p.sign_b AND p.t_sign <= {m} THEN p.sign_date END")
    signed = f"p.t_sign <= {m}"
    return f"""
        SELECT l.load_id, l.as_of, l.source_file,
               CASE WHEN p.layout = 'B' THEN s.stage || '项目' ELSE l.source_sheet END AS source_sheet,
               p.seq + l.row_offset AS source_row,
               p.project_id,
               CASE WHEN {_in('p.layout', HAS_CODE)} THEN p.project_code END AS project_code,
               p.project_name, p.district_code, p.district, CAST(NULL AS VARCHAR) AS park,
               p.cluster, p.chain, p.chain_known, p.investor,
               CASE WHEN p.masked AND p.layout = 'E' THEN NULL
                    WHEN p.pending AND s.stage = '在谈' THEN NULL
                    ELSE CAST(CAST(p.amount_tenths AS DECIMAL(24, 6)) * 0.1 AS DECIMAL(24, 6)) END AS total_investment_wan,
               CASE WHEN p.masked AND p.layout = 'E' THEN '脱敏'
                    WHEN p.pending AND s.stage = '在谈' AND p.layout = 'B' THEN '待定' END AS investment_note,
               CASE WHEN {_in('p.layout', HAS_FOREIGN)} THEN CAST(p.foreign_wan_usd AS DECIMAL(24, 6)) END
                   AS foreign_investment_wan_usd,
               s.stage,
               {dated('sign_date', 't_sign', 'sign')} AS sign_date,
               CAST(NULL AS DATE) AS register_date,
               {dated('start_date', 't_start', 'start')} AS start_date,
               {dated('production_date', 't_prod', 'production')} AS production_date,
               CASE WHEN ({batch}) IS NOT NULL THEN CAST((year(bd) - 2021) * 4 + (month(bd) - 1) // 3 + 1 - 2 AS INTEGER)
                    END AS period,
               {batch} AS batch,
               p.lng, p.lat, NOT p.has_point AS location_approximate,
               CASE WHEN {_in('p.layout', HAS_UNIT)} THEN p.responsible_unit END AS responsible_unit,
               CASE WHEN {_in('p.layout', HAS_LEADER)} THEN p.leader END AS leader,
               CASE WHEN {_in('p.layout', HAS_INVESTOR_KIND)} THEN p.investor_kind END AS investor_kind,
               CASE WHEN {_in('p.layout', HAS_INVESTOR_KIND)} THEN p.investor_origin END AS investor_origin,
               CASE WHEN p.layout = 'C' AND {signed} THEN p.event END AS event,
               CASE WHEN p.layout = 'A' AND {signed} AND p.event IS NOT NULL THEN p.event || '签约' END AS remark,
               p.name_key
        FROM gen_projects p
        JOIN gen_loads l ON l.d_idx = p.d_idx AND l.m = {m}
        CROSS JOIN LATERAL (SELECT {stage} AS stage, {batch_day} AS bd) s
        WHERE p.entry <= {m}
    """


WRITER_COLUMNS = ("project_code", "project_name", "district", "park", "chain", "investor", "total_investment_wan",
                  "foreign_investment_wan_usd", "stage", "sign_date", "start_date", "production_date", "period",
                  "batch", "lng", "lat", "responsible_unit", "leader", "investor_kind", "investor_origin", "event",
                  "masked")


def snapshot_rows(ref: Reference, projects: pl.DataFrame, month: int, district_codes: list[str]) -> dict[str, list[dict]]:
    """The rows of `month`'s ledger of each district, as dicts for the etl.layouts writers
    (every field the project has, whatever the layout; the writer picks its columns)."""
    con = duckdb.connect(":memory:")
    sub = projects.filter(pl.col("district_code").is_in(district_codes))
    con.register("gen_projects", sub.to_arrow())
    con.register("gen_loads", plan_loads(ref, sub, range(month, month + 1)).to_arrow())
    m = int(month)
    stage = (f"CASE WHEN t_term <= {m} THEN '终止' WHEN t_eff <= {m} THEN '达效' WHEN t_prod <= {m} THEN '投产' "
             f"WHEN t_start <= {m} THEN '开工' WHEN t_reg <= {m} THEN '履约' WHEN t_sign <= {m} THEN '签约' "
             f"ELSE '在谈' END")
    frame = con.execute(f"""
        SELECT district_code, project_code, project_name, district, NULL AS park, chain_written AS chain, investor,
               CASE WHEN pending AND ({stage}) = '在谈' THEN NULL
                    ELSE CAST(CAST(amount_tenths AS DECIMAL(24, 6)) * 0.1 AS DECIMAL(24, 6)) END AS total_investment_wan,
               CAST(foreign_wan_usd AS DECIMAL(24, 6)) AS foreign_investment_wan_usd,
               {stage} AS stage,
               CASE WHEN t_sign <= {m} THEN sign_date END AS sign_date,
               CASE WHEN t_start <= {m} THEN start_date END AS start_date,
               CASE WHEN t_prod <= {m} THEN production_date END AS production_date,
               CASE WHEN prod_b AND t_prod <= {m} THEN production_date
                    WHEN start_b AND t_start <= {m} THEN start_date
                    WHEN sign_b AND t_sign <= {m} THEN sign_date END AS bd,
               CASE WHEN prod_b AND t_prod <= {m} THEN '投产一批'
                    WHEN start_b AND t_start <= {m} THEN '开工一批'
                    WHEN sign_b AND t_sign <= {m} THEN '签约一批' END AS batch,
               CASE WHEN has_point THEN lng END AS lng, CASE WHEN has_point THEN lat END AS lat,
               responsible_unit, leader, investor_kind, investor_origin,
               CASE WHEN t_sign <= {m} THEN event END AS event, masked AND layout = 'E' AS masked
        FROM gen_projects WHERE entry <= {m} ORDER BY d_idx, seq
    """).pl()
    con.close()
    out: dict[str, list[dict]] = {}
    for row in frame.iter_rows(named=True):
        bd = row.pop("bd")
        row["period"] = period_of(bd) if bd else None
        code = row.pop("district_code")
        out.setdefault(code, []).append({k: row[k] for k in WRITER_COLUMNS})
    return out


# --- the warehouse --------------------------------------------------------------------------------

def _fake_hash(load_id: int, seed: int) -> str:
    return hashlib.sha256(f"bench:{seed}:{load_id}".encode()).hexdigest()


TARGET_YEARS = (2024, 2025)
SEASON = (0.04, 0.09, 0.2, 0.28, 0.37, 0.5, 0.57, 0.65, 0.75, 0.83, 0.91, 1.0)   # as etl/demo/indicators.py
REPORTED_BASE = {"实际利用省外境内资金": 12, "实际利用外资": 120, "货物进出口额": 30000}   # a district's year


def _write_indicators(con, ref: Reference, seed: int, first_load_id: int) -> int:
    """目标任务 and 指标月报 for every district (2024, 2025), as the indicator loader stores them:
    targets for the ledger-sourced indicators from what the district really signs, divided by
    its pace; reported indicators on a seasonal curve. Returns the number of files (loads rows).
    Skipped when the warehouse has no indicator tables (an older schema)."""
    try:
        from warehouse.indicators import load_indicators, write_indicator_table
    except ImportError:
        return 0
    has_tables = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'indicator_targets'"
                             ).fetchone()[0]
    if not has_tables:
        return 0
    indicators = load_indicators()
    write_indicator_table(con, indicators)
    rng = np.random.Generator(np.random.PCG64(seed + 2))
    pace = {d.code: float(rng.uniform(0.78, 1.15)) for d in ref.districts}
    size = {d.code: float(rng.uniform(0.6, 1.5)) for d in ref.districts}
    newest = month_end(MONTHS - 1)
    signed = {(code, y): (n, wan) for code, y, n, wan in con.execute("""
        SELECT district_code, year(sign_date), count(*), coalesce(sum(total_investment_wan), 0)
        FROM project_current WHERE sign_date IS NOT NULL GROUP BY ALL""").fetchall()}
    loads, targets, actuals = [], [], []
    load_id = first_load_id
    for y in TARGET_YEARS:
        name = f"{ref.city_name}{y}年招商引资目标任务分解表.xlsx"
        as_of = date(y, 1, 31)
        rows = []
        for i, d in enumerate(ref.districts):
            for ind in indicators:
                if ind.source == "ledger":
                    n, wan = signed.get((d.code, y), (0, Decimal(0)))
                    value = Decimal(max(1, round(n / pace[d.code]))) if ind.ledger_metric == "signed_projects" else \
                        (Decimal(wan) / 10000 / Decimal(str(round(pace[d.code], 3)))).quantize(Decimal("0.01"))
                else:
                    value = Decimal(str(round(REPORTED_BASE.get(ind.name, 100) * size[d.code], 2)))
                rows.append((d.code, d.name, ind, value, i))
        for k, (code, district, ind, value, i) in enumerate(rows):
            targets.append((load_id, as_of, name, f"{y}年目标", 4 + k, y, code, district, ind.name, ind.unit,
                            value, f"{value}{ind.unit}"))
        loads.append((load_id, name, f"/data/targets/{name}", _fake_hash(load_id, seed), "目标任务", "loaded",
                      f"{y}年目标任务：{len(rows)}项目标。", as_of, "台账日期",
                      datetime.combine(as_of, datetime.min.time()).replace(hour=9), len(rows), len(rows), 0, 0, []))
        load_id += 1
        for month in range(1, 13):
            as_of = date(y, month, calendar.monthrange(y, month)[1])
            if as_of > newest:
                break
            name = f"{ref.city_name}{y}年1-{month}月招商引资指标完成情况表.xlsx"
            n = 0
            for i, d in enumerate(ref.districts):
                for ind in indicators:
                    if ind.source == "ledger":
                        continue
                    base = REPORTED_BASE.get(ind.name, 100) * size[d.code]
                    value = Decimal(str(round(base * SEASON[month - 1] * pace[d.code] * float(rng.uniform(0.9, 1.1)), 2)))
                    actuals.append((load_id, name, "完成情况", 4 + n, as_of, y, d.code, d.name, ind.name, ind.unit,
                                    value, None, None, f"{value}{ind.unit}"))
                    n += 1
            loads.append((load_id, name, f"/data/targets/{name}", _fake_hash(load_id, seed), "指标月报", "loaded",
                          f"{y}年1-{month}月指标完成情况：{n}项。", as_of, "台账日期",
                          datetime.combine(as_of + timedelta(days=6), datetime.min.time()).replace(hour=9),
                          n, n, 0, 0, []))
            load_id += 1
    _insert_rows(con, "loads", loads)
    _insert_rows(con, "indicator_targets", targets)
    _insert_rows(con, "indicator_actuals", actuals)
    return len(loads)


def _write_other_kinds(con, ref: Reference, n: int, seed: int, next_id: int, progress) -> dict[str, int]:
    """The files that are not ledgers, with load ids from next_id: 目标任务/指标月报 and the newest
    year's 六职招商 (bench/six_data.py); the load id sequence after them. Returns the 六职 counts."""
    from bench.six_data import write_six

    n_indicator_files = _write_indicators(con, ref, seed, next_id)
    six_ids, six_rows = write_six(con, ref, n, month_end(MONTHS - 1).year, seed, next_id + n_indicator_files)
    if six_rows:
        progress("  “六职”招商：" + "，".join(f"{k} {v:,}" for k, v in six_rows.items()))
    if n_indicator_files + six_ids:
        con.execute("DROP SEQUENCE IF EXISTS load_id_seq")
        con.execute(f"CREATE SEQUENCE load_id_seq START {next_id + n_indicator_files + six_ids}")
    return six_rows


def _insert_rows(con, table: str, rows: list[tuple]) -> None:
    """Bulk insert through Arrow (executemany is slow for tens of thousands of rows)."""
    if not rows:
        return
    columns = [r[0] for r in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index", [table]).fetchall()]
    # rows give the leading columns; columns added to the table later are left NULL (BY NAME)
    frame = pl.DataFrame(rows, schema=columns[:len(rows[0])], orient="row", infer_schema_length=None)
    con.register("incoming_rows", frame.to_arrow())
    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming_rows")
    con.unregister("incoming_rows")


def build_warehouse(db: Path, n: int, *, seed: int = 2021, ref: Reference | None = None,
                    progress=print) -> Generated:
    """Write a fresh warehouse file `db` with n projects and their monthly snapshots."""
    from warehouse.db import ensure_schema

    t0 = time.perf_counter()
    ref = ref or load_reference()
    db = Path(db)
    for p in (db, db.with_name(db.name + ".wal")):
        p.unlink(missing_ok=True)
    db.parent.mkdir(parents=True, exist_ok=True)
    projects = plan_projects(ref, n, seed)
    progress(f"  {n:,} 个项目已规划（{time.perf_counter() - t0:.1f}s），写入月度快照 …")
    loads = plan_loads(ref, projects, range(MONTHS))
    con = duckdb.connect(str(db))
    try:
        con.execute("SET enable_progress_bar = false")
        ensure_schema(con)
        write_reference_tables(con, ref)
        con.register("gen_projects_src", projects.to_arrow())
        con.execute("CREATE TEMP TABLE gen_projects AS SELECT * FROM gen_projects_src")
        con.unregister("gen_projects_src")
        con.register("gen_loads_src", loads.to_arrow())
        con.execute("CREATE TEMP TABLE gen_loads AS SELECT * FROM gen_loads_src")
        con.unregister("gen_loads_src")
        con.execute("BEGIN TRANSACTION")
        for m in range(MONTHS):     # in load order: month by month (gen_projects is in district, row order)
            con.execute(f"INSERT INTO project_rows BY NAME {snapshot_sql(m)}")
            if progress and (m % 12 == 11 or m == MONTHS - 1):
                progress(f"  快照 {month_end(m)}（{m + 1}/{MONTHS}，{time.perf_counter() - t0:.0f}s）")

        # the audit trail: one loads row per file, skipped rows, a few rejected rows, warnings
        con.execute("""
            CREATE TEMP TABLE gen_counts AS
            SELECT load_id, count(*) AS n, count(*) FILTER (WHERE location_approximate) AS approx,
                   count(*) FILTER (WHERE chain_known = FALSE) AS unknown_chain,
                   count(*) FILTER (WHERE investment_note = '脱敏') AS masked
            FROM project_rows GROUP BY load_id""")
        files = con.execute("""
            SELECT l.load_id, l.source_file, l.layout, l.as_of, l.d_idx, c.n, c.approx, c.unknown_chain, c.masked
            FROM gen_loads l JOIN gen_counts c USING (load_id) ORDER BY l.load_id""").fetchall()
        load_rows, skipped, rejected, warnings = [], [], [], []
        for load_id, name, lay, as_of, d_i, nrows, approx, unknown, n_masked in files:
            n_skip = SKIPPED_PER_FILE[lay]
            n_rej = 1 if load_id % 10 == 3 else 0
            district = ref.districts[d_i]
            warn = []
            if approx:
                warn.append(("大致位置", f"{approx}个项目没有可用坐标，地图上按园区或县区位置标注为大致位置。"))
            if unknown:
                warn.append(("未知产业链", "工作表有参考数据中没有的产业链：低空经济、储能电池"
                             "（项目已保留，请在 data/reference/chains.csv 中补充或加别名）。"))
            if lay == "B":
                warn.append(("跳过工作表", "跳过工作表“填报说明”（填报说明）、“Sheet2”（隐藏工作表）。"))
            if lay in ("C", "D"):
                warn.append(("文件格式", "CSV文件编码为GB18030，已自动识别。" if lay == "C" else "旧版 .xls 文件，已读取。"))
            if n_masked:
                warn.append(("金额脱敏", f"{n_masked}个项目的金额为脱敏值（**），已保留项目，金额未计入合计。"))
            read = nrows + n_skip + n_rej
            loaded_at = datetime.combine(as_of + timedelta(days=5), datetime.min.time()).replace(hour=10)
            load_rows.append((load_id, name, f"/data/ledgers/{district.name}/{name}", _fake_hash(load_id, seed),
                              "项目台账", "loaded",
                              f"数据日期{as_of.isoformat()}（台账日期）：读取{read}行，入库{nrows}个项目行，"
                              f"跳过{n_skip}行，拒收{n_rej}行。", as_of, "台账日期", loaded_at, read, nrows, n_skip,
                              n_rej, [w[1] for w in warn]))
            sheet = {"A": f"{as_of.year}年台账", "B": "签约项目", "C": name.rsplit(".", 1)[0], "D": "Sheet1",
                     "E": "项目清单"}[lay]
            for k in range(n_skip):
                text = "合计" if k == n_skip - 1 and lay != "B" else ("小计" if lay == "B" else f"{'一二三四五六七'[k]}、签约项目")
                skipped.append((load_id, sheet, ROW_OFFSET[lay] + k, "合计/小计行" if "计" in text else "分组标题行",
                                json.dumps({"序号": text}, ensure_ascii=False)))
            for k in range(n_rej):
                rejected.append((load_id, name, sheet, ROW_OFFSET[lay] + nrows + 1, "金额无法识别：“两千万左右”",
                                 json.dumps({"项目名称": f"{district.short_name}食品深加工项目", "总投资": "两千万左右"},
                                            ensure_ascii=False)))
            warnings.extend((load_id, sheet, kind, msg) for kind, msg in warn)
        for table, rows in (("loads", load_rows), ("skipped_rows", skipped), ("rejected_rows", rejected),
                            ("load_warnings", warnings)):
            _insert_rows(con, table, rows)
        next_id = (max(r[0] for r in load_rows) + 1) if load_rows else 1
        con.execute("DROP SEQUENCE IF EXISTS load_id_seq")
        con.execute(f"CREATE SEQUENCE load_id_seq START {next_id}")
        progress(f"  审计记录 {len(load_rows):,} 份台账，计算当前状态 …")

        # current state. Every project is listed in every ledger from its entry to the newest month,
        # and no date a ledger once gave disappears later (projects are only dropped before they
        # start; a 终止 sheet still shows the sign date), so the loader's refresh
        # (etl.store.REFRESH_CURRENT_SQL: the latest row, dates an earlier row gave, first_seen)
        # is the newest month's row plus the entry month. tests/test_bench_smoke.py checks this
        # against the loader's SQL.
        con.execute(f"""
            INSERT INTO project_current BY NAME
            SELECT r.*, last_day(make_date({FIRST_MONTH[0]}, {FIRST_MONTH[1]}, 1) + to_months(p.entry)) AS first_seen
            FROM project_rows r JOIN gen_projects p USING (project_id)
            WHERE r.as_of = DATE '{month_end(MONTHS - 1).isoformat()}'""")
        progress("  历史摘要（三个一批、签约时间线）…")
        derived.rebuild(con)
        six_rows = _write_other_kinds(con, ref, n, seed, next_id, progress)
        derived.refresh_city(con)              # after the targets and reports: they feed it too
        con.execute("COMMIT")
        history, current = con.execute(
            "SELECT (SELECT count(*) FROM project_rows), (SELECT count(*) FROM project_current)").fetchone()
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return Generated(projects=current, history_rows=history, loads=len(load_rows),
                     seconds=time.perf_counter() - t0, db_bytes=db.stat().st_size,
                     newest_as_of=month_end(MONTHS - 1), six_rows=six_rows)
