"""A blank 六职 workbook (“六职”招商模板) for districts: the layout the loader reads best — one
sheet each for 外出招商, 接待客商 and 包抓项目, every header a name in six_headers.csv, drop-downs
for the district and the six posts, and a 填报说明 sheet."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from etl.layouts import title_lines
from etl.normalise.six_headers import POSTS
from etl.template import header_row, list_sheet, save_with_guide
from warehouse.reference import Reference, load_reference

DISTRICT = ("所属县区", 16, "district", "从下拉列表选择本县区（功能区）。")
POST = ("职务", 20, "post", "从下拉列表选择“六职”职务之一。")
SHEETS = {
    "外出招商": (
        ("序号", 6, "int", "从 1 开始顺序编号。"), DISTRICT,
        ("带队领导", 10, "text", "必填。带队外出的“六职”领导姓名，每月写法一致。"), POST,
        ("外出时间", 12, "date", "必填。出发日期，如 2025-03-05。一次外出一行，按出发日期计入当月。"),
        ("返回时间", 12, "date", "返回日期；当天往返的可不填。"),
        ("天数", 8, "int", "外出天数，只填数字；不填时按外出、返回时间计算。"),
        ("目的地", 14, "text", "前往的省、市，如“广东深圳”。"),
        ("拜访企业数（家）", 10, "int", "拜访企业家数，只填数字；不填时按“拜访企业名称”中列出的企业计数。"),
        ("拜访企业名称", 36, "text", "拜访的企业全称，多家用顿号“、”分隔。"),
        ("对接人", 16, "text", "会见的企业负责人或对接人员。"),
        ("洽谈线索（个）", 10, "int", "本次外出获得的招商线索个数，只填数字，没有填 0。"),
        ("线索情况", 30, "text", "线索或洽谈项目的简要情况。"),
        ("备注", 20, "text", "其他需要说明的情况。")),
    "接待客商": (
        ("序号", 6, "int", "从 1 开始顺序编号。"), DISTRICT,
        ("接待时间", 12, "date", "必填。接待日期，如 2025-03-05。"),
        ("接待领导", 10, "text", "必填。参加接待的“六职”领导姓名。"), POST,
        ("客商名称", 30, "text", "必填。来访企业全称。"),
        ("来自", 12, "text", "客商所在的省、市。"),
        ("洽谈内容", 30, "text", "洽谈的项目或事项。")),
    "包抓项目": (
        ("序号", 6, "int", "从 1 开始顺序编号。"), DISTRICT,
        ("包抓领导", 10, "text", "必填。包抓（包保）该项目的“六职”领导姓名。"), POST,
        ("项目编号", 16, "text", "与项目台账中的项目编号一致；没有编号的按项目名称对应，名称须与台账一致。"),
        ("项目名称", 36, "text", "必填。与项目台账中的写法一致。"),
        ("是否拟招引", 10, "yes_no", "年初谋划上报的拟招引项目选“是”，其他选“否”。")),
}
NOTES = (
    "1. 每月（或按市里要求每季度）报送一次；可以只填当月的外出和接待，也可以填当年累计的全部记录——"
    "同一领导同一天出发、去往同一目的地的外出只计一次，重复报送不会重复统计。",
    "2. 请勿合并单元格，勿删除或改动表头；表头在第3行。",
    "3. 日期一律填写为日期格式，如 2025-03-05；天数、企业数、线索数只填数字。",
    "4. 职务、所属县区、是否拟招引请从下拉列表选择。",
)


def _lists(ref: Reference) -> dict[str, list[str]]:
    return {"district": [d.name for d in ref.districts], "post": list(POSTS), "yes_no": ["是", "否"]}


def _sheet(ws, ref: Reference, name: str, columns: tuple, ranges: dict[str, str]) -> None:
    title_lines(ws, [f"{ref.city_name}“六职”领导干部招商情况：{name}",
                     "填报单位：                    填报时间：      年    月    日"], len(columns))
    header_row(ws, columns, ranges)


def write_six_template(out: Path, reference: Reference | None = None) -> Path:
    ref = reference or load_reference()
    wb = Workbook()
    wb.remove(wb.active)
    ranges = list_sheet(wb, _lists(ref))
    for i, (name, columns) in enumerate(SHEETS.items()):
        _sheet(wb.create_sheet(name, i), ref, name, columns, ranges)
    guide = wb.create_sheet("填报说明", len(SHEETS))
    guide.append(["填报说明"])
    guide["A1"].font = Font(bold=True, size=14)
    for line in NOTES:
        guide.append([line])
    for name, columns in SHEETS.items():
        guide.append([])
        guide.append([f"“{name}”表", "填写说明"])
        for header, _, _, note in columns:
            guide.append([header, note])
    return save_with_guide(wb, guide, Path(out))
