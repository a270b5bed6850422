"""Industry chains (产业链): count and investment per cluster and chain, key-chain share,
chain × district, chains with few projects (补链), and chain names the reference does not know.

A project whose chain the reference does not know (chain_known false) is counted under
UNKNOWN_CHAIN, never dropped; `unknown_chains` lists the names the ledgers wrote.
"""

from __future__ import annotations

import polars as pl

from warehouse.filters import NO_CLUSTER, UNKNOWN_CHAIN, Filters, where

CHAIN_LABEL = f"CASE WHEN p.chain_known THEN p.chain ELSE '{UNKNOWN_CHAIN}' END"
CLUSTER_LABEL = f"coalesce(p.cluster, '{NO_CLUSTER}')"


def _reference_chains_sql(filters: Filters) -> tuple[str, list]:
    """The reference chains that the cluster/chain filters leave."""
    conds, params = ["TRUE"], []
    if filters.clusters:
        conds.append("list_contains(?::VARCHAR[], cluster)")
        params.append(list(filters.clusters))
    if filters.chains:
        conds.append("list_contains(?::VARCHAR[], chain)")
        params.append(list(filters.chains))
    return (f"SELECT chain, cluster, is_key, sort_order FROM ref_chains WHERE {' AND '.join(conds)}",
            params)


def chain_summary(con, filters: Filters) -> pl.DataFrame:
    """cluster, chain, is_key, projects, investment_wan and each chain's share of all projects and
    of all investment. Reference chains with no project are listed with 0 (they are the gaps)."""
    sql, params = where(filters)
    ref_sql, ref_params = _reference_chains_sql(filters)
    return con.execute(
        f"""
        WITH p AS (SELECT {CLUSTER_LABEL} AS cluster, {CHAIN_LABEL} AS chain, total_investment_wan
                   FROM projects p WHERE {sql}),
        agg AS (SELECT cluster, chain, count(*) AS projects,
                       coalesce(sum(total_investment_wan), 0) AS investment_wan
                FROM p GROUP BY ALL),
        ref AS ({ref_sql}),
        chains AS (
            SELECT r.cluster, r.chain, r.is_key, r.sort_order FROM ref r
            UNION ALL
            SELECT a.cluster, a.chain, FALSE, 10000 FROM agg a
            WHERE NOT EXISTS (SELECT 1 FROM ref r WHERE r.chain = a.chain AND r.cluster = a.cluster)
        ),
        totals AS (SELECT sum(projects) AS n, sum(investment_wan) AS wan FROM agg)
        SELECT c.cluster, c.chain, c.is_key, CAST(coalesce(sum(a.projects), 0) AS BIGINT) AS projects,
               coalesce(sum(a.investment_wan), 0) AS investment_wan,
               coalesce(sum(a.projects), 0) / nullif(any_value(t.n), 0) AS share_projects,
               CAST(coalesce(sum(a.investment_wan), 0) / nullif(any_value(t.wan), 0) AS DOUBLE)
                   AS share_investment
        FROM chains c LEFT JOIN agg a ON a.chain = c.chain AND a.cluster = c.cluster
             CROSS JOIN totals t
        GROUP BY c.cluster, c.chain, c.is_key, c.sort_order
        ORDER BY min(c.sort_order), c.cluster, c.chain
        """,
        params + ref_params,
    ).pl()


def key_chain_share(con, filters: Filters) -> dict:
    """Projects and investment on key chains (ref_chains.is_key) against all projects."""
    sql, params = where(filters)
    row = con.execute(
        f"""
        WITH p AS (
            SELECT p.total_investment_wan,
                   coalesce(p.chain_known AND EXISTS (SELECT 1 FROM ref_chains r
                                                      WHERE r.chain = p.chain AND r.is_key), FALSE) AS key
            FROM projects p WHERE {sql})
        SELECT count(*) FILTER (WHERE key), count(*),
               coalesce(sum(total_investment_wan) FILTER (WHERE key), 0),
               coalesce(sum(total_investment_wan), 0)
        FROM p
        """,
        params,
    ).fetchone()
    key_n, all_n, key_wan, all_wan = row
    return {
        "key_projects": key_n, "all_projects": all_n,
        "key_investment_wan": key_wan, "all_investment_wan": all_wan,
        "share_projects": key_n / all_n if all_n else None,
        "share_investment": float(key_wan / all_wan) if all_wan else None,
    }


def chain_district_matrix(con, filters: Filters) -> pl.DataFrame:
    """Long form: cluster, chain, district, projects, investment_wan (only non-empty cells)."""
    sql, params = where(filters)
    return con.execute(
        f"""
        SELECT {CLUSTER_LABEL} AS cluster, {CHAIN_LABEL} AS chain, p.district,
               count(*) AS projects, coalesce(sum(p.total_investment_wan), 0) AS investment_wan
        FROM projects p
        LEFT JOIN ref_chains r ON r.chain = p.chain AND p.chain_known
        LEFT JOIN ref_districts d ON d.name = p.district
        WHERE {sql}
        GROUP BY ALL
        ORDER BY min(coalesce(r.sort_order, 10000)), chain, min(coalesce(d.sort_order, 1000)), p.district
        """,
        params,
    ).pl()


def chain_gaps(con, filters: Filters, fewer_than: int = 3) -> pl.DataFrame:
    """Reference chains with fewer than `fewer_than` projects (补链 candidates), fewest first."""
    df = chain_summary(con, filters)
    return (df.filter((pl.col("chain") != UNKNOWN_CHAIN) & (pl.col("projects") < fewer_than))
              .sort(["projects", "investment_wan"]))


def unknown_chains(con, filters: Filters) -> pl.DataFrame:
    """The chain names ledgers wrote that the reference does not know, with their projects."""
    sql, params = where(filters)
    return con.execute(
        f"""
        SELECT coalesce(p.chain, '（空）') AS written_chain, count(*) AS projects,
               coalesce(sum(p.total_investment_wan), 0) AS investment_wan,
               string_agg(DISTINCT p.district, '、' ORDER BY p.district) AS districts
        FROM projects p WHERE {sql} AND p.chain_known IS NOT TRUE
        GROUP BY ALL ORDER BY projects DESC, written_chain
        """,
        params,
    ).pl()
