"""考评 points from inputs: pure, exact (Decimal), one function per method. No rounding here: a
screen rounds to two decimals for display only.

  completion  min(actual / target, cap) × weight, at most max_points
  efficacy    功效系数法: ((x − min) / (max − min) × 40 + 60) × weight / 100 over the districts with a
              value; all equal (or one district) → 100 × weight / 100 = weight. A district without a
              value is left out of min and max and scores 0 (未报送/未录入).
  bands       the points of the highest band whose lower bound (from) ≤ x; below every band → 0
  deduction   x × per, kept within [min, max] (−1 per stalled project, at least −5; or an entered ±)
  points      x entered as points, kept within [min (default 0), max (default the weight)]

A missing input scores 0 with its reason. An indicator a district has no target for is not scored
(rules no_target = "rescale": the total is the other indicators' points × all weights ÷ their
weights) or scores 0 (no_target = "zero"). 加减分 (deduction) lie outside the weights and are added
to the total as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from warehouse.scoring_rules import Indicator, Rules

ZERO, HUNDRED = Decimal(0), Decimal(100)
NO_TARGET = "无目标"
RELATIVE = "功效系数法按全市各县区计算，县区账号不显示"


@dataclass(frozen=True)
class Mark:
    """One district on one indicator."""

    value: Decimal | None             # the input (completion as a fraction, a count, 万元 …)
    points: Decimal | None            # None: not scored (无目标, or relative on a district account)
    lost: Decimal | None
    reason: str = ""                  # 未报送 / 未录入 / 无目标 / a cap that applied …


@dataclass(frozen=True)
class Total:
    total: Decimal | None             # None: not computable here (a district account, relative indicators)
    base: Decimal                     # the weighted indicators' points (rescaled when a target is missing)
    adjust: Decimal                   # 加减分
    rescaled: bool


def _clamp(x: Decimal, low: Decimal | None, high: Decimal | None) -> Decimal:
    if low is not None and x < low:
        return low
    if high is not None and x > high:
        return high
    return x


def _lost(ind: Indicator, points: Decimal | None) -> Decimal | None:
    if points is None:
        return None
    if ind.adjusts:
        return -points if points < 0 else ZERO
    return max(ind.weight - points, ZERO)


def _completion(ind: Indicator, x: Decimal) -> tuple[Decimal, str]:
    ratio, note = x, ""
    if ind.cap is not None and ratio > ind.cap:
        ratio, note = ind.cap, f"完成率超过{ind.cap * 100:.0f}%按{ind.cap * 100:.0f}%计"
    points = max(ratio, ZERO) * ind.weight
    if ind.max_points is not None and points > ind.max_points:
        points, note = ind.max_points, f"最多{ind.max_points}分"
    return points, note


def _band(ind: Indicator, x: Decimal) -> Decimal:
    points = ZERO
    for band in ind.bands:
        if x >= band.floor:
            points = band.points
    return points


def _one(ind: Indicator, x: Decimal) -> tuple[Decimal, str]:
    if ind.method == "completion":
        return _completion(ind, x)
    if ind.method == "bands":
        return _band(ind, x), ""
    if ind.method == "deduction":
        raw = x * ind.per
        points = _clamp(raw, ind.low, ind.high)
        return points, ("已到扣分上限" if points != raw else "")
    points = _clamp(x, ind.low if ind.low is not None else ZERO, ind.high if ind.high is not None else ind.weight)
    return points, ""


def _efficacy(ind: Indicator, present: dict[str, Decimal]) -> dict[str, Decimal]:
    if not present:
        return {}
    lo, hi = min(present.values()), max(present.values())
    if hi == lo:
        return {code: ind.weight for code in present}
    return {code: ((x - lo) / (hi - lo) * 40 + 60) * ind.weight / HUNDRED for code, x in present.items()}


def marks(ind: Indicator, inputs: dict[str, tuple[Decimal | None, str]], rules: Rules,
          partial: bool = False) -> dict[str, Mark]:
    """Every district's mark on `ind`. inputs: code → (value, reason), reason '' when there is a
    value, else 未报送 / 未录入 / 无目标. partial: the connection sees some districts only (a district
    account), so a relative method cannot be computed."""
    out: dict[str, Mark] = {}
    present = {c: v for c, (v, _) in inputs.items() if v is not None}
    relative = _efficacy(ind, present) if ind.method == "efficacy" and not partial else {}
    for code, (value, reason) in inputs.items():
        if value is None and reason == NO_TARGET and rules.no_target == "rescale":
            out[code] = Mark(None, None, None, NO_TARGET + "，不计分")
        elif value is None:
            out[code] = Mark(None, ZERO, _lost(ind, ZERO), reason or "未报送")
        elif ind.method == "efficacy" and partial:
            out[code] = Mark(value, None, None, RELATIVE)
        elif ind.method == "efficacy":
            out[code] = Mark(value, relative[code], _lost(ind, relative[code]), "")
        else:
            points, note = _one(ind, value)
            out[code] = Mark(value, points, _lost(ind, points), note)
    return out


def totals(rules: Rules, by_indicator: dict[str, dict[str, Mark]], codes: list[str]) -> dict[str, Total]:
    """Each district's total: the weighted points (rescaled over the indicators it was scored on
    when rules.no_target is rescale) plus 加减分."""
    out: dict[str, Total] = {}
    for code in codes:
        base = adjust = scored_weight = ZERO
        unknown = False
        for ind in rules.indicators:
            mark = by_indicator[ind.key][code]
            if mark.points is None:
                unknown = unknown or mark.reason == RELATIVE
                continue
            if ind.adjusts:
                adjust += mark.points
            else:
                base += mark.points
                scored_weight += ind.weight
        rescaled = ZERO < scored_weight < rules.weight
        if rescaled:
            base = base * rules.weight / scored_weight
        out[code] = Total(None if unknown else base + adjust, base, adjust, rescaled)
    return out


def ranks(values: dict[str, Decimal | None]) -> dict[str, int | None]:
    """Highest first; ties share a rank and the next rank skips (1, 2, 2, 4); no value → None."""
    known = sorted((v for v in values.values() if v is not None), reverse=True)
    first = {}
    for i, v in enumerate(known, start=1):
        first.setdefault(v, i)
    return {code: (None if v is None else first[v]) for code, v in values.items()}
