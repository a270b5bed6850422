"""A clean ledger template (台账模板) for districts: the layout the loader reads best.

Drop-down lists come from the reference data (districts, chains, stages), so the template
always matches what the city has configured; every header is a name in headers.csv, with its
unit in brackets where it has one.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from etl.layouts import save_workbook, style_header, title_lines
from warehouse.batches import BATCHES
from warehouse.reference import Reference, load_reference

HEADER_ROW = 3
TEMPLATE_ROWS = 1000          # rows prepared with drop-downs and formats below the header
DATE_FORMAT = "yyyy-mm-dd"
FIXED_TIME = datetime(2025, 1, 1, 9, 0)   # same bytes on every run

# (header, width, kind, explanation). kind picks the drop-down or format.
COLUMNS = (
    ("序号", 6, "int", "从 1 开始顺序编号。"),
    ("项目编号", 16, "text", "县区自编的项目唯一编号，同一项目每月保持不变；没有可不填。"),
    ("项目名称", 40, "text", "必填。项目全称，如“××食品有限公司年产5万吨休闲食品生产线项目”，每月写法保持一致。"),
    ("所属县区", 18, "district", "从下拉列表选择项目所在县区或功能区。"),
    ("园区", 22, "text", "项目落地的园区（承载平台），如“××产业集聚区”。"),
    ("产业链", 14, "chain", "从下拉列表选择；确实不属于列表中任何产业链的，可直接填写名称，系统会单独统计并提示。"),
    ("投资方", 30, "text", "签约企业全称。"),
    ("总投资（万元）", 14, "amount", "以万元为单位，只填数字，如 35000 或 12500.5；不要写“亿元”“约”“左右”等文字，不确定的暂不填。"),
    ("其中外资（万美元）", 14, "amount", "外资项目填写合同外资，以万美元为单位，只填数字；非外资项目不填。"),
    ("项目状态", 10, "stage", "从下拉列表选择项目当前所处阶段（见下表“项目状态说明”）。"),
    ("签约时间", 12, "date", "填写日期，如 2024-03-05；签约、开工、投产时间按实际发生日期填写，未发生的不填。"),
    ("开工时间", 12, "date", "同上。"),
    ("投产时间", 12, "date", "同上。"),
    ("三个一批期数", 12, "int", "入选“三个一批”活动的期数，只填数字，如第十二期填 12；未入选不填。"),
    ("批次", 12, "batch", "入选的批次：签约一批、开工一批或投产一批。"),
    ("经度", 12, "coord", "项目位置经度，在高德地图上拾取（GCJ-02 坐标系），保留 6 位小数，如 114.023100。"),
    ("纬度", 12, "coord", "项目位置纬度，高德地图（GCJ-02），如 33.581200。请勿使用百度地图坐标或把经纬度写在同一格。"),
    ("包保领导", 16, "text", "姓名及职务，如“张三（常务副县长）”。"),
    ("牵头单位", 18, "text", "负责推进项目的单位。"),
    ("投资方类型", 12, "text", "世界500强、国内500强、央企、上市公司、行业龙头、外资等，可不填。"),
    ("投资方来源地", 12, "text", "京津冀、长三角、大湾区、闽东南、川渝、境外等，可不填。"),
    ("签约活动", 14, "text", "在何种活动上签约，如食博会、“双招双推”、豫商大会，可不填。"),
    ("备注", 24, "text", "其他需要说明的情况。"),
)
STAGE_NOTES = {
    "在谈": "正在洽谈，已有明确投资方（含意向、跟踪项目）。",
    "签约": "已签订投资合同或协议。",
    "履约": "企业已注册、首笔资金到位，合同正在履行。",
    "开工": "已开工建设（含在建、续建）。",
    "投产": "已竣工投产或部分投产。",
    "达效": "已达到设计产能（达产达效）。",
    "终止": "项目已取消、退出或终止。",
}
GENERAL_NOTES = (
    "1. 每月报送一次，每个项目一行，报送截至当月底的全部项目及其当前状态（已终止的项目保留并选“终止”）。",
    "2. 请勿合并单元格，勿插入小计、合计或分组标题行，勿删除或改动表头；表头从第3行开始。",
    "3. 金额一律以万元为单位填数字（外资以万美元为单位），不要带单位、逗号或“约”字。",
    "4. 日期一律填写为日期格式，如 2024-03-05；不清楚具体日期的填当月1日并在备注中说明。",
    "5. 坐标使用高德地图拾取（GCJ-02 坐标系），经度、纬度分两列填写；没有坐标的可不填，系统将以园区位置近似显示。",
    "6. 所属县区、产业链、项目状态、批次请从下拉列表选择。",
)


def _lists(ref: Reference) -> dict[str, list[str]]:
    return {
        "district": [d.name for d in ref.districts],
        "chain": [c["chain"] for c in ref.chains],
        "stage": sorted(ref.stage_order, key=ref.stage_order.get),
        "batch": list(BATCHES),
    }


def validation(kind: str, ranges: dict[str, str]) -> DataValidation | None:
    if kind in ranges:
        dv = DataValidation(type="list", formula1=ranges[kind], allow_blank=True, showDropDown=False,
                            showErrorMessage=True, errorTitle="请从列表中选择", error="请从下拉列表中选择。")
        if kind == "chain":   # a chain outside the list is allowed, with a warning
            dv.errorStyle = "warning"
            dv.error = "该产业链不在本市产业链列表中，确定要填写吗？"
        return dv
    if kind == "date":
        return DataValidation(type="date", operator="between", formula1="DATE(2000,1,1)",
                              formula2="DATE(2100,12,31)", allow_blank=True, showErrorMessage=True,
                              error="请填写日期，如 2024-03-05。")
    if kind == "amount":
        return DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0",
                              allow_blank=True, showErrorMessage=True, error="请只填写数字（万元）。")
    return None


def list_sheet(wb: Workbook, lists: dict[str, list[str]]) -> dict[str, str]:
    """A hidden sheet holding the drop-down lists; kind → its cell range."""
    sheet = wb.create_sheet("lists")
    sheet.sheet_state = "hidden"
    ranges: dict[str, str] = {}
    for col, (kind, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(col)
        sheet.cell(1, col, kind)
        for row, value in enumerate(values, start=2):
            sheet.cell(row, col, value)
        ranges[kind] = f"lists!${letter}$2:${letter}${len(values) + 1}"
    return ranges


def header_row(ws, columns, ranges: dict[str, str]) -> None:
    """The header at HEADER_ROW, each column's drop-down or format for the rows below, frozen panes."""
    first, last = HEADER_ROW + 1, HEADER_ROW + TEMPLATE_ROWS
    for col, (header, _, kind, _) in enumerate(columns, start=1):
        ws.cell(HEADER_ROW, col, header)
        letter = get_column_letter(col)
        dv = validation(kind, ranges)
        if dv is not None:
            dv.add(f"{letter}{first}:{letter}{last}")
            ws.add_data_validation(dv)
        if kind == "date":
            ws.column_dimensions[letter].number_format = DATE_FORMAT   # applies to cells typed in later
        elif kind == "coord":
            ws.column_dimensions[letter].number_format = "0.000000"
    style_header(ws, HEADER_ROW, HEADER_ROW, [c[1] for c in columns])
    ws.row_dimensions[HEADER_ROW].height = 30
    ws.freeze_panes = ws.cell(first, 4)


def save_with_guide(wb: Workbook, guide, out: Path) -> Path:
    """The 填报说明 sheet wrapped and sized, then the workbook saved with fixed times (same bytes)."""
    for row in guide.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    guide.column_dimensions["A"].width = 20
    guide.column_dimensions["B"].width = 90
    return save_workbook(wb, out, when=FIXED_TIME)


def write_template(out: Path, reference: Reference | None = None) -> Path:
    ref = reference or load_reference()
    wb = Workbook()
    ws = wb.active
    ws.title = "项目台账"
    ranges = list_sheet(wb, _lists(ref))

    title_lines(ws, [f"{ref.city_name}招商引资项目台账",
                     "填报单位：                    填报时间：      年    月    日                    单位：万元"],
                len(COLUMNS))
    header_row(ws, COLUMNS, ranges)

    guide = wb.create_sheet("填报说明", 1)
    guide.append(["填报说明"])
    guide["A1"].font = Font(bold=True, size=14)
    for line in GENERAL_NOTES:
        guide.append([line])
        guide.merge_cells(start_row=guide.max_row, start_column=1, end_row=guide.max_row, end_column=2)
    guide.append([])
    guide.append(["列名", "填写说明"])
    for header, _, _, note in COLUMNS:
        guide.append([header, note])
    guide.append([])
    guide.append(["项目状态", "说明"])
    for stage in _lists(ref)["stage"]:
        guide.append([stage, STAGE_NOTES.get(stage, "")])
    return save_with_guide(wb, guide, Path(out))
