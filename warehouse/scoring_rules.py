"""考评规则文件 (data/scoring/<year>.toml): read, checked, and the periods a rule scores.

A city publishes its scoring rules every year; they are data. A file names the score, its period
kind (month 月考核 / quarter 季排名 / year 年总评), what happens to an indicator a district has no
target for, and the indicators: each with its Chinese name, weight (分), cap, method and input
source. An optional [batches] table is the province's “三个一批” score of the same year (period
kind: the 三个一批 期). README.md "考评规则文件" describes the format; a file that does not follow it
is refused with a Chinese message (RuleError), never a traceback.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from warehouse.settings import DATA_DIR

RULES_DIR = DATA_DIR / "scoring"
KINDS = {"month": "月考核", "quarter": "季排名", "year": "年总评", "batch": "“三个一批”期"}
METHODS = {"completion": "完成率×权重", "efficacy": "功效系数法", "bands": "分档计分", "deduction": "加减分",
           "points": "直接评分"}
SOURCES = {"target": "目标任务", "ledger": "项目台账", "six": "六职招商", "batches": "三个一批", "manual": "人工录入"}
LEDGER_STAGES = {"签约": "sign_date", "开工": "start_date", "投产": "production_date"}
LEDGER_MEASURES = ("count", "investment", "stalled")
SIX_MEASURES = {"trips": "批次", "days": "天", "companies_visited": "家", "leads": "个", "receptions": "批次"}
BATCH_NAMES = ("签约一批", "开工一批", "投产一批")
NO_TARGET = ("rescale", "zero")


class RuleError(ValueError):
    """A rule file that cannot be used; the message is for people (Chinese)."""


@dataclass(frozen=True)
class Band:
    floor: Decimal
    points: Decimal


@dataclass(frozen=True)
class Indicator:
    key: str
    name: str
    weight: Decimal
    method: str
    source: str
    cap: Decimal | None = None            # completion: at most cap × weight (1.2 = 120%)
    max_points: Decimal | None = None     # completion: at most these points
    target: str | None = None             # source target: the indicator of 目标任务
    stage: str | None = None              # source ledger: 签约 / 开工 / 投产
    measure: str = "count"                # ledger: count / investment / stalled; six: trips …; batches: count / investment
    batch: str | None = None              # source batches: 签约一批 / 开工一批 / 投产一批
    window: str = "period"                # ledger and six: period (本期) / year (年初至期末累计)
    bands: tuple[Band, ...] = ()
    per: Decimal = Decimal(-1)            # deduction: points per unit
    low: Decimal | None = None            # deduction: at least (−5), points: at least 0
    high: Decimal | None = None           # deduction: at most

    @property
    def adjusts(self) -> bool:
        """加减分: outside the weights, added to the total (never rescaled)."""
        return self.method == "deduction"

    @property
    def unit(self) -> str:
        if self.source == "target":
            return "%"
        if self.source == "manual":
            return "分"
        if self.source == "six":
            return SIX_MEASURES[self.measure]
        return "亿元" if self.measure == "investment" else "个"


@dataclass(frozen=True)
class Rules:
    name: str
    year: int
    kind: str
    indicators: tuple[Indicator, ...]
    no_target: str = "rescale"
    file: str = ""

    @property
    def weight(self) -> Decimal:
        return sum((i.weight for i in self.indicators if not i.adjusts), Decimal(0))

    def indicator(self, key: str) -> Indicator | None:
        return next((i for i in self.indicators if i.key == key), None)


@dataclass(frozen=True)
class RuleFile:
    yearly: Rules                         # the year's score (month / quarter / year)
    batches: Rules | None = None


@dataclass(frozen=True, order=True)
class Period:
    kind: str
    year: int
    number: int                           # month 1–12, quarter 1–4, year 1, batch: the 期

    @property
    def label(self) -> str:
        """What score_inputs stores: 2025-12, 2025-Q4, 2025, 第16期."""
        if self.kind == "month":
            return f"{self.year}-{self.number:02d}"
        if self.kind == "quarter":
            return f"{self.year}-Q{self.number}"
        return str(self.year) if self.kind == "year" else f"第{self.number}期"

    @property
    def text(self) -> str:
        if self.kind == "month":
            return f"{self.year}年{self.number}月"
        if self.kind == "quarter":
            return f"{self.year}年第{'一二三四'[self.number - 1]}季度"
        return f"{self.year}年度" if self.kind == "year" else f"“三个一批”第{self.number}期"

    @property
    def start(self) -> date:
        if self.kind == "batch":              # 第1期 is 2021 Q3: one 期 a quarter
            index = self.number + 1
            return date(2021 + index // 4, 3 * (index % 4) + 1, 1)
        if self.kind == "year":
            return date(self.year, 1, 1)
        month = self.number if self.kind == "month" else 3 * self.number - 2
        return date(self.year, month, 1)

    @property
    def end(self) -> date:
        months = {"month": 1, "quarter": 3, "year": 12, "batch": 3}[self.kind]
        s = self.start
        y, m = divmod(s.month - 1 + months, 12)
        return date(s.year + y, m + 1, 1) - timedelta(days=1)

    def previous(self) -> Period | None:
        if self.kind == "batch":
            return Period("batch", self.year, self.number - 1) if self.number > 1 else None
        return Period(self.kind, self.year, self.number - 1) if self.number > 1 else None


def periods_until(kind: str, year: int, newest: date | None) -> list[Period]:
    """The periods of `year` that have begun by `newest` (the newest data), newest first."""
    if newest is None or newest.year < year:
        return []
    last = {"month": 12, "quarter": 4, "year": 1}[kind]
    found = [Period(kind, year, n) for n in range(1, last + 1)]
    return [p for p in reversed(found) if p.start <= newest]


def _decimal(value, where: str) -> Decimal:
    if value is None:
        raise RuleError(f"{where.strip()}未填写")
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise RuleError(f"{where}不是数字：{value!r}")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise RuleError(f"{where}不是数字：{value!r}") from None
    if not number.is_finite():
        raise RuleError(f"{where}不是数字：{value!r}")
    return number


def _optional(raw: dict, name: str, where: str) -> Decimal | None:
    return None if raw.get(name) is None else _decimal(raw[name], f"{where}的 {name} ")


def _choice(raw: dict, name: str, allowed, where: str, default=None) -> str:
    value = raw.get(name, default)
    if value not in allowed:
        names = "、".join(allowed)
        raise RuleError(f"{where}的 {name} “{value}”不认识，应为：{names}")
    return value


def _bands(raw: dict, where: str) -> tuple[Band, ...]:
    bands = raw.get("bands")
    if not isinstance(bands, list) or not bands or not all(isinstance(b, dict) for b in bands):
        raise RuleError(f"{where}用分档计分（bands），须写 bands = [{{from = 0, points = 0}}, …]")
    out = tuple(sorted((Band(_decimal(b.get("from"), f"{where}的档位下限 from "),
                             _decimal(b.get("points"), f"{where}的档位分值 points ")) for b in bands),
                       key=lambda b: b.floor))
    return out


def _source_fields(raw: dict, source: str, where: str) -> dict:
    if source == "target":
        if not isinstance(raw.get("target"), str) or not raw["target"]:
            raise RuleError(f"{where}的来源是目标任务，须用 target 写明目标任务中的指标名（如“签约项目数”）")
        return {"target": raw["target"]}
    if source == "ledger":
        measure = _choice(raw, "measure", LEDGER_MEASURES, where, "count")
        stage = None if measure == "stalled" else _choice(raw, "stage", tuple(LEDGER_STAGES), where)
        return {"measure": measure, "stage": stage, "window": _choice(raw, "window", ("period", "year"), where, "period")}
    if source == "six":
        return {"measure": _choice(raw, "measure", tuple(SIX_MEASURES), where, "trips"),
                "window": _choice(raw, "window", ("period", "year"), where, "period")}
    if source == "batches":
        return {"batch": _choice(raw, "batch", BATCH_NAMES, where),
                "measure": _choice(raw, "measure", ("count", "investment"), where, "count")}
    return {}


def _indicator(raw, n: int, section: str) -> Indicator:
    where = f"{section}第{n}个指标"
    if not isinstance(raw, dict):
        raise RuleError(f"{where}格式不对：应为 [[indicators]] 表")
    if not isinstance(raw.get("name"), str) or not raw["name"].strip():
        raise RuleError(f"{where}缺少中文名称 name")
    where = f"{section}指标“{raw['name']}”"
    key = raw.get("key")
    if not isinstance(key, str) or not key.replace("_", "").isalnum() or not key.isascii():
        raise RuleError(f"{where}缺少标识 key（英文字母、数字和下划线）")
    method = _choice(raw, "method", tuple(METHODS), where)
    source = _choice(raw, "source", tuple(SOURCES), where)
    weight = _decimal(raw.get("weight", 0 if method == "deduction" else None), f"{where}的权重 weight ")
    if weight < 0 or (weight == 0 and method != "deduction"):
        raise RuleError(f"{where}的权重 weight 须大于0")
    fields = dict(key=key, name=raw["name"].strip(), weight=weight, method=method, source=source,
                  cap=_optional(raw, "cap", where), max_points=_optional(raw, "max_points", where),
                  low=_optional(raw, "min", where), high=_optional(raw, "max", where), **_source_fields(raw, source, where))
    if method == "bands":
        fields["bands"] = _bands(raw, where)
    if method == "deduction":
        fields["per"] = _decimal(raw.get("per", 1 if source == "manual" else -1), f"{where}的每单位分值 per ")
    if method == "completion" and source not in ("target",):
        raise RuleError(f"{where}用完成率计分（completion），来源须为目标任务（target）")
    return Indicator(**fields)


def _rules(raw: dict, year: int, section: str, kind: str | None, file: str) -> Rules:
    if not isinstance(raw.get("name"), str) or not raw["name"].strip():
        raise RuleError(f"{section}缺少考评名称 name")
    kind = kind or _choice(raw, "period", ("month", "quarter", "year"), section)
    items = raw.get("indicators")
    if not isinstance(items, list) or not items:
        raise RuleError(f"{section}没有指标：请用 [[indicators]] 写至少一个指标")
    indicators = tuple(_indicator(item, n, section) for n, item in enumerate(items, start=1))
    keys = [i.key for i in indicators]
    if len(set(keys)) != len(keys):
        raise RuleError(f"{section}的指标标识 key 重复：{'、'.join(sorted({k for k in keys if keys.count(k) > 1}))}")
    if kind != "batch" and any(i.source == "batches" for i in indicators):
        raise RuleError(f"{section}：来源“三个一批”（batches）只能用于 [batches] 考评")
    no_target = _choice(raw, "no_target", NO_TARGET, section, "rescale")
    return Rules(raw["name"].strip(), year, kind, indicators, no_target, file)


def parse_rules(text: str, file: str = "考评规则") -> RuleFile:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"{file}不是有效的 TOML 文件：{exc}") from None
    year = raw.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        raise RuleError(f"{file}缺少年度 year（如 year = 2025）")
    yearly = _rules(raw, year, f"{file}：", None, file)
    extra = raw.get("batches")
    if extra is not None and not isinstance(extra, dict):
        raise RuleError(f"{file}：[batches] 格式不对")
    keys = {i.key for i in yearly.indicators}
    batches = _rules(extra, year, f"{file} [batches]：", "batch", file) if extra else None
    if batches and keys & {i.key for i in batches.indicators}:
        raise RuleError(f"{file}：[batches] 的指标标识 key 与年度考评重复")
    return RuleFile(yearly, batches)


def rule_years(folder: Path | None = None) -> list[int]:
    """The years with a rule file, newest first."""
    folder = Path(folder or RULES_DIR)
    return sorted((int(p.stem) for p in folder.glob("*.toml") if p.stem.isdigit()), reverse=True)


def load_rules(year: int, folder: Path | None = None) -> RuleFile:
    path = Path(folder or RULES_DIR) / f"{int(year)}.toml"
    if not path.exists():
        raise RuleError(f"没有{year}年的考评规则文件（data/scoring/{year}.toml）")
    rules = parse_rules(path.read_text(encoding="utf-8"), f"考评规则文件 {path.name}")
    if rules.yearly.year != int(year):
        raise RuleError(f"考评规则文件 {path.name} 写的年度是 {rules.yearly.year}，与文件名不符")
    return rules
