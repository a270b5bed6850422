"""The global filters: what a person picked in the sidebar (or a link carried in its URL).

A `Filters` value is plain data. It becomes SQL only through `where`, which writes a fixed
SQL shape and passes every value as a bind parameter: filter values never become SQL text.
`from_query` reads URL parameters and keeps only values that the warehouse knows, so an
unknown or hostile parameter falls back to the default view.

Time window. Event metrics (签约/开工/投产 counts, the trend, the funnel cohort) put a project in
the window by the date of that event. Lists of projects (台账, 地图, 产业链) keep a project when
any of its 签约/开工/投产 dates falls in the window, or when it has none of them yet (在谈).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

STAGES = ("在谈", "签约", "履约", "开工", "投产", "达效")
TERMINATED = "终止"
ALL_STAGES = (*STAGES, TERMINATED)
UNKNOWN_CHAIN = "未识别产业链"
NO_CLUSTER = "未归集群"
UNKNOWN_DISTRICT = "未识别县区"

EVENT_DATES = {"sign": "sign_date", "start": "start_date", "production": "production_date"}
ALL_TIME = "all"

_MAX_VALUES = 200  # a URL may not carry more values than any option list here has
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YEAR = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class Filters:
    districts: tuple[str, ...] = ()
    clusters: tuple[str, ...] = ()
    chains: tuple[str, ...] = ()
    periods: tuple[int, ...] = ()
    stages: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None

    @property
    def has_window(self) -> bool:
        return self.date_from is not None or self.date_to is not None

    def narrowed(self, **values) -> "Filters":
        """The same filters with some fields replaced (a cross-filter from a chart click)."""
        return replace(self, **values)

    def without_window(self) -> "Filters":
        return replace(self, date_from=None, date_to=None)


@dataclass(frozen=True)
class FilterOptions:
    """What the warehouse holds, to offer in the sidebar and to validate URL values against."""

    districts: tuple[str, ...] = ()
    clusters: tuple[str, ...] = ()
    chains: tuple[str, ...] = ()
    chain_cluster: tuple[tuple[str, str], ...] = ()   # (chain, cluster) for dependent options
    periods: tuple[int, ...] = ()
    stages: tuple[str, ...] = ALL_STAGES
    years: tuple[int, ...] = ()
    newest_as_of: date | None = None
    key_chains: tuple[str, ...] = field(default=())

    @property
    def default_year(self) -> int | None:
        if self.newest_as_of is not None:
            return self.newest_as_of.year
        return max(self.years) if self.years else None

    def chains_of(self, clusters: Sequence[str]) -> tuple[str, ...]:
        if not clusters:
            return self.chains
        wanted = set(clusters)
        return tuple(c for c, cl in self.chain_cluster if cl in wanted)


@dataclass(frozen=True)
class TimeChoice:
    """How the window was chosen: a year, all time, or a custom range."""

    mode: str = "year"           # year / all / range
    year: int | None = None
    date_from: date | None = None
    date_to: date | None = None

    def window(self) -> tuple[date | None, date | None]:
        if self.mode == "year" and self.year:
            return date(self.year, 1, 1), date(self.year, 12, 31)
        if self.mode == "range":
            return self.date_from, self.date_to
        return None, None


# --- URL --------------------------------------------------------------------------------


def _values(params: Mapping[str, Sequence[str] | str], key: str) -> list[str]:
    raw = params.get(key, [])
    items = [raw] if isinstance(raw, str) else list(raw)
    out: list[str] = []
    for item in items[:_MAX_VALUES]:
        for part in str(item).split(","):
            part = part.strip()
            if part and len(part) <= 100 and part not in out:
                out.append(part)
    return out


def _date(text: str) -> date | None:
    if not _ISO_DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def time_from_query(params: Mapping[str, Sequence[str] | str], options: FilterOptions) -> TimeChoice:
    default = TimeChoice("year", options.default_year) if options.default_year else TimeChoice("all")
    start = next(iter(_values(params, "from")), "")
    end = next(iter(_values(params, "to")), "")
    if start or end:
        d1, d2 = _date(start), _date(end)
        if (start and not d1) or (end and not d2) or (d1 and d2 and d1 > d2):
            return default
        return TimeChoice("range", None, d1, d2)
    year = next(iter(_values(params, "year")), "")
    if year == ALL_TIME:
        return TimeChoice("all")
    if _YEAR.match(year) and int(year) in options.years:
        return TimeChoice("year", int(year))
    return default


def from_query(params: Mapping[str, Sequence[str] | str], options: FilterOptions) -> tuple[Filters, TimeChoice]:
    """Filters from URL parameters; anything not among the options is dropped."""

    def known(key: str, allowed: Sequence[str]) -> tuple[str, ...]:
        allowed_set = set(allowed)
        return tuple(v for v in _values(params, key) if v in allowed_set)

    clusters = known("cluster", options.clusters)
    periods = tuple(int(v) for v in _values(params, "period")
                    if v.isdigit() and len(v) < 6 and int(v) in set(options.periods))
    time = time_from_query(params, options)
    d1, d2 = time.window()
    filters = Filters(
        districts=known("district", options.districts),
        clusters=clusters,
        chains=known("chain", options.chains_of(clusters)),
        periods=periods,
        stages=known("stage", options.stages),
        date_from=d1,
        date_to=d2,
    )
    return filters, time


def to_query(filters: Filters, time: TimeChoice, options: FilterOptions) -> dict[str, list[str]]:
    """URL parameters for a view; the default view is the empty dict."""
    out: dict[str, list[str]] = {}
    for key, values in (("district", filters.districts), ("cluster", filters.clusters),
                        ("chain", filters.chains), ("period", [str(p) for p in filters.periods]),
                        ("stage", filters.stages)):
        if values:
            out[key] = list(values)
    if time.mode == "range":
        if time.date_from:
            out["from"] = [time.date_from.isoformat()]
        if time.date_to:
            out["to"] = [time.date_to.isoformat()]
    elif time.mode == "all":
        if options.default_year is not None:
            out["year"] = [ALL_TIME]
    elif time.year and time.year != options.default_year:
        out["year"] = [str(time.year)]
    return out


# --- SQL --------------------------------------------------------------------------------


def where(filters: Filters, alias: str = "p", window: str | None = "activity",
          ) -> tuple[str, list]:
    """A WHERE condition (without the keyword) and its bind parameters.

    window: None (ignore the dates), "activity" (any event date in the window, or none yet),
    or one of EVENT_DATES (that event's date in the window).
    """
    a = f"{alias}." if alias else ""
    parts: list[str] = ["TRUE"]
    params: list = []
    if filters.districts:
        parts.append(f"list_contains(?::VARCHAR[], {a}district)")
        params.append(list(filters.districts))
    if filters.clusters:
        parts.append(f"list_contains(?::VARCHAR[], coalesce({a}cluster, '{NO_CLUSTER}'))")
        params.append(list(filters.clusters))
    if filters.chains:
        parts.append(f"(({a}chain_known AND list_contains(?::VARCHAR[], {a}chain))"
                     f" OR (? AND {a}chain_known IS NOT TRUE))")
        params.extend([list(filters.chains), UNKNOWN_CHAIN in filters.chains])
    if filters.periods:
        parts.append(f"list_contains(?::INTEGER[], {a}period)")
        params.append(list(filters.periods))
    if filters.stages:
        parts.append(f"list_contains(?::VARCHAR[], {a}stage)")
        params.append(list(filters.stages))
    if window and filters.has_window:
        cond, p = _window_condition(filters, a, window)
        parts.append(cond)
        params.extend(p)
    return " AND ".join(parts), params


def top_rows(columns: str, condition: str, params: list, order: str, descending: bool, ties: str,
             limit: int, source: str = "projects p") -> tuple[str, list]:
    """SELECT `columns` FROM `source` WHERE `condition` ORDER BY `order` (NULLS LAST), `ties`
    LIMIT `limit` — the same rows, written so that a million projects are not all sorted by their
    (string) tie-breakers: a first pass finds the order value of the limit-th row from the values
    alone, and only rows reaching it are sorted in full (420 ms → 160 ms for 20,000 map points
    of a million). Returns the SQL and its parameters."""
    direction, reach, pick = ("DESC", ">=", "min") if descending else ("ASC", "<=", "max")
    sql = f"""
        WITH cut AS (SELECT {pick}(v) AS v, count(v) AS n
                     FROM (SELECT {order} AS v FROM {source} WHERE {condition}
                           ORDER BY v {direction} NULLS LAST LIMIT ?))
        SELECT {columns} FROM {source}, cut
        WHERE {condition} AND (cut.n < ? OR {order} {reach} cut.v)
        ORDER BY {order} {direction} NULLS LAST, {ties}
        LIMIT ?"""
    return sql, [*params, int(limit), *params, int(limit), int(limit)]


def in_window(column: str, filters: Filters) -> tuple[str, list]:
    """`column` between the window's ends (TRUE when there is no window)."""
    conds, params = ["TRUE"], []
    if filters.date_from is not None:
        conds.append(f"{column} >= ?")
        params.append(filters.date_from)
    if filters.date_to is not None:
        conds.append(f"{column} <= ?")
        params.append(filters.date_to)
    return "(" + " AND ".join(conds) + ")", params


def _window_condition(filters: Filters, a: str, window: str) -> tuple[str, list]:
    if window in EVENT_DATES:
        return in_window(a + EVENT_DATES[window], filters)
    if window != "activity":
        raise ValueError(f"unknown window {window!r}")
    conds, params = [], []
    for column in EVENT_DATES.values():
        c, p = in_window(a + column, filters)
        conds.append(c)
        params.extend(p)
    none_yet = " AND ".join(f"{a}{c} IS NULL" for c in EVENT_DATES.values())
    return "(" + " OR ".join(conds) + f" OR ({none_yet}))", params


def shifted_year(filters: Filters, years: int = -1) -> Filters:
    """The same window one year earlier (同比). 29 Feb falls back to 28 Feb."""

    def shift(d: date | None) -> date | None:
        if d is None:
            return None
        try:
            return d.replace(year=d.year + years)
        except ValueError:
            return d.replace(year=d.year + years, day=28)

    return replace(filters, date_from=shift(filters.date_from), date_to=shift(filters.date_to))


def clipped(filters: Filters, newest: date | None) -> Filters:
    """A window that ends after the newest ledger date is cut there: 同比 compares like with like."""
    if newest is None or filters.date_to is None or filters.date_to <= newest:
        return filters
    if filters.date_from is not None and filters.date_from > newest:
        return filters
    return replace(filters, date_to=newest)
