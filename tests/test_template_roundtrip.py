"""A template filled in by a district loads back exactly."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl

from etl.load import load_files
from warehouse import db as wdb

ROOT = Path(__file__).resolve().parent.parent


def test_filled_template_loads(tmp_path):
    out = tmp_path / "模板.xlsx"
    p = subprocess.run([sys.executable, "-m", "etl", "template", str(out)], cwd=ROOT, capture_output=True, text=True)
    assert p.returncode == 0 and out.exists()
    wb = openpyxl.load_workbook(out)
    ws = wb["项目台账"]
    header = [c.value for c in ws[3]]
    col = {h: i + 1 for i, h in enumerate(header)}
    ws.cell(2, 1).value = "填报单位：召陵区招商中心    填报时间：2025年3月31日    单位：万元"
    values = {"序号": 1, "项目名称": "年产5万吨预制菜项目", "所属县区": "召陵区", "产业链": "预制菜",
              "投资方": "某食品公司", "总投资（万元）": 32000.5, "项目状态": "开工",
              "签约时间": datetime(2024, 11, 2), "开工时间": datetime(2025, 2, 20), "三个一批期数": "第十四期",
              "批次": "开工一批", "经度": 114.11, "纬度": 33.56}
    for key, value in values.items():
        ws.cell(4, col[key]).value = value
    filled = tmp_path / "召陵区2025年03月.xlsx"
    wb.save(filled)
    [r] = load_files([filled], db=tmp_path / "w.duckdb")
    assert r.status == "loaded" and r.rows_loaded == 1 and r.rows_rejected == 0
    con = wdb.connect(tmp_path / "w.duckdb", read_only=True)
    row = con.execute("""SELECT project_name, district, chain, cluster, total_investment_wan, stage, sign_date,
                                start_date, period, batch, lng, lat, location_approximate, as_of FROM projects""").fetchone()
    con.close()
    assert row == ("年产5万吨预制菜项目", "召陵区", "预制菜", "现代食品", Decimal("32000.5"), "开工",
                   datetime(2024, 11, 2).date(), datetime(2025, 2, 20).date(), 14, "开工一批", 114.11, 33.56,
                   False, datetime(2025, 3, 31).date())
