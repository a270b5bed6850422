"""What a 六职 workbook's sheets are, by content: its header row (anywhere in the first rows, one
row or a group row above it), the fields of its columns (data/reference/six_headers.csv), and the
kind of each sheet — 外出招商 (trips), 接待客商 (receptions), 包抓项目 (assignments). A workbook
with one sheet per leader names the leader (and post) in the sheet name or title instead of a
column. Pure: the workbook is data.

A project ledger with a 包保领导 column is not a 六职 workbook: a sheet of projects counts as 包抓
only with a 职务 column and a title, sheet or file name that says 六职/包抓/包保/拟招引.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from etl.normalise.headers import header_key
from etl.normalise.ledger import is_instruction_sheet
from etl.normalise.text import clean, norm_key
from etl.workbook import RawSheet, Workbook
from warehouse.reference import Reference

SCAN_ROWS = 30
TRIPS, RECEPTIONS, ASSIGNMENTS = "外出招商", "接待客商", "包抓项目"
SIX_WORDS = re.compile(r"六职|包抓|包保|拟招引|分包")

# the six posts (DOMAIN.md), each with what tells it apart in a written post: tried in order, so
# that 常务副县长 is not read as 县长 and 副书记 not as 书记
POSTS = ("县区委书记", "县区长", "副书记", "常务副县区长", "分管招商引资副县区长", "开发区主任")
_POST_RULES = (
    ("常务副县区长", re.compile(r"常务副(县|区|县区|市)长")),
    ("副书记", re.compile(r"副书记")),
    ("开发区主任", re.compile(r"主任|开发区.*书记|工委书记")),
    ("县区委书记", re.compile(r"书记")),
    ("分管招商引资副县区长", re.compile(r"副(县|区|县区|市)长")),
    ("县区长", re.compile(r"(县|区|县区)长")),
)
_NAME_POST = re.compile(r"^\s*([\u4e00-\u9fa5·]{2,4})\s*[(（]\s*([^)）]+)[)）]\s*$")


def resolve_post(text: str | None) -> str | None:
    """'县委书记' / '中共XX县委书记' → 县区委书记; '常务副区长' → 常务副县区长; None: not one of the six."""
    t = norm_key(clean(text) or "")
    if not t:
        return None
    if t in POSTS:
        return t
    return next((post for post, rule in _POST_RULES if rule.search(t)), None)


def leader_in_text(text: str | None) -> tuple[str | None, str | None]:
    """(leader, post) named by a sheet name or title: '张伟（县委书记）', '县委书记张伟', '张伟'."""
    t = (clean(text) or "").replace(" ", "")
    if not t:
        return None, None
    if m := _NAME_POST.match(t):
        return m.group(1), resolve_post(m.group(2))
    for post, rule in _POST_RULES:
        m = rule.search(t)
        if m:
            name = re.sub(r"(外出招商|招商|情况|台账|统计|表|记录|明细|活动)+$", "", t[m.end():])
            if 2 <= len(name) <= 4 and re.fullmatch(r"[\u4e00-\u9fa5·]+", name):
                return name, post
            return None, post
    if re.fullmatch(r"[\u4e00-\u9fa5·]{2,3}", t) and not SIX_WORDS.search(t):
        return t, None
    return None, None


@dataclass
class SixHeader:
    first_row: int
    data_start: int
    labels: list[str]
    columns: dict[str, int]                 # field → column index
    title_lines: list[str] = field(default_factory=list)


@dataclass
class SixSheet:
    sheet: RawSheet
    kind: str                               # TRIPS / RECEPTIONS / ASSIGNMENTS
    header: SixHeader
    leader: str | None = None               # one sheet per leader: from its name or title
    post: str | None = None


def _field(text: str | None, ref: Reference) -> str | None:
    if not text or len(text) > 40:
        return None
    synonyms = ref.six_header_synonyms
    key = header_key(text)
    for k in (key, norm_key(clean(text) or "")):
        if k in synonyms:
            return synonyms[k]
    best = max((s for s in synonyms if len(s) >= 3 and s in key), key=len, default=None)
    return synonyms[best] if best else None


def _assign(labels: list[str | None], ref: Reference) -> dict[str, int]:
    columns: dict[str, int] = {}
    for i, label in enumerate(labels):
        f = _field(label, ref)
        if f and f not in columns:
            columns[f] = i
    return columns


def sheet_kind(columns: dict[str, int], names: str) -> str | None:
    """The kind of sheet a header makes, or None. `names` is the sheet name, title and file name."""
    has = columns.__contains__
    if has("date") and (has("destination") or has("companies") or has("companies_visited") or has("days")):
        return TRIPS
    if has("date") and has("guest"):
        return RECEPTIONS
    if (has("project_name") or has("project_code")) and has("post") and SIX_WORDS.search(names):
        return ASSIGNMENTS
    if (has("project_name") or has("project_code")) and SIX_WORDS.search(names) and not has("date"):
        return ASSIGNMENTS if has("leader") or leader_in_text(names.split("|")[0])[0] else None
    return None


def find_six_header(rows: list[list], ref: Reference, names: str) -> tuple[SixHeader, str] | None:
    texts = [[clean(v) for v in r] for r in rows[:SCAN_ROWS]]
    best: tuple[SixHeader, str] | None = None
    for r, row in enumerate(texts):
        options = [(row, 0)]
        if r + 1 < len(texts):
            options.append(([b if b is not None else a for a, b in zip(row, texts[r + 1])], 1))
        for labels, extra in options:
            columns = _assign(labels, ref)
            title = " ".join(" ".join(v for v in t if v) for t in texts[:r])
            kind = sheet_kind(columns, f"{names}|{title}")
            if kind is None or (extra and all(texts[r + 1][i] is not None for i in columns.values())):
                continue
            if best is None or len(columns) > len(best[0].columns):
                head = SixHeader(r, r + 1 + extra, [lab or f"第{i + 1}列" for i, lab in enumerate(labels)], columns,
                                 [" ".join(v for v in t if v) for t in texts[:r] if any(t)])
                best = (head, kind)
    return best


def analyse_six(wb: Workbook, ref: Reference) -> list[SixSheet] | None:
    """The 六职 sheets of a workbook (None: it is not a 六职 workbook)."""
    found: list[SixSheet] = []
    for sheet in wb.sheets:
        if not sheet.visible or not sheet.frame.width or is_instruction_sheet(sheet.name):
            continue
        rows = [list(r) for r in sheet.frame.head(SCAN_ROWS).iter_rows()]
        hit = find_six_header(rows, ref, f"{sheet.name}|{wb.stem}")
        if hit is None:
            continue
        header, kind = hit
        leader, post = (None, None)
        if "leader" not in header.columns:
            for text in (sheet.name, *header.title_lines):
                leader, post = leader_in_text(text)
                if leader:
                    break
        names = " ".join((sheet.name, wb.stem, *header.title_lines))
        # a list with a date and a place, or a customer list, is no 六职 sheet unless it names its leaders
        if not ({"leader", "post"} & header.columns.keys() or leader or SIX_WORDS.search(names)):
            continue
        found.append(SixSheet(sheet, kind, header, leader, post))
    return found or None
