"""What the sidebar offers: the districts, clusters, chains, periods and years in the warehouse."""

from __future__ import annotations

from warehouse.batches import periods_present
from warehouse.filters import ALL_STAGES, NO_CLUSTER, UNKNOWN_CHAIN, FilterOptions


def filter_options(con) -> FilterOptions:
    districts = [r[0] for r in con.execute(
        """
        SELECT district FROM (
            SELECT name AS district, sort_order FROM ref_districts
            UNION
            SELECT DISTINCT district, 1000 FROM projects
            WHERE district NOT IN (SELECT name FROM ref_districts))
        ORDER BY sort_order, district
        """).fetchall()]
    chain_rows = con.execute("SELECT chain, cluster, is_key FROM ref_chains ORDER BY sort_order").fetchall()
    clusters: list[str] = []
    for _, cluster, _ in chain_rows:
        if cluster not in clusters:
            clusters.append(cluster)
    extra_clusters = [r[0] for r in con.execute(
        "SELECT DISTINCT coalesce(cluster, ?) FROM projects ORDER BY 1", [NO_CLUSTER]).fetchall()]
    clusters += [c for c in extra_clusters if c not in clusters]
    chain_cluster = [(c, cl) for c, cl, _ in chain_rows]
    has_unknown = con.execute(
        "SELECT count(*) > 0 FROM projects WHERE chain_known IS NOT TRUE").fetchone()[0]
    if has_unknown:
        chain_cluster += [(UNKNOWN_CHAIN, cl) for cl in clusters]
    chains = list(dict.fromkeys(c for c, _ in chain_cluster))
    periods = periods_present(con)
    years = [r[0] for r in con.execute(
        """
        SELECT DISTINCT y FROM (
            SELECT year(sign_date) AS y FROM projects UNION ALL
            SELECT year(start_date) FROM projects UNION ALL
            SELECT year(production_date) FROM projects)
        WHERE y IS NOT NULL ORDER BY 1 DESC
        """).fetchall()]
    newest = con.execute("SELECT max(as_of) FROM projects").fetchone()[0]
    if newest is not None and newest.year not in years:
        years = sorted({*years, newest.year}, reverse=True)
    return FilterOptions(
        districts=tuple(districts), clusters=tuple(clusters), chains=tuple(chains),
        chain_cluster=tuple(chain_cluster), periods=tuple(periods), stages=ALL_STAGES,
        years=tuple(years), newest_as_of=newest,
        key_chains=tuple(c for c, _, k in chain_rows if k),
    )
