"""A warehouse built by LOADING a generated ledger whose text fields are hostile: HTML, script,
markdown, SQL fragments, spreadsheet formulas and template syntax, next to ordinary Chinese.

The ledger goes through the real loader (etl.load.load_files), so whatever the loader keeps is
what the pages and exports show. Formula-looking strings are written as text cells (an .xlsx a
district typed them into would hold them that way too).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import Workbook

SCRIPT = "<script>alert('x')</script>"
IMG = "<img src=x onerror=alert(1)>"
MARKDOWN = "**粗体** [链接](http://evil)"
SQL = "'; DROP TABLE loads; --"
HYPERLINK = '=HYPERLINK("http://evil","点我")'
PLUS = "+1+1"
MINUS = "-2+3"
AT = "@SUM(A1)"
JINJA = "{{7*7}}"
DOLLAR = "${7*7}"
HOSTILE = (SCRIPT, IMG, MARKDOWN, SQL, HYPERLINK, PLUS, MINUS, AT, JINJA, DOLLAR)
FORMULA_LIKE = (HYPERLINK, PLUS, MINUS, AT)
# project names: the hostile text alone (what a formula check sees first) and inside Chinese
CHINESE = ("漯河双汇肉制品精深加工项目", "临颍县休闲食品产业园二期工程", "舞阳盐化工‘循环经济’项目")

AS_OF = date(2024, 6, 30)
# a later ledger from two districts only: every other district (the hostile ones too) is late,
# so their names reach the overview's "逾期未报" warning
LATER = date(2024, 9, 30)
HEADERS = ["序号", "项目编号", "项目名称", "所属县区", "园区", "产业链", "投资方", "总投资（万元）", "项目状态",
           "签约时间", "开工时间", "投产时间", "三个一批期数", "批次", "经度", "纬度", "牵头单位", "包保领导", "备注"]
KNOWN_DISTRICTS = ("源汇区", "郾城区", "召陵区", "舞阳县", "临颍县")
KNOWN_CHAINS = ("肉制品", "休闲食品", "饮料")

# one isolated point for the map tooltip test: far from every other point, a large disc
TOOLTIP_POINT = (113.80, 33.72)


def _rows() -> list[dict]:
    rows: list[dict] = []
    n = len(HOSTILE)
    stages = ("签约", "开工", "投产", "签约", "在谈")
    for i, text in enumerate(HOSTILE):
        stage = stages[i % len(stages)]
        signed = date(2024, 1 + i % 5, 5 + i) if i % 3 else date(2023, 2 + i % 6, 10)   # some stalled
        rows.append({
            "code": f"HX-{i + 1:03d}",
            "name": text,
            # every other row: an unknown district, kept as written
            "district": HOSTILE[(i + 4) % n] if i % 2 == 0 else KNOWN_DISTRICTS[i % len(KNOWN_DISTRICTS)],
            "park": HOSTILE[(i + 3) % n],
            # two of three rows: an unknown chain, kept as written
            "chain": HOSTILE[(i + 2) % n] if i % 3 else KNOWN_CHAINS[i % len(KNOWN_CHAINS)],
            "investor": HOSTILE[(i + 1) % n],
            "investment": 5000 * (i + 1),
            "stage": stage,
            "sign": signed if stage != "在谈" else None,
            "start": date(2024, 4, 1 + i) if stage in ("开工", "投产") else None,
            "production": date(2024, 6, 1 + i) if stage == "投产" else None,
            "period": 12 + i % 2,
            "batch": {"签约": "签约一批", "开工": "开工一批", "投产": "投产一批"}.get(stage),
            "lng": round(113.96 + 0.012 * i, 6), "lat": round(33.56 + 0.01 * (i % 4), 6),
            "unit": HOSTILE[(i + 5) % n],
            "leader": HOSTILE[(i + 6) % n],
            "remark": HOSTILE[(i + 7) % n],
        })
    # the hostile text inside ordinary Chinese names
    for j, (name, text) in enumerate(zip(CHINESE, (SCRIPT, IMG, HYPERLINK))):
        rows.append({
            "code": f"ZW-{j + 1:03d}", "name": f"{name}{text}", "district": KNOWN_DISTRICTS[j],
            "park": "漯河经开区食品产业园", "chain": KNOWN_CHAINS[j], "investor": f"河南{name[:4]}有限公司",
            "investment": 120000 + 10000 * j, "stage": "签约", "sign": date(2024, 3, 10 + j), "start": None,
            "production": None, "period": 13, "batch": "签约一批",
            "lng": round(113.92 + 0.02 * j, 6), "lat": round(33.62 + 0.01 * j, 6),
            "unit": f"{KNOWN_DISTRICTS[j]}商务局", "leader": "张三（副县长）", "remark": "",
        })
    # the map tooltip target: markup in the name, an SQL fragment as its district, a template as its
    # chain; alone at TOOLTIP_POINT; the largest investment (the first row of the ledger table)
    rows.append({
        "code": "TT-001", "name": f"{SCRIPT}{IMG}地图提示", "district": SQL, "park": "", "chain": DOLLAR,
        "investor": MARKDOWN, "investment": 200_000, "stage": "开工", "sign": date(2024, 2, 1),
        "start": date(2024, 5, 1), "production": None, "period": 13, "batch": "开工一批",
        "lng": TOOLTIP_POINT[0], "lat": TOOLTIP_POINT[1], "unit": SCRIPT, "leader": IMG, "remark": "",
    })
    return rows


ROWS = _rows()
TOOLTIP_NAME = ROWS[-1]["name"]
LATER_ROWS = [
    {"code": f"LT-{k + 1:03d}", "name": f"{d}食品机械项目", "district": d, "park": "", "chain": "休闲食品",
     "investor": "河南食品机械有限公司", "investment": 30000, "stage": "签约", "sign": date(2024, 8, 8 + k),
     "start": None, "production": None, "period": None, "batch": None, "lng": round(113.93 + 0.03 * k, 6),
     "lat": 33.60, "unit": f"{d}商务局", "leader": "李四", "remark": ""}
    for k, d in enumerate(KNOWN_DISTRICTS[:2])
]


def _text(ws, row: int, col: int, value) -> None:
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str):
        cell.data_type = "s"          # =…, +…, -…, @… stay text in the file


def write_ledger(path: Path, rows: list[dict] = ROWS, as_of: date = AS_OF) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = f"{as_of.year}年台账"
    ws.cell(row=1, column=1, value=f"漯河市{as_of.year}年{as_of.month}月招商引资项目台账")
    ws.cell(row=2, column=1, value=f"填报单位：漯河市商务局    填报时间：{as_of.year}年{as_of.month}月{as_of.day}日")
    for c, h in enumerate(HEADERS, start=1):
        ws.cell(row=3, column=c, value=h)
    for r, row in enumerate(rows, start=4):
        values = [r - 3, row["code"], row["name"], row["district"], row["park"], row["chain"], row["investor"],
                  row["investment"], row["stage"], row["sign"], row["start"], row["production"], row["period"],
                  row["batch"], row["lng"], row["lat"], row["unit"], row["leader"], row["remark"]]
        for c, v in enumerate(values, start=1):
            if v is None or v == "":
                continue
            _text(ws, r, c, v)
            if isinstance(v, date):
                ws.cell(row=r, column=c).number_format = "yyyy-mm-dd"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def build_hostile_warehouse(folder: Path) -> Path:
    """Write the ledger and load it with the real loader; the warehouse path."""
    from etl.load import load_files

    first = write_ledger(folder / "漯河市2024年6月招商引资项目台账.xlsx")
    later = write_ledger(folder / "漯河市2024年9月招商引资项目台账.xlsx", LATER_ROWS, LATER)
    db = folder / "w.duckdb"
    results = load_files([first, later], db=db)
    assert [r.status for r in results] == ["loaded", "loaded"], [r.message for r in results]
    assert [(r.rows_loaded, r.rows_rejected) for r in results] == [(len(ROWS), 0), (len(LATER_ROWS), 0)], \
        [r.message for r in results]
    return db
