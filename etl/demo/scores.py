"""The demo's 考评 manual entries (服务保障, 谋划储备), as a city clerk would type them on the 考评录入
page: made up, entered once (a warehouse that has entries keeps them), each audited. A few
districts are left without an entry, so the page also shows what 未录入 looks like."""

from __future__ import annotations

from warehouse import scoring
from warehouse.db import writing
from warehouse.scoring_rules import RuleError

# (year, period, district code, indicator key, points, note)
ENTRIES = (
    (2025, "2025-12", "411102", "service", "13.5", "项目审批代办及时"),
    (2025, "2025-12", "411103", "service", "14", "要素保障到位"),
    (2025, "2025-12", "411104", "service", "12", "个别项目用地手续滞后"),
    (2025, "2025-12", "411171", "service", "14.5", "企业服务专员全覆盖"),
    (2025, "2025-12", "411122", "service", "11", "问题交办反馈偏慢"),
    (2025, "第16期", "411102", "batch_reserve", "9", "谋划项目储备充足"),
    (2025, "第16期", "411103", "batch_reserve", "8", ""),
    (2025, "第16期", "411102", "batch_service", "9", ""),
    (2025, "第16期", "411103", "batch_service", "8.5", ""),
)
DEMO_LOGIN = "演示数据"


def add_demo_scores(db=None) -> int:
    """The entries, when the warehouse has none yet; the number written."""
    with writing(db) as con:
        if con.execute("SELECT count(*) FROM score_inputs").fetchone()[0]:
            return 0
        written = 0
        for year, period, code, key, value, note in ENTRIES:
            try:
                scoring.save_input(con, year, period, code, key, value, note, DEMO_LOGIN, role="city")
            except RuleError:          # a city that changed the demo's rule file: skip what no longer fits
                continue
            written += 1
    return written
