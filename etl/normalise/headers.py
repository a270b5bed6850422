"""Find the header row wherever it is and map its columns to fields, by content.

Handles a title and 填报 lines above the header, two-row headers with merged group cells,
synonyms (项目名称/项目名/名称 …), full-width brackets, stray spaces and line breaks inside
a header cell, and units written in the header ('总投资（亿元）').
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from etl.normalise.amounts import unit_in
from etl.normalise.coords import crs_hint
from etl.normalise.text import clean, norm_key
from warehouse.reference import Reference

SCAN_ROWS = 40
MONEY_FIELDS = ("total_investment", "foreign_investment")
_BRACKETS = re.compile(r"[(\[（【][^)\]）】]*[)\]）】]")
_PREFIX = re.compile(r"^(其中[:：]?|含[:：]?)")
_SHEET_UNIT = re.compile(r"单位[:：]?\s*(亿美元|万美元|亿元|万元|元)")
_HEAD_END = re.compile(r"[(\[（【:：,，。;；]")
MAX_HEADER_CELL = 60
# A project ledger's header has the name column and at least two of these (DOMAIN.md: what a
# district ledger looks like): where, how far, how much, when, which chain, which park, which
# 三个一批, who invests. 序号, 备注, 编号 or a contact column prove nothing — every list has them.
EVIDENCE = {"district": "district", "stage": "stage", "total_investment": "amount", "foreign_investment": "amount",
            "sign_date": "date", "register_date": "date", "start_date": "date", "production_date": "date",
            "chain": "chain", "cluster": "chain", "park": "park", "period": "batch", "batch": "batch",
            "investor": "investor"}
MIN_EVIDENCE = 2


def header_key(text: str) -> str:
    """'总 投 资\n（亿元）' → '总投资'; '其中：外资' → '外资'."""
    t = clean(text) or ""
    t = _BRACKETS.sub("", t)
    t = norm_key(t).strip("*※:：")
    return _PREFIX.sub("", t) or norm_key(text)


def _head(text: str) -> str:
    """The name a long header cell starts with: '项目名称（须填写全称……）' → '项目名称'."""
    first = _BRACKETS.sub("", text.strip().splitlines()[0] if text.strip() else "")
    return _HEAD_END.split(first)[0].strip()


def match_fields(text: str | None, ref: Reference) -> list[tuple[str, int]]:
    """Candidate (field, priority) pairs for one header cell; exact synonyms first, then the
    longest synonym contained in the header. A long cell (an explanation written into the header,
    or a title) counts only when it starts with an exact synonym."""
    if not text:
        return []
    if len(text) > MAX_HEADER_CELL:
        return ref.header_synonyms.get(norm_key(_head(text)), [])
    cache_key = (id(ref), text)
    if cache_key not in _MATCHES:
        if len(_MATCHES) > 50_000:
            _MATCHES.clear()
        _MATCHES[cache_key] = _match(text, ref)
    return _MATCHES[cache_key]


_MATCHES: dict[tuple[int, str], list[tuple[str, int]]] = {}


def _match(text: str, ref: Reference) -> list[tuple[str, int]]:
    key = header_key(text)
    full = norm_key(clean(text) or "")
    for k in (key, full):
        if k in ref.header_synonyms:
            return ref.header_synonyms[k]
    best = ""
    for syn in ref.header_synonyms:
        if len(syn) >= 3 and syn in key and len(syn) > len(best):
            best = syn
    return ref.header_synonyms.get(best, [])


@dataclass
class Header:
    first_row: int                      # 0-based index of the first header row
    data_start: int                     # 0-based index of the first data row
    labels: list[str]                   # one readable label per column (for raw values)
    columns: dict[str, int]             # field → column index
    fallback: dict[str, int] = field(default_factory=dict)  # field → column (priority-2 synonym)
    units: dict[str, str] = field(default_factory=dict)     # money field → unit from the header
    crs: str | None = None
    title_lines: list[str] = field(default_factory=list)
    sheet_unit: str | None = None

    @property
    def score(self) -> int:
        return len(self.columns)


def _row_texts(row: list) -> list[str | None]:
    return [clean(v) for v in row]


def _assign(labels: list[str | None], ref: Reference) -> tuple[dict[str, int], dict[str, int]]:
    columns: dict[str, int] = {}
    fallback: dict[str, int] = {}
    candidates = [match_fields(label, ref) for label in labels]
    for i, cands in enumerate(candidates):
        for fname, prio in cands:
            if prio == 1 and fname not in columns and i not in columns.values():
                columns[fname] = i
                break
    for i, cands in enumerate(candidates):
        for fname, prio in cands:
            if prio == 2 and fname not in columns and fname not in fallback:
                fallback[fname] = i
    return columns, fallback


def _evidence(columns: dict[str, int], fallback: dict[str, int]) -> int:
    """How many kinds of ledger field a header has; 责任单位 standing in for 县区 counts as 县区."""
    return len({EVIDENCE[f] for f in [*columns, *fallback] if f in EVIDENCE and (f in columns or f == "district")})


def _forward_fill(row: list[str | None]) -> list[str | None]:
    out, last = [], None
    for v in row:
        last = v if v is not None else last
        out.append(last)
    return out


def find_header(rows: list[list], ref: Reference) -> Header | None:
    """The best header among the first rows: a single row, or a group row plus the row below."""
    texts = [_row_texts(r) for r in rows[:SCAN_ROWS]]
    best: Header | None = None
    best_group: list[str | None] | None = None
    for r, row in enumerate(texts):
        options = [(row, None)]
        if r + 1 < len(texts):
            below = texts[r + 1]
            combined = [b if b is not None else a for a, b in zip(row, below)]
            options.append((combined, row))
        for n, (labels, group) in enumerate(options):
            columns, fallback = _assign(labels, ref)
            if "project_name" not in columns or _evidence(columns, fallback) < MIN_EVIDENCE:
                continue
            if group is not None and all(texts[r + 1][i] is not None for i in columns.values()):
                continue  # the row above adds no column name: it is a title or blank, not a group row
            cand = Header(first_row=r, data_start=r + 1 + n,
                          labels=[lab or f"第{i + 1}列" for i, lab in enumerate(labels)],
                          columns=columns, fallback=fallback)
            if best is None or cand.score > best.score:
                best = cand
                best_group = group
    if best is None:
        return None
    if best_group is None and best.first_row > 0:
        best_group = texts[best.first_row - 1]  # a group row may still carry the unit: 投资情况（亿元）
    group_filled = _forward_fill(best_group) if best_group else [None] * len(best.labels)
    for fname in MONEY_FIELDS:
        if fname in best.columns:
            i = best.columns[fname]
            unit = unit_in(best.labels[i]) or unit_in(group_filled[i])
            if fname == "foreign_investment" and unit and "美元" not in unit:
                unit = None  # a sheet-wide 单位：亿元 speaks of yuan, not of foreign capital
            if unit:
                best.units[fname] = unit
    for fname in ("lng", "lat", "coordinates"):
        if fname in best.columns:
            i = best.columns[fname]
            best.crs = best.crs or crs_hint(best.labels[i]) or crs_hint(group_filled[i])
    above = [" ".join(v for v in t if v) for t in texts[: best.first_row]]
    best.title_lines = [line for line in above if line]
    for line in best.title_lines:
        m = _SHEET_UNIT.search(line)
        if m:
            best.sheet_unit = m.group(1)
            break
    return best
