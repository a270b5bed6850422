"""Save: one function per kind of parsed file, called by etl/load.py inside the load's transaction
after the load's own row and audit rows are written. Each writes the kind's rows and keeps what
depends on them (the projects' current state and history summaries) exact."""

from __future__ import annotations

import polars as pl

from etl.normalise.ledger import OUTPUT_COLUMNS
from etl.normalise.six_headers import ASSIGNMENTS, RECEPTIONS, TRIPS
from etl.store import advance_current, refresh_current, unify_identities
from warehouse import derived
from warehouse.indicators import load_indicators, write_indicator_table

SIX_TABLES = {TRIPS: "six_trips", RECEPTIONS: "six_receptions", ASSIGNMENTS: "six_assignments"}


def save_ledger(con, load_id: int, parsed, file_name: str) -> None:
    """Project rows; then identities unified, and each project's current state advanced from this
    file's row (the monthly case) or recomputed from its history (everything else)."""
    load_id = int(load_id)
    cols = ", ".join(OUTPUT_COLUMNS)
    con.register("incoming", parsed.rows.select(OUTPUT_COLUMNS).to_arrow())
    con.execute(f"INSERT INTO project_rows (load_id, as_of, source_file, {cols}) "
                f"SELECT ?, ?, ?, {cols} FROM incoming", [load_id, parsed.as_of, file_name])
    con.unregister("incoming")
    merged = unify_identities(con, load_id)
    derived.add_load(con, load_id)
    rest = advance_current(con, load_id, merged)
    refresh_current(con, pl.concat([merged, rest], how="vertical_relaxed"))


def save_six(con, load_id: int, parsed, file_name: str) -> None:
    """A 六职 workbook's trips, receptions and 包抓 projects; no project is touched."""
    for kind, table in SIX_TABLES.items():
        frame = parsed.frame(kind)
        if not frame.height:
            continue
        cols = ", ".join(frame.columns)
        con.register("incoming_six", frame.to_arrow())
        con.execute(f"INSERT INTO {table} (load_id, as_of, source_file, {cols}) SELECT ?, ?, ?, {cols} FROM incoming_six",
                    [load_id, parsed.as_of, file_name])
        con.unregister("incoming_six")


def save_indicators(con, load_id: int, parsed, file_name: str) -> None:
    """A targets workbook's or an indicator report's values; no project is touched."""
    write_indicator_table(con, load_indicators())
    if parsed.targets.height:
        con.register("incoming_targets", parsed.targets.to_arrow())
        con.execute("""INSERT INTO indicator_targets
                       SELECT ?, ?, ?, source_sheet, source_row, year, district_code, district,
                              indicator, unit, target, written FROM incoming_targets""",
                    [load_id, parsed.as_of, file_name])
        con.unregister("incoming_targets")
    if parsed.actuals.height:
        con.register("incoming_actuals", parsed.actuals.to_arrow())
        con.execute("""INSERT INTO indicator_actuals
                       SELECT ?, ?, source_sheet, source_row, as_of, year, district_code, district,
                              indicator, unit, actual, prior_actual, reported_yoy, written
                       FROM incoming_actuals""", [load_id, file_name])
        con.unregister("incoming_actuals")
