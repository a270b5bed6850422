"""Normalise a 六职 workbook (etl/normalise/six_headers.py found its sheets): trips, receptions and
包抓 projects as rows of plain data, each source row loaded, skipped or rejected with a reason.

- The district: a 县区 column, else the title, the file name or the folder (as for ledgers).
- The leader and post: columns, else the sheet's name or title (one sheet per leader); a row
  without a post takes the post its leader has on another row of the file.
- Dates as ledgers write them, a year-less date in the title's year; days written or counted
  from the dates (1 when neither is written, said in a warning); companies visited as written or
  counted from the names; leads as written, else 0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from etl.errors import RefusedFile
from etl.normalise.dates import parse_date
from etl.normalise.ledger import TOTAL_RE, raw_values
from etl.normalise.places import district_in_text, resolve_district
from etl.normalise.six_headers import ASSIGNMENTS, RECEPTIONS, TRIPS, SixSheet, resolve_post
from etl.normalise.text import PLACEHOLDERS, clean, cn_number, norm_key
from etl.normalise.workbook import SCOPE_MARK, file_as_of, scope_label, title_year
from etl.workbook import Workbook
from warehouse.reference import Reference

KIND = "六职招商"
TEMPLATE = "请在“数据管理”页下载“六职”招商空白模板"
_COUNT = re.compile(r"^(约|共)?\s*(\d+|[一二三四五六七八九十两百]+)\s*(家|个|人|次|天|日|条|项|批)?(左右|余)?$")
_NAMES = re.compile(r"[、，,;；\n]+")
_YES = frozenset({"是", "拟招引", "年初谋划", "√", "✓", "是的", "y", "yes", "1"})

COMMON = {"load_id": pl.Int64, "source_sheet": pl.String, "source_row": pl.Int32, "district_code": pl.String,
          "district": pl.String, "leader": pl.String, "post": pl.String, "post_written": pl.String}
SCHEMAS = {
    TRIPS: {**COMMON, "start_date": pl.Date, "end_date": pl.Date, "days": pl.Int32, "destination": pl.String,
            "companies_visited": pl.Int32, "companies": pl.String, "met": pl.String, "leads": pl.Int32,
            "lead_notes": pl.String, "remark": pl.String},
    RECEPTIONS: {**COMMON, "visit_date": pl.Date, "guest": pl.String, "guest_origin": pl.String, "topic": pl.String},
    ASSIGNMENTS: {**COMMON, "project_code": pl.String, "project_name": pl.String, "planned": pl.Boolean,
                  "year": pl.Int32},
}


@dataclass
class ParsedSix:
    """A 六职 workbook, parsed: plain data, saved by etl/save.py."""

    as_of: date
    as_of_source: str
    rows: dict[str, list[dict]] = field(default_factory=lambda: {k: [] for k in SCHEMAS})
    rejected: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    warnings: list[tuple[str | None, str, str]] = field(default_factory=list)
    rows_read: int = 0
    rows_skipped: int = 0

    kind = KIND
    row_noun = "行“六职”记录"

    def frame(self, kind: str) -> pl.DataFrame:
        return pl.DataFrame(self.rows[kind], schema={k: v for k, v in SCHEMAS[kind].items() if k != "load_id"})

    @property
    def rows_loaded(self) -> int:
        return sum(len(v) for v in self.rows.values())

    @property
    def rows_rejected(self) -> int:
        return len(self.rejected)

    @property
    def preview(self) -> pl.DataFrame:
        frames = [self.frame(k).select("district", "leader", "post").with_columns(pl.lit(k).alias("sheet_kind"))
                  for k in SCHEMAS if self.rows[k]]
        return pl.concat(frames) if frames else pl.DataFrame()


@dataclass
class _Context:
    ref: Reference
    year: int
    district: str | None                  # code from the title / file name / folder
    scope: frozenset[str] | None
    scope_label: str
    posts: dict[str, str]                 # leader → post, from the rows that write it


def count_of(text: str | None) -> tuple[int | None, str | None]:
    """'5家' / '五' / '约3个' → 5 / 5 / 3; (None, None) for an empty cell; an error for other text."""
    t = clean(text)
    if t is None or norm_key(t) in PLACEHOLDERS:
        return None, None
    t = t.replace(" ", "")
    if re.fullmatch(r"\d+(\.0+)?", t):
        return int(float(t)), None
    m = _COUNT.match(t)
    if m:
        n = cn_number(m.group(2))
        if n is not None:
            return n, None
    return None, f"“{t}”不是数目"


def _cell(values: tuple, header, name: str) -> str | None:
    i = header.columns.get(name)
    return clean(values[i]) if i is not None and i < len(values) else None


def _who(values: tuple, sheet: SixSheet, ctx: _Context) -> tuple[str | None, str | None, str | None, list[str]]:
    """(leader, post, post as written, problems) of a row."""
    problems = []
    leader = _cell(values, sheet.header, "leader") or sheet.leader
    leader = re.sub(r"\s+", "", leader) if leader else None
    written = _cell(values, sheet.header, "post")
    post = resolve_post(written) if written else (sheet.post or ctx.posts.get(leader or ""))
    if not leader:
        problems.append("缺少领导姓名")
    if written and post is None:
        problems.append(f"职务“{written}”不是“六职”（县区委书记、县区长、副书记、常务副县区长、分管招商引资副县区长、开发区主任）之一")
    elif post is None:
        problems.append("缺少职务")
    return leader, post, written or sheet.post, problems


def _district(values: tuple, sheet: SixSheet, ctx: _Context) -> tuple[str | None, list[str]]:
    written = _cell(values, sheet.header, "district")
    code = (resolve_district(written, ctx.ref) if written else None) or (None if written else ctx.district)
    if code is None:
        return None, [f"县区“{written}”无法识别" if written else "缺少县区（表中、标题和文件名中都没有写明）"]
    if ctx.scope is not None and code not in ctx.scope:
        return None, [f"{ctx.ref.district(code).name}{SCOPE_MARK}（{ctx.scope_label}）内，未入库"]
    return code, []


def _date(values: tuple, sheet: SixSheet, name: str, ctx: _Context, label: str, required: bool):
    text = _cell(values, sheet.header, name)
    parsed = parse_date(text, ctx.year)
    if parsed.error:
        return None, [f"{label}{parsed.error.removeprefix('日期')}"]
    if parsed.value is None and required:
        return None, [f"缺少{label}"]
    return parsed.value, []


def _count(values: tuple, sheet: SixSheet, name: str, label: str) -> tuple[int | None, list[str]]:
    n, error = count_of(_cell(values, sheet.header, name))
    return n, ([f"{label}{error}"] if error else [])


def _trip(values: tuple, sheet: SixSheet, ctx: _Context, out: dict, warn: list) -> list[str]:
    start, p1 = _date(values, sheet, "date", ctx, "外出时间", True)
    end, p2 = _date(values, sheet, "end_date", ctx, "返回时间", False)
    days, p3 = _count(values, sheet, "days", "天数")
    visited, p4 = _count(values, sheet, "companies_visited", "拜访企业数")
    leads, p5 = _count(values, sheet, "leads", "洽谈线索")
    companies = _cell(values, sheet.header, "companies")
    problems = p1 + p2 + p3 + p4 + p5
    if start and end and end < start:
        problems.append("返回时间早于外出时间")
    if problems:
        return problems
    if days is None:
        days = (end - start).days + 1 if end else 1
        if not end:
            warn.append("days")
    if visited is None:
        visited = len([c for c in _NAMES.split(companies or "") if c.strip()])
    out.update(start_date=start, end_date=end, days=days, destination=_cell(values, sheet.header, "destination"),
               companies_visited=visited, companies=companies, met=_cell(values, sheet.header, "met"),
               leads=leads or 0, lead_notes=_cell(values, sheet.header, "lead_notes"),
               remark=_cell(values, sheet.header, "remark"))
    return []


def _reception(values: tuple, sheet: SixSheet, ctx: _Context, out: dict, warn: list) -> list[str]:
    day, problems = _date(values, sheet, "date", ctx, "接待时间", True)
    guest = _cell(values, sheet.header, "guest")
    if not guest:
        problems.append("缺少客商名称")
    if problems:
        return problems
    out.update(visit_date=day, guest=guest, guest_origin=_cell(values, sheet.header, "guest_origin"),
               topic=_cell(values, sheet.header, "topic"))
    return []


def _assignment(values: tuple, sheet: SixSheet, ctx: _Context, out: dict, warn: list) -> list[str]:
    code = _cell(values, sheet.header, "project_code")
    name = _cell(values, sheet.header, "project_name")
    if not name and not code:
        return ["缺少项目名称"]
    if "planned" in sheet.header.columns:        # a column says which; else a sheet of 拟招引项目 says all
        mark = norm_key(_cell(values, sheet.header, "planned") or "")
        planned = bool(mark and (mark in _YES or mark.startswith("拟招引")))
    else:
        planned = bool(re.search("拟招引|年初谋划", " ".join((sheet.sheet.name, *sheet.header.title_lines))))
    out.update(project_code=code, project_name=re.sub(r"\s+", "", name or code), planned=planned, year=ctx.year)
    return []


ROW_READERS = {TRIPS: _trip, RECEPTIONS: _reception, ASSIGNMENTS: _assignment}


def _is_total(values: tuple) -> bool:
    lead = next((clean(v) for v in values if clean(v)), "") or ""
    return bool(re.match(TOTAL_RE, lead.replace(" ", "")))


def _leader_posts(sheets: list[SixSheet]) -> dict[str, str]:
    posts: dict[str, str] = {}
    for s in sheets:
        li, pi = s.header.columns.get("leader"), s.header.columns.get("post")
        if li is None or pi is None:
            continue
        for values in s.sheet.frame.slice(s.header.data_start).iter_rows():
            name, post = clean(values[li]), resolve_post(clean(values[pi]))
            if name and post:
                posts.setdefault(re.sub(r"\s+", "", name), post)
    return posts


def _sheet_rows(s: SixSheet, ctx: _Context, parsed: ParsedSix, warn: list) -> None:
    labels = s.header.labels
    for n, values in enumerate(s.sheet.frame.slice(s.header.data_start).iter_rows(), start=s.header.data_start + 1):
        if all(clean(v) is None for v in values):
            continue
        parsed.rows_read += 1
        where = {"source_sheet": s.sheet.name, "source_row": n, "raw_values": raw_values(labels, values)}
        seq = _cell(values, s.header, "seq")
        if _is_total(values) or (seq and sum(clean(v) is not None for v in values) == 1):
            parsed.rows_skipped += 1
            parsed.skipped.append({**where, "reason": "合计/小计行" if _is_total(values) else "只有序号的空行"})
            continue
        code, problems = _district(values, s, ctx)
        leader, post, written, who = _who(values, s, ctx)
        out = {"source_sheet": s.sheet.name, "source_row": n, "district_code": code,
               "district": ctx.ref.district(code).name if code else None, "leader": leader, "post": post,
               "post_written": written}
        noted: list = []
        problems += who + ROW_READERS[s.kind](values, s, ctx, out, noted)
        if not problems:
            warn.extend(noted)
        if problems:
            parsed.rejected.append({**where, "reason": "；".join(problems)})
        else:
            parsed.rows[s.kind].append(out)


def parse_six(wb: Workbook, sheets: list[SixSheet], ref: Reference, *, as_of: date | None,
              file_name: str | None = None, scope: frozenset[str] | None = None) -> ParsedSix:
    titles = [line for s in sheets for line in s.header.title_lines]
    warnings: list = [(None, "文件格式", note) for note in wb.notes]
    as_of, source = file_as_of(as_of, titles, wb, warnings)
    district = next((d for t in (*titles, wb.stem, wb.path.parent.name) if (d := district_in_text(t, ref))), None)
    year = next((y for t in (*titles, wb.stem) if (y := title_year(t))), as_of.year)
    ctx = _Context(ref, year, district, scope, scope_label(scope, ref), _leader_posts(sheets))
    parsed = ParsedSix(as_of=as_of, as_of_source=source, warnings=warnings)
    for s in sheets:
        warn: list = []
        _sheet_rows(s, ctx, parsed, warn)
        if warn:
            parsed.warnings.append((s.sheet.name, "天数", f"工作表“{s.sheet.name}”有{len(warn)}次外出没有写天数和返回时间，按1天计。"))
    check_six_loadable(parsed)
    return parsed


def check_six_loadable(parsed: ParsedSix) -> None:
    """No usable row: refused, storing nothing, with the commonest reasons."""
    if parsed.rows_loaded:
        return
    if not parsed.rejected:
        raise RefusedFile(f"“六职”招商表中没有一行记录（表头以下都是空行或合计行）。请填写后再上传；{TEMPLATE}。")
    reasons = [x for r in parsed.rejected for x in r["reason"].split("；")]
    if all(SCOPE_MARK in x for x in reasons):
        raise RefusedFile("表中的记录都不属于本账号的县区，均未入库。请只上传本账号负责县区的“六职”招商表。")
    common = sorted({x: reasons.count(x) for x in reasons}.items(), key=lambda kv: -kv[1])[:3]
    summary = "；".join(f"{reason}（{k}行）" for reason, k in common)
    raise RefusedFile(f"“六职”招商表中没有一行可以入库：{summary}。请按原因修改后重新上传；{TEMPLATE}。")
