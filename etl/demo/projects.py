"""The demo's projects: who they are, and how each one moves through the stages month by month.

A project is made once (name, investor, amount, place) and then lives: from its entry date it
advances 在谈 → 签约 → (履约) → 开工 → 投产 → 达效 with monthly chances, some stall for years
after signing, a few are dropped (终止). `Project.row_at(day)` is what a ledger dated `day`
says about it.
"""

from __future__ import annotations

import calendar
import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from warehouse.geo import geometry_contains, load_boundaries
from warehouse.reference import Reference
from warehouse.settings import BOUNDARY_DIR

from . import names

TOTAL_PROJECTS = 2000
FIRST_ENTRY, LAST_ENTRY = date(2022, 10, 1), date(2025, 12, 20)
END = date(2025, 12, 31)
# how many projects a district brings, relative to the others (by code; default 1.0)
DISTRICT_WEIGHTS = {"411102": 1.25, "411103": 1.3, "411104": 1.2, "411171": 1.25, "411121": 0.9,
                    "411122": 1.0, "411100-XC": 0.7, "411100-DC": 0.4}
NO_COORDINATES = 0.10
UNKNOWN_CHAIN, CLUSTER_ONLY, ALIAS_SPELLING = 0.015, 0.01, 0.25


def period_of(day: date) -> int:
    """三个一批 period number: 2021 Q3 is 第1期, 2024 Q2 第12期."""
    return (day.year - 2021) * 4 + (day.month - 1) // 3 + 1 - 2


@dataclass
class Project:
    code: str
    name: str
    district: str
    district_code: str
    park: str | None
    chain_written: str
    chain: str | None            # canonical chain, None when the written name is not a chain
    cluster: str | None
    investor: str
    total_investment_wan: Decimal
    foreign_investment_wan_usd: Decimal | None
    amount_pending: bool         # no amount in the ledger while still 在谈
    entered: date
    lng: float | None
    lat: float | None
    responsible_unit: str
    leader: str
    investor_kind: str
    investor_origin: str
    event: str
    events: list[tuple[date, str]] = field(default_factory=list)     # (day, stage), entry first
    batches: list[tuple[date, int, str]] = field(default_factory=list)  # (day, period, batch)

    def stage_at(self, day: date) -> str | None:
        stage = None
        for when, s in self.events:
            if when <= day:
                stage = s
        return stage

    def _first(self, stage: str, day: date) -> date | None:
        return next((w for w, s in self.events if s == stage and w <= day), None)

    def row_at(self, day: date, district: str | None = None) -> dict | None:
        stage = self.stage_at(day)
        if stage is None:
            return None
        batch = [b for b in self.batches if b[0] <= day]
        signed = self._first("签约", day)
        return {
            "project_code": self.code, "project_name": self.name, "district": district or self.district,
            "park": self.park, "chain": self.chain_written, "investor": self.investor,
            "total_investment_wan": None if self.amount_pending and stage == "在谈" else self.total_investment_wan,
            "foreign_investment_wan_usd": self.foreign_investment_wan_usd,
            "stage": stage, "sign_date": signed, "start_date": self._first("开工", day),
            "production_date": self._first("投产", day),
            "period": batch[-1][1] if batch else None, "batch": batch[-1][2] if batch else None,
            "lng": self.lng, "lat": self.lat, "responsible_unit": self.responsible_unit,
            "leader": self.leader, "investor_kind": self.investor_kind,
            "investor_origin": self.investor_origin, "event": self.event if signed else None,
        }


# --- sizes, names, places ---------------------------------------------------------------------

def _amount(rng: random.Random) -> Decimal:
    """万元: most 0.1–5亿, some 5–10亿, a few 10–50亿, rare 50亿+."""
    u = rng.random()
    lo, hi, step = ((1000, 50000, 100) if u < 0.74 else (50000, 100000, 1000) if u < 0.91
                    else (100000, 500000, 10000) if u < 0.995 else (500000, 950000, 10000))
    wan = Decimal(round(math.exp(rng.uniform(math.log(lo), math.log(hi))) / step) * step)
    v = rng.random()
    if wan < 10000 and v < 0.06:
        wan += Decimal("0.5")                       # 2856.5万: exactness matters
    elif wan < 50000 and v < 0.2:
        wan += Decimal(rng.randrange(1, 10) * 10)   # 12350万
    return wan


def _chain(ref: Reference, weights: list[float], rng: random.Random) -> tuple[str, str | None, str | None]:
    """(as written, canonical chain, cluster)."""
    u = rng.random()
    if u < UNKNOWN_CHAIN:
        known = set(ref.chain_aliases)
        return rng.choice([c for c in names.UNKNOWN_CHAINS if c not in known]), None, None
    if u < UNKNOWN_CHAIN + CLUSTER_ONLY:
        cluster_aliases = sorted(a for a, (chain, _) in ref.chain_aliases.items() if chain is None)
        if cluster_aliases:
            alias = rng.choice(cluster_aliases)
            return alias, None, ref.chain_aliases[alias][1]
    chain = rng.choices(ref.chains, weights=weights)[0]
    written = chain["chain"]
    if rng.random() < ALIAS_SPELLING:
        aliases = sorted(a for a, (c, _) in ref.chain_aliases.items() if c == chain["chain"] and a != written)
        written = rng.choice(aliases) if aliases else written
    return written, chain["chain"], chain["cluster"]


def _district_geometries(ref: Reference) -> dict[str, dict]:
    """Functional zones have no boundary of their own: they use their parent's."""
    boundaries = load_boundaries(str(BOUNDARY_DIR / ref.boundary_file))
    by_code = {str(f["properties"]["adcode"]): f["geometry"] for f in boundaries["features"]}
    return {d.code: by_code.get(d.code) or by_code.get(d.parent_code) for d in ref.districts}


def _place(anchor: tuple[float, float], geometry: dict | None, rng: random.Random) -> tuple[float, float]:
    for _ in range(40):
        lng = round(anchor[0] + rng.gauss(0, 0.018), 6)
        lat = round(anchor[1] + rng.gauss(0, 0.015), 6)
        if geometry is None or geometry_contains(geometry, lng, lat):
            return lng, lat
    return anchor


def _allocate(total: int, weights: list[float]) -> list[int]:
    """Largest-remainder split of `total` by weights."""
    shares = [total * w / sum(weights) for w in weights]
    counts = [int(s) for s in shares]
    for i in sorted(range(len(shares)), key=lambda i: counts[i] - shares[i])[: total - sum(counts)]:
        counts[i] += 1
    return counts


# --- life ---------------------------------------------------------------------------------------

def _month_day(year: int, month: int, rng: random.Random) -> date:
    return date(year, month, rng.randint(1, calendar.monthrange(year, month)[1]))


def _live(p: Project, rng: random.Random) -> None:
    """Fill p.events and p.batches month by month until the end of the demo."""
    big = p.total_investment_wan >= 10000
    stalled_after_signing = rng.random() < 0.3
    stalled_building = rng.random() < 0.15
    stage = "签约" if rng.random() < 0.45 else "在谈"
    p.amount_pending = stage == "在谈" and rng.random() < 0.2
    p.events = [(p.entered, stage)]
    since = p.entered

    def enter(day: date, new: str) -> None:
        nonlocal stage, since
        stage, since = new, day
        p.events.append((day, new))
        batch = {"签约": "签约一批", "开工": "开工一批", "投产": "投产一批"}.get(new)
        if batch and rng.random() < (0.65 if big else 0.25):
            p.batches.append((day, period_of(day), batch))

    if stage == "签约" and rng.random() < (0.65 if big else 0.25):
        p.batches.append((p.entered, period_of(p.entered), "签约一批"))
    y, m = p.entered.year, p.entered.month
    while (y, m) < (END.year, END.month):
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        months_in = (y - since.year) * 12 + m - since.month
        u = rng.random()
        day = _month_day(y, m, rng)
        if stage == "在谈":
            if u < 0.2:
                enter(day, "签约")
            elif u < 0.21:
                enter(day, "终止")
        elif stage == "签约":
            go = 0.01 if stalled_after_signing else 0.3
            if u < go:
                enter(day, "履约" if rng.random() < 0.5 else "开工")
            elif u < go + 0.004:
                enter(day, "终止")
        elif stage == "履约" and u < 0.3:
            enter(day, "开工")
        elif stage == "开工" and months_in >= 5 and u < (0.01 if stalled_building else 0.08):
            enter(day, "投产")
        elif stage == "投产" and months_in >= 6 and u < 0.06:
            enter(day, "达效")


def make_projects(ref: Reference, seed: int) -> list[Project]:
    rng = random.Random(f"{seed}:projects")
    geometries = _district_geometries(ref)
    parks = sorted({(row["park"], row["district_code"], row["lng"], row["lat"]) for row in ref.parks.values()})
    counts = _allocate(TOTAL_PROJECTS, [DISTRICT_WEIGHTS.get(d.code, 1.0) for d in ref.districts])
    taken: set[str] = set()
    projects: list[Project] = []
    span = (LAST_ENTRY - FIRST_ENTRY).days
    for district, count in zip(ref.districts, counts):
        own_parks = [p for p in parks if p[1] == district.code]
        favourites = set(rng.sample(range(len(ref.chains)), min(3, len(ref.chains))))
        weights = [(3.0 if c["is_key"] else 1.5) * (4 if i in favourites else 1) for i, c in enumerate(ref.chains)]
        titles = names.leader_titles(district.name, district.kind)
        leaders = [f"{names.person(rng)}（{t}）" for t in titles]
        units = [f"{district.short_name}{u}" for u in ("招商服务中心", "商务局", "发展改革委", "工业和信息化局")]
        entries = sorted(FIRST_ENTRY + timedelta(days=rng.randrange(span)) for _ in range(count))
        for seq, entered in enumerate(entries, start=1):
            written, chain, cluster = _chain(ref, weights, rng)
            amount = _amount(rng)
            brand = names.brand(rng)
            while True:
                name = names.project_name(brand, chain or written, amount >= 500000, rng)
                if name not in taken:
                    break
                brand = names.brand(rng)
            taken.add(name)
            foreign = rng.random() < 0.06
            origin = "境外" if foreign else rng.choice(names.ORIGINS)
            park = rng.choice(own_parks) if own_parks else None
            anchor = (park[2], park[3]) if park else (district.lng, district.lat)
            lng, lat = (None, None) if rng.random() < NO_COORDINATES else _place(anchor, geometries[district.code], rng)
            p = Project(
                code=f"{district.code.replace('-', '')}-{entered.year}-{seq:04d}", name=name,
                district=district.name, district_code=district.code, park=park[0] if park else None,
                chain_written=written, chain=chain, cluster=cluster,
                investor=names.investor_name(brand, cluster, origin, ref.city_name, rng),
                total_investment_wan=amount,
                foreign_investment_wan_usd=(Decimal(max(50, int(amount / 7 * Decimal(rng.uniform(0.3, 1)))))
                                            if foreign else None),
                amount_pending=False, entered=entered, lng=lng, lat=lat,
                responsible_unit=rng.choice(units), leader=rng.choice(leaders),
                investor_kind="外资" if foreign else rng.choice(names.INVESTOR_KINDS),
                investor_origin=origin, event=rng.choice(names.EVENTS))
            _live(p, rng)
            projects.append(p)
    _make_giants(projects, rng)
    return projects


def _make_giants(projects: list[Project], rng: random.Random) -> None:
    """One or two 100亿+ projects, as every city announces."""
    large = [p for p in projects if p.total_investment_wan >= 500000]
    if len(large) < 2:
        large = sorted(projects, key=lambda p: p.total_investment_wan)[-2:]
    for p, wan in zip(rng.sample(large, 2), (Decimal(1000000), Decimal(1250000))):
        p.total_investment_wan = wan
