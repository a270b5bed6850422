"""An account's district scope on the write path (issue 12): a district account writes only its
own districts, and nothing of another district changes, whatever the file says.

Three places enforce it. Rows whose own district is outside the scope are rejected while the file
is normalised (etl/normalise/ledger.py, indicator_file.py: pure, they only read the file). Rows
whose project already belongs to a district outside the scope are rejected here, against the
warehouse (`reject_foreign_projects`). That check runs before identities are unified, and needs
to look at each row's own id only: a coded row keeps its id (编号:<code>); an uncoded row's id
carries its own district, and unification only ever joins it to a coded project *of that same
district*, so the id it ends with belongs to a project inside the scope whenever its district is.
Finally an earlier load may be superseded only when every row of it lies within the scope
(`supersedable`).
"""

from __future__ import annotations

import polars as pl

from etl.normalise.identity import CODE_PREFIX
from etl.normalise.workbook import check_loadable


def check_ledger_scope(con, parsed, scope: frozenset[str]) -> None:
    """A ledger's rows of projects now in other districts rejected; refused when none is left."""
    if con is not None:
        reject_foreign_projects(con, parsed, scope)
    check_loadable(parsed)


def reject_foreign_projects(con, parsed, scope: frozenset[str]) -> None:
    """Move the rows whose project is now in a district outside `scope` to the rejected rows."""
    rows = parsed.rows
    if not rows.height or "project_id" not in rows.columns:
        return
    con.register("incoming_ids", rows.select("project_id").unique().to_arrow())
    try:
        owners = con.execute("SELECT c.project_id, c.district_code, c.district FROM project_current c "
                             "SEMI JOIN incoming_ids i ON c.project_id = i.project_id").fetchall()
    finally:
        con.unregister("incoming_ids")
    foreign = {pid: district for pid, code, district in owners if code not in scope}
    if not foreign:
        return
    mask = rows.get_column("project_id").is_in(list(foreign))
    for row in rows.filter(mask).iter_rows(named=True):
        pid = row["project_id"]
        which = (f"项目编号“{pid.removeprefix(CODE_PREFIX)}”" if pid.startswith(CODE_PREFIX)
                 else f"项目“{row['project_name']}”")
        parsed.rejected.append({
            "source_sheet": row["source_sheet"], "source_row": row["source_row"],
            "reason": f"{which}已是{foreign[pid]}的项目，不在本账号的填报范围（{parsed.scope_label}）内，未入库",
            "raw_values": row.get("raw_values") or "{}"})
    parsed.rows = rows.filter(~mask)


def supersedable(con, load_ids: list[int], scope: frozenset[str] | None) -> tuple[list[int], list[int]]:
    """(the earlier loads this account may supersede, those it may not): with a scope, only loads
    that have rows and whose every row lies within it."""
    if scope is None or not load_ids:
        return list(load_ids), []
    ids = pl.DataFrame({"load_id": [int(i) for i in load_ids]})
    con.register("candidate_loads", ids.to_arrow())
    codes = pl.DataFrame({"code": sorted(scope)})
    con.register("scope_codes", codes.to_arrow())
    try:
        inside = {r[0] for r in con.execute("""
            SELECT load_id FROM (
                SELECT load_id, district_code FROM project_rows SEMI JOIN candidate_loads USING (load_id)
                UNION ALL SELECT load_id, district_code FROM indicator_targets SEMI JOIN candidate_loads USING (load_id)
                UNION ALL SELECT load_id, district_code FROM indicator_actuals SEMI JOIN candidate_loads USING (load_id)
                UNION ALL SELECT load_id, district_code FROM six_trips SEMI JOIN candidate_loads USING (load_id)
                UNION ALL SELECT load_id, district_code FROM six_receptions SEMI JOIN candidate_loads USING (load_id)
                UNION ALL SELECT load_id, district_code FROM six_assignments SEMI JOIN candidate_loads USING (load_id))
            GROUP BY load_id
            HAVING bool_and(coalesce(district_code IN (SELECT code FROM scope_codes), false))""").fetchall()}
    finally:
        con.unregister("candidate_loads")
        con.unregister("scope_codes")
    return [i for i in load_ids if i in inside], [i for i in load_ids if i not in inside]
