"""Whose rows a connection sees: the one place that enforces a district account's scope.

A district account (县区填报员) sees its own districts only — in every query, count, chart, map
point, project detail, list, deck and download. That is enforced here, below every query: on a
scoped connection each table that holds district data is shadowed by a temporary view of the
same name that keeps the account's rows (DuckDB resolves a name to the temporary view first,
inside the warehouse's own views too), so a query cannot forget the scope — it can only reach
other rows by naming the catalog, which no query does (tests/test_scope.py checks both).

What a district account sees of each table:
  rows of projects, history summaries, targets and actuals, 六职  its districts' rows
  目标进度 (indicator_progress)                                computed over its districts' rows
  ref_districts, ref_parks                                    its districts and their parks
  loads and their rejected/skipped rows and warnings          its own uploads, and loads whose
                                                              every district is one of its own
  submissions, audit_log, accounts                            its own
City, leader and admin accounts (and the command line) see everything: no view is made.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CODE = re.compile(r"^[0-9A-Za-z\-]{2,20}$")
_LOGIN = re.compile(r"^[0-9A-Za-z_.@\-]{1,64}$")


def valid_login(text: str) -> bool:
    return bool(_LOGIN.match(text or ""))


@dataclass(frozen=True)
class Scope:
    """The districts (codes) a connection may see; None: all of them."""

    districts: tuple[str, ...] | None = None
    login: str | None = None

    def __post_init__(self):
        for code in self.districts or ():
            if not _CODE.match(code):
                raise ValueError(f"not a district code: {code!r}")
        if self.login is not None and not _LOGIN.match(self.login):
            raise ValueError(f"not a login: {self.login!r}")

    @property
    def everything(self) -> bool:
        return self.districts is None

    @property
    def key(self) -> tuple:
        """What cached results are keyed by."""
        return ("all",) if self.everything else (tuple(sorted(self.districts)), self.login)


EVERYTHING = Scope()

# table → the rows a district account keeps: SQL over the table's own columns, where {codes} is the
# account's district codes, {login} its login and {db} the warehouse catalog (the real tables).
OWN_LOADS = """(loaded_by = {login}
    OR load_id IN (SELECT load_id FROM {db}.main.load_districts GROUP BY load_id
                   HAVING bool_and(district_code IN {codes}))
    OR load_id IN (SELECT load_id FROM {db}.main.indicator_targets GROUP BY load_id
                   HAVING bool_and(district_code IN {codes}))
    OR load_id IN (SELECT load_id FROM {db}.main.indicator_actuals GROUP BY load_id
                   HAVING bool_and(district_code IN {codes}))
    OR load_id IN (SELECT load_id FROM {db}.main.six_trips GROUP BY load_id
                   HAVING bool_and(district_code IN {codes}))
    OR load_id IN (SELECT load_id FROM {db}.main.six_assignments GROUP BY load_id
                   HAVING bool_and(district_code IN {codes})))"""
SHADOWED: dict[str, str] = {
    "project_rows": "district_code IN {codes}",
    "project_current": "district_code IN {codes}",
    "project_timeline": "district_code IN {codes}",
    "project_batches": "project_id IN (SELECT project_id FROM {db}.main.project_current WHERE district_code IN {codes})",
    "load_districts": "district_code IN {codes}",
    "indicator_ledger": "district_code IN {codes}",
    "indicator_progress_kept": "district_code IN {codes}",      # read through indicator_progress (below)
    "indicator_targets": "district_code IN {codes}",
    "indicator_actuals": "district_code IN {codes}",
    "six_trips": "district_code IN {codes}",
    "six_receptions": "district_code IN {codes}",
    "six_assignments": "district_code IN {codes}",
    "score_inputs": "district_code IN {codes}",
    "ref_districts": "code IN {codes}",
    "ref_parks": "district_code IN {codes}",
    "loads": OWN_LOADS,
    "rejected_rows": "load_id IN (SELECT load_id FROM {db}.main.loads WHERE " + OWN_LOADS + ")",
    "skipped_rows": "load_id IN (SELECT load_id FROM {db}.main.loads WHERE " + OWN_LOADS + ")",
    "load_warnings": "load_id IN (SELECT load_id FROM {db}.main.loads WHERE " + OWN_LOADS + ")",
    "submissions": "login = {login} OR list_has_any(districts, {codes_list})",
    "audit_log": "login = {login}",
    "accounts": "login = {login}",
    "sessions": "login = {login}",
}
# Views of kept tables computed over every district (ranks, 全市 totals): on a district account's
# connection the view is its definition over the account's rows instead (warehouse/derived.py).
RECOMPUTED: dict[str, str] = {
    "indicator_progress": "indicator_progress_live",
}
# Tables without any district's data (the reference lists of chains, stages, indicators …).
UNSCOPED = ("meta", "ref_chains", "ref_chain_aliases", "ref_district_aliases", "ref_stages", "ref_indicators")


def _literal(text: str | None) -> str:
    return "NULL" if text is None else "'" + text.replace("'", "''") + "'"


def apply(con, scope: Scope) -> None:
    """Shadow every district table on this connection for `scope` (nothing for EVERYTHING)."""
    if scope.everything:
        return
    db = con.execute("SELECT current_database()").fetchone()[0]
    codes = "(" + ", ".join(_literal(c) for c in scope.districts) + ")" if scope.districts else "(NULL)"
    values = {"codes": codes, "codes_list": "[" + ", ".join(_literal(c) for c in scope.districts) + "]::VARCHAR[]",
              "login": _literal(scope.login), "db": f'"{db}"'}
    found = con.execute(      # one statement: on a lake each is a round trip to the catalog server
        "SELECT table_name, FALSE FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'main' "
        "UNION ALL SELECT view_name, TRUE FROM duckdb_views() WHERE database_name = ? AND schema_name = 'main'",
        [db, db]).fetchall()
    present = {name for name, is_view in found if not is_view}
    views = {name for name, is_view in found if is_view}
    for table, condition in SHADOWED.items():
        if table in present:
            con.execute(f'CREATE OR REPLACE TEMP VIEW {table} AS SELECT * FROM "{db}".main.{table} '
                        f"WHERE {condition.format(**values)}")
    for table, definition in RECOMPUTED.items():
        if definition in views:              # (a warehouse made before it was kept: the view itself)
            con.execute(f'CREATE OR REPLACE TEMP VIEW {table} AS SELECT * FROM "{db}".main.{definition}')
