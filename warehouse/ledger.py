"""项目台账: the filtered project list, one project's detail and its history across snapshots."""

from __future__ import annotations

import polars as pl

from warehouse.filters import Filters, top_rows, where

# The columns of the list, in order; the Excel export writes the same ones (but project_id).
LIST_COLUMNS = (
    "project_id", "project_code", "project_name", "district", "park", "cluster", "chain", "chain_known", "investor",
    "total_investment_wan", "investment_note", "foreign_investment_wan_usd", "stage", "sign_date",
    "register_date", "start_date", "production_date", "period", "batch", "responsible_unit",
    "leader", "investor_kind", "investor_origin", "event", "location_approximate", "as_of",
    "first_seen", "source_file", "source_sheet", "source_row",
)
SORTABLE = {
    "total_investment_wan": "total_investment_wan", "sign_date": "sign_date",
    "start_date": "start_date", "production_date": "production_date",
    "project_name": "project_name", "district": "district", "stage": "stage", "as_of": "as_of",
}
DISPLAY_LIMIT = 2_000
EXCEL_MAX_ROWS = 1_048_575


def _search_sql(search: str | None) -> tuple[str, list]:
    text = (search or "").strip()[:100]
    if not text:
        return "TRUE", []
    # contains() is a plain substring test: no LIKE wildcards for a search string to abuse
    return ("(contains(lower(p.project_name), lower(?)) OR contains(lower(coalesce(p.investor, '')), lower(?)))",
            [text, text])


def project_count(con, filters: Filters, search: str | None = None) -> dict:
    sql, params = where(filters)
    s_sql, s_params = _search_sql(search)
    n, wan = con.execute(
        f"SELECT count(*), coalesce(sum(total_investment_wan), 0) FROM projects p WHERE {sql} AND {s_sql}",
        params + s_params).fetchone()
    return {"projects": n, "investment_wan": wan}


def project_list(con, filters: Filters, search: str | None = None, sort_by: str = "total_investment_wan",
                 descending: bool = True, limit: int = DISPLAY_LIMIT) -> pl.DataFrame:
    """The filtered projects (name or investor containing `search`), sorted, at most `limit`."""
    sql, params = where(filters)
    s_sql, s_params = _search_sql(search)
    order = SORTABLE.get(sort_by, "total_investment_wan")
    return con.execute(*top_rows(", ".join(LIST_COLUMNS), f"{sql} AND {s_sql}", params + s_params,
                                 order, descending, "project_name, project_id", limit)).pl()


def project_detail(con, project_id: str) -> dict | None:
    cur = con.execute("SELECT * FROM projects WHERE project_id = ?", [str(project_id)])
    row = cur.fetchone()
    if row is None:
        return None
    return dict(zip([d[0] for d in cur.description], row))


def project_history(con, project_id: str) -> pl.DataFrame:
    """Every snapshot row of one project, oldest first: how its stage moved month by month."""
    return con.execute(
        """
        SELECT as_of, stage, total_investment_wan, sign_date, start_date, production_date,
               period, batch, district, source_file, source_sheet, source_row
        FROM project_history WHERE project_id = ?
        ORDER BY as_of, load_id, source_row
        """,
        [str(project_id)],
    ).pl()
