"""What the project map draws: project points and per-district totals for the boundary polygons."""

from __future__ import annotations

import polars as pl

from warehouse.filters import NO_CLUSTER, UNKNOWN_CHAIN, Filters, top_rows, where

MAX_POINTS = 20_000


def map_points(con, filters: Filters, limit: int = MAX_POINTS) -> pl.DataFrame:
    """Projects with a location, largest first, at most `limit` (the map says when it cut)."""
    sql, params = where(filters)
    return con.execute(*top_rows(
        f"""project_id, project_name, district, stage, coalesce(cluster, '{NO_CLUSTER}') AS cluster,
            CASE WHEN chain_known THEN chain ELSE '{UNKNOWN_CHAIN}' END AS chain,
            total_investment_wan, lng, lat, coalesce(location_approximate, FALSE) AS approximate""",
        f"{sql} AND lng IS NOT NULL AND lat IS NOT NULL", params,
        "total_investment_wan", True, "project_id", limit)).pl()


def approximate_spots(con, filters: Filters) -> pl.DataFrame:
    """Projects whose location is only approximate (a park's or district's centre) share a few
    spots; one row per spot: lng, lat, projects, investment_wan, districts, and the project's
    id and name when it is the only one there."""
    sql, params = where(filters)
    return con.execute(
        f"""
        SELECT round(lng, 6) AS lng, round(lat, 6) AS lat, count(*) AS projects,
               coalesce(sum(total_investment_wan), 0) AS investment_wan,
               string_agg(DISTINCT district, '、' ORDER BY district) AS districts,
               CASE WHEN count(*) = 1 THEN any_value(project_id) END AS project_id,
               CASE WHEN count(*) = 1 THEN any_value(project_name) END AS project_name
        FROM projects p
        WHERE {sql} AND lng IS NOT NULL AND lat IS NOT NULL AND location_approximate
        GROUP BY ALL ORDER BY projects DESC, lng, lat
        """,
        params,
    ).pl()


def projects_at(con, filters: Filters, lng: float, lat: float, limit: int = 500) -> pl.DataFrame:
    """The approximately located projects of one spot, largest first."""
    sql, params = where(filters)
    return con.execute(*top_rows(
        "project_name, district, stage, total_investment_wan",
        f"{sql} AND location_approximate AND round(lng, 6) = ? AND round(lat, 6) = ?",
        [*params, float(lng), float(lat)], "total_investment_wan", True, "project_id", limit)).pl()


def location_counts(con, filters: Filters) -> dict:
    """How many of the filtered projects have a location, an approximate one, or none."""
    sql, params = where(filters)
    located, approximate, missing = con.execute(
        f"""
        SELECT count(*) FILTER (WHERE lng IS NOT NULL AND lat IS NOT NULL),
               count(*) FILTER (WHERE lng IS NOT NULL AND lat IS NOT NULL AND location_approximate),
               count(*) FILTER (WHERE lng IS NULL OR lat IS NULL)
        FROM projects p WHERE {sql}
        """,
        params,
    ).fetchone()
    return {"located": located, "approximate": approximate, "missing": missing}


def district_totals(con, filters: Filters) -> pl.DataFrame:
    """Per district and functional zone: map_code (the boundary polygon that holds it: a zone's
    parent district), projects and investment_wan. Districts the reference does not know have
    no polygon and map_code NULL."""
    sql, params = where(filters)
    return con.execute(
        f"""
        WITH agg AS (SELECT district, count(*) AS projects,
                            coalesce(sum(total_investment_wan), 0) AS investment_wan
                     FROM projects p WHERE {sql} GROUP BY district)
        SELECT coalesce(d.name, a.district) AS district, d.kind,
               CASE WHEN d.kind = '功能区' THEN d.parent_code ELSE d.code END AS map_code,
               coalesce(a.projects, 0) AS projects, coalesce(a.investment_wan, 0) AS investment_wan
        FROM ref_districts d FULL JOIN agg a ON a.district = d.name
        ORDER BY coalesce(d.sort_order, 1000), district
        """,
        params,
    ).pl()
