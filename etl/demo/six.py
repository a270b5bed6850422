"""The demo's 六职 workbooks: each district's six leaders, their trips out, the companies they
received and the projects they are responsible for (包抓), 2025, sent quarterly as a cumulative
workbook (every trip of the year so far: the loader must count each trip once).

The city's year reproduces seed 001 and 西城区's seed 003 (tests/test_six.py checks the warehouse):
  全市: 外出招商258批次, 拜访企业363家, 六职项目 签约93个、履约82个、开工60个;
  西城区: 拟招引项目10个, 签约8个、履约7个、开工7个.
Two layouts: one row per trip with the leader's name and post (two-row header, a title, a 合计
row), and one sheet per leader named "张伟（区委书记）" with dates written without the year.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from openpyxl import Workbook

from etl.layouts import save_workbook, style_header, title_lines
from warehouse.reference import District, Reference

from . import names

YEAR = 2025
QUARTER_ENDS = (date(2025, 3, 31), date(2025, 6, 30), date(2025, 9, 30), date(2025, 12, 31))
TRIPS, COMPANIES = 258, 363
# 六职 projects across the city by how far they got: at least 开工, exactly 履约, exactly 签约, 在谈
CITY_REACHED = {"开工": 60, "履约": 22, "签约": 11, "在谈": 14}
XICHENG = "西城区"
XICHENG_PLANNED = {"开工": 7, "签约": 1, "在谈": 2}       # 10 planned: 8 signed, 7 履约 (all started), 7 开工
NOT_IN_LEDGER = 3                                          # 包抓 lines the ledgers do not (yet) have
PLACES = ("广东深圳", "上海", "江苏苏州", "浙江杭州", "北京", "福建厦门", "四川成都", "重庆", "广东东莞", "天津",
          "江苏南京", "浙江宁波", "山东青岛", "湖北武汉")


@dataclass
class Leader:
    name: str
    written: str           # the post as the workbook writes it


@dataclass
class Trip:
    leader: Leader
    start: date
    days: int
    destination: str
    companies: list[str]
    leads: int


@dataclass
class DistrictSix:
    district: District
    leaders: list[Leader]
    layout: str                                    # rows / per_leader
    trips: list[Trip] = field(default_factory=list)
    receptions: list[tuple[Leader, date, str, str]] = field(default_factory=list)
    assignments: list[tuple[Leader, str | None, str, bool]] = field(default_factory=list)  # code, name, planned


def _company(rng: random.Random) -> str:
    return names.investor_name(names.brand(rng), None, rng.choice(("京津冀", "长三角", "大湾区", "闽东南", "川渝")), "", rng)


def _posts(d: District) -> tuple[str, ...]:
    if d.kind == "功能区":
        return ("管委会主任", "党工委副书记")
    unit = "县" if d.name.endswith("县") else "区"
    return (f"{unit}委书记", f"{unit}长", f"{unit}委副书记", f"常务副{unit}长", f"副{unit}长（分管招商引资）",
            "产业集聚区管委会主任")


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """`total` spread over `parts` (each at least 0), deterministic."""
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total])]


def _trips(plans: list[DistrictSix], rng: random.Random) -> None:
    per_district = _split(TRIPS - 8 * len(plans), len(plans), rng)
    for plan, n in zip(plans, per_district):
        active = plan.leaders[:-1] if len(plan.leaders) > 2 else plan.leaders   # one leader never travels
        for i in range(n + 8):
            start = date(YEAR, 1, 6) + timedelta(days=rng.randint(0, 345))   # up to mid-December
            if plan is plans[-1] and start.month == 12:
                start -= timedelta(days=20)                                   # a district idle in December
            plan.trips.append(Trip(active[i % len(active)], start, rng.randint(1, 4), rng.choice(PLACES), [], rng.randint(0, 2)))
    trips = [t for p in plans for t in p.trips]
    counts = _split(COMPANIES - len(trips), len(trips), rng)       # at least one company per trip
    for t, n in zip(trips, counts):
        t.companies = [_company(rng) for _ in range(1 + min(n, 6))]
    extra = COMPANIES - sum(len(t.companies) for t in trips)
    for t in trips[: max(extra, 0)]:
        t.companies.append(_company(rng))
    for p in plans:
        p.trips.sort(key=lambda t: (t.start, t.leader.name, t.destination))


def _pick(truth, plan: DistrictSix, wanted: dict[str, int], taken: set[str]) -> list[tuple[str, str]]:
    out = []
    rows = truth.filter((truth["district"] == plan.district.name) & truth["shared_with"].is_null()).sort("project_code")
    for reach, n in wanted.items():
        stages = {"开工": ("开工", "投产", "达效"), "履约": ("履约",), "签约": ("签约",), "在谈": ("在谈",)}[reach]
        pool = [r for r in rows.iter_rows(named=True) if r["stage"] in stages and r["project_code"] not in taken]
        if len(pool) < n:
            raise ValueError(f"演示数据：{plan.district.name}没有足够的{reach}项目")
        for r in pool[:n]:
            taken.add(r["project_code"])
            out.append((r["project_code"], r["project_name"]))
    return out


def _assignments(plans: list[DistrictSix], truth, rng: random.Random) -> None:
    taken: set[str] = set()
    xicheng = next(p for p in plans if p.district.name == XICHENG)
    for code, name in _pick(truth, xicheng, XICHENG_PLANNED, taken):
        xicheng.assignments.append((rng.choice(xicheng.leaders), code, name, True))
    left = dict(CITY_REACHED)
    left["开工"] -= XICHENG_PLANNED["开工"]
    left["签约"] -= XICHENG_PLANNED["签约"]
    left["在谈"] -= XICHENG_PLANNED["在谈"]
    others = [p for p in plans if p is not xicheng]
    for reach, total in left.items():           # one project at a time, district after district
        turn = 0
        while total:
            plan = others[turn % len(others)]
            turn += 1
            try:
                (code, name), = _pick(truth, plan, {reach: 1}, taken)
            except ValueError:
                if turn > 50 * len(others):
                    raise
                continue
            plan.assignments.append((rng.choice(plan.leaders), code, name, False))
            total -= 1
    for i in range(NOT_IN_LEDGER):
        plan = others[i % len(others)]
        plan.assignments.append((plan.leaders[0], None, f"{plan.district.short_name}{names.brand(rng)}新签约意向项目", True))


def _receptions(plans: list[DistrictSix], rng: random.Random) -> None:
    for plan in plans:
        for _ in range(rng.randint(4, 10)):
            day = date(YEAR, 1, 10) + timedelta(days=rng.randint(0, 320))
            plan.receptions.append((rng.choice(plan.leaders), day, _company(rng),
                                    rng.choice(PLACES)))
        plan.receptions.sort(key=lambda r: (r[1], r[0].name))


def plan_six(ref: Reference, truth, seed: int = 2024) -> list[DistrictSix]:
    """Every district's 六职 year, deterministic for a seed. `truth` is etl.demo.demo_truth()."""
    rng = random.Random(f"six:{seed}")
    plans = []
    for i, d in enumerate(ref.districts):
        seen: set[str] = set()
        leaders = []
        for post in _posts(d):
            name = names.person(rng)
            while name in seen:
                name = names.person(rng)
            seen.add(name)
            leaders.append(Leader(name, post))
        plans.append(DistrictSix(d, leaders, "per_leader" if i % 3 == 1 else "rows"))
    _trips(plans, rng)
    _assignments(plans, truth, rng)
    _receptions(plans, rng)
    return plans


# --- the workbooks ------------------------------------------------------------------------

TRIP_HEADERS = ("序号", "带队领导", "职务", "外出时间", "返回时间", "目的地", "拜访企业数（家）", "拜访企业名称", "洽谈线索（个）")
LEADER_HEADERS = ("序号", "时间", "天数", "目的地", "拜访企业", "拜访企业数", "获取线索", "备注")
RECEPTION_HEADERS = ("序号", "接待时间", "接待领导", "职务", "客商名称", "来自", "洽谈内容")
ASSIGNMENT_HEADERS = ("序号", "包抓领导", "职务", "项目编号", "项目名称", "是否拟招引")


def _day(d: date) -> str:
    return f"{d.year}.{d.month}.{d.day}"


def _trip_sheet(ws, plan: DistrictSix, trips: list[Trip], as_of: date) -> None:
    title_lines(ws, [f"{plan.district.name}{YEAR}年“六职”领导干部外出招商情况统计表",
                     f"填报单位：{plan.district.name}招商服务中心    填报时间：{as_of.year}年{as_of.month}月{as_of.day}日"],
                len(TRIP_HEADERS))
    ws.append(["", "", "", "外出招商情况", "", "", "", "", ""])
    ws.append(list(TRIP_HEADERS))
    style_header(ws, 3, 4, [6, 10, 22, 12, 12, 12, 10, 40, 10])
    for i, t in enumerate(trips, start=1):
        end = t.start + timedelta(days=t.days - 1)
        ws.append([i, t.leader.name, t.leader.written, t.start, _day(end), t.destination, len(t.companies),
                   "、".join(t.companies), t.leads])
    ws.append(["合计", "", "", "", "", "", sum(len(t.companies) for t in trips), "", sum(t.leads for t in trips)])


def _leader_sheets(wb, plan: DistrictSix, trips: list[Trip]) -> None:
    for leader in plan.leaders:
        ws = wb.create_sheet(f"{leader.name}（{leader.written.split('（')[0]}）")
        ws.append([f"{plan.district.name}{leader.written}{leader.name}外出招商情况（{YEAR}年）"])
        ws.append(list(LEADER_HEADERS))
        for i, t in enumerate([t for t in trips if t.leader is leader], start=1):
            ws.append([i, f"{t.start.month}月{t.start.day}日", f"{t.days}天", t.destination, "，".join(t.companies),
                       len(t.companies), t.leads or "无", ""])


def _other_sheets(wb, plan: DistrictSix, as_of: date) -> None:
    ws = wb.create_sheet("接待客商")
    ws.append(list(RECEPTION_HEADERS))
    for i, (leader, day, guest, origin) in enumerate([r for r in plan.receptions if r[1] <= as_of], start=1):
        ws.append([i, day, leader.name, leader.written, guest, origin, "考察投资环境，洽谈合作"])
    ws = wb.create_sheet("包抓项目")
    ws.append([f"{plan.district.name}“六职”领导包抓项目（含年初谋划拟招引项目）"])
    ws.append(list(ASSIGNMENT_HEADERS))
    for i, (leader, code, name, planned) in enumerate(plan.assignments, start=1):
        ws.append([i, leader.name, leader.written, code, name, "是" if planned else "否"])


def write_six_files(out_dir: Path, plans: list[DistrictSix]) -> list[Path]:
    """out_dir/<district>/<district>2025年“六职”招商情况（截至M月）.xlsx, one per quarter."""
    written = []
    for plan in plans:
        for as_of in QUARTER_ENDS:
            trips = [t for t in plan.trips if t.start <= as_of]
            wb = Workbook()
            if plan.layout == "rows":
                wb.active.title = "外出招商"
                _trip_sheet(wb.active, plan, trips, as_of)
            else:
                wb.remove(wb.active)
                _leader_sheets(wb, plan, trips)
            _other_sheets(wb, plan, as_of)
            path = out_dir / plan.district.name / f"{plan.district.name}六职招商情况（截至{YEAR}年{as_of.month}月）.xlsx"
            path.parent.mkdir(parents=True, exist_ok=True)
            written.append(save_workbook(wb, path, when=datetime(as_of.year, as_of.month, as_of.day, 18, 0)))
    return written
