"""The Chinese names of the project fields (with units), for tables and exports.

The Excel writer itself lives in report/excel.py (text is never written as a formula there).
"""

from __future__ import annotations

import polars as pl

# column → header (with its unit); shared by the 台账 table, the exports and the detail view
HEADERS = {
    "project_id": "项目编号", "project_code": "项目代码", "project_name": "项目名称",
    "district": "县区", "park": "园区", "cluster": "产业集群", "chain": "产业链",
    "chain_known": "产业链已识别", "investor": "投资方",
    "total_investment_wan": "总投资（万元）", "investment_note": "投资额说明",
    "foreign_investment_wan_usd": "其中外资（万美元）", "stage": "项目阶段",
    "sign_date": "签约时间", "register_date": "注册时间", "start_date": "开工时间",
    "production_date": "投产时间", "period": "三个一批期数", "batch": "三个一批批次",
    "responsible_unit": "责任单位", "leader": "包保领导", "investor_kind": "投资方类型",
    "investor_origin": "投资方来源地", "event": "签约活动", "location_approximate": "位置为近似",
    "as_of": "台账日期", "first_seen": "首次入库台账日期", "source_file": "来源文件",
    "source_sheet": "来源工作表", "source_row": "来源行号", "kind": "预警类型",
    "months": "已持续月数", "lng": "经度（GCJ-02）", "lat": "纬度（GCJ-02）",
}


def header(column: str) -> str:
    return HEADERS.get(column, column)


def xlsx_bytes(sheets: list[tuple[str, pl.DataFrame]], title: str | None = None) -> bytes:
    """One worksheet per (name, frame), amounts in 万元 as the ledgers write them.

    The writer (and its protection against formula injection) is report.excel — the one
    implementation; this name stays for the callers that use it."""
    from report.excel import xlsx_bytes as write   # report builds on warehouse, not the reverse

    return write(sheets, title=title, money_unit="万元")
