"""项目台账: search, every filter, a sortable list, a project's history, export to Excel."""

from __future__ import annotations

import polars as pl

from report import figures, vocab
from report.format import count, day, window, yi
from report.tables import cell_text
from report.view import Card, Chart, Choice, Detail, Download, Expander, Heading, Message, Metrics, Row, Table, View
from warehouse import ledger

SORT_LABELS = {"total_investment_wan": "总投资", "sign_date": "签约时间", "start_date": "开工时间",
               "production_date": "投产时间", "project_name": "项目名称", "district": "县区", "as_of": "台账日期"}
SEARCH = Choice("ledger-search", "搜索项目名称或投资方", kind="text", help="输入关键字")
SORT = Choice("ledger-sort", "排序", list(SORT_LABELS), kind="select", labels=SORT_LABELS)
DESCENDING = Choice("ledger-desc", "降序", kind="toggle", default=True)
TABLE_KEY = "ledger-table"
COLUMNS = ["project_code", "project_name", "district", "cluster", "chain", "stage", "total_investment_wan", "investor",
           "sign_date", "start_date", "production_date", "period", "batch", "responsible_unit", "as_of"]
HISTORY_COLUMNS = ["as_of", "stage", "total_investment_wan", "period", "batch", "source_file", "source_sheet",
                   "source_row"]
HIDDEN_FIELDS = ("project_id", "name_key", "district_code")      # internal: not for people


def caption(v: View) -> str:
    return f"时间范围：{window(v.filters.date_from, v.filters.date_to)}"


def _picked(v: View, rows: pl.DataFrame) -> str | None:
    state = v.selected(TABLE_KEY) or {}
    picked = [i for i in ((state.get("selection") or {}).get("rows") or []) if isinstance(i, int) and i < rows.height]
    return rows["project_id"][picked[0]] if picked else None


def all_fields(detail: dict) -> pl.DataFrame:
    """A project's every field for people: Chinese names, values as every table shows them."""
    rows = [{"field": vocab.header(k), "content": cell_text(k, v, detail)}
            for k, v in detail.items() if k not in HIDDEN_FIELDS]
    return pl.DataFrame(rows, schema={"field": pl.String, "content": pl.String})


def _detail(v: View, project_id: str) -> list:
    detail = v.ask(ledger.project_detail, project_id)
    history = v.ask(ledger.project_history, project_id)
    if not detail:
        return []
    return [
        Heading("项目详情"),
        Detail(detail["project_name"], [("总投资", yi(detail["total_investment_wan"])), ("当前阶段", detail["stage"]),
                                        ("县区", detail["district"]), ("首次入库", day(detail["first_seen"]))]),
        Message("**历次台账中的进度**", "markdown"),
        Chart("history", f"项目进度：{detail['project_name']}", figures.stage_history(history), show_title=False),
        Table("history-table", "历次台账", history, HISTORY_COLUMNS, show_title=False),
        Expander("全部字段", [Table("fields", "全部字段", all_fields(detail), ["field", "content"], slide_rows=None,
                                    show_title=False)]),
    ]


def view(v: View) -> list:
    search, sort_by, descending = v.value(SEARCH), v.value(SORT), v.value(DESCENDING)
    total = v.ask(ledger.project_count, v.filters, search)
    rows = v.ask(ledger.project_list, v.filters, search, sort_by, descending)
    title = "项目台账" + (f"（搜索：{search.strip()}）" if search.strip() else "")
    more = total["projects"] > rows.height
    project = _picked(v, rows)
    return [
        Row([SEARCH, SORT, DESCENDING], widths=[3, 2, 1]),
        Metrics("count", "项目台账", [Card("符合条件的项目", count(total["projects"])),
                                       Card("总投资", yi(total["investment_wan"]))],
                f"符合条件的项目{count(total['projects'])}，总投资{yi(total['investment_wan'])}"),
        *([Message(f"表格显示前 {count(rows.height)}（按所选排序）；导出包含全部 {count(total['projects'])}。")]
          if more else []),
        Download("ledger-export", "导出 Excel", lambda: [("项目台账", v.ask(
            ledger.project_list, v.filters, search, sort_by, descending, ledger.EXCEL_MAX_ROWS))],
            title, "项目台账", v.filters),
        Table(TABLE_KEY, "项目清单（按所选排序）", rows, COLUMNS, select=True, height=460, total=total["projects"],
              slide_rows=30, show_title=False),
        Message("点击表头排序；选中一行查看项目详情与历次台账进度。"),
        *(_detail(v, project) if project else []),
    ]


if __name__ == "__main__":      # run by Streamlit for this page
    from ui.page import show
    show("ledger")
