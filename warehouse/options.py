"""What the sidebar offers: the districts, clusters, chains, periods and years in the warehouse."""

from __future__ import annotations

from warehouse.batches import periods_present
from warehouse.filters import ALL_STAGES, NO_CLUSTER, UNKNOWN_CHAIN, FilterOptions


def filter_options(con) -> FilterOptions:
    # everything the projects contribute in one pass (on a lake each statement is a catalog round
    # trip and each scan reads the files' statistics): the districts and clusters they name, whether
    # any chain is unknown, the years of their dates, the newest ledger date
    listed, chain_list, named, found_clusters, has_unknown, signed, started, produced, newest = con.execute(
        """SELECT (SELECT list(name ORDER BY sort_order, name) FROM ref_districts),
                  (SELECT list([chain, cluster, CAST(is_key AS VARCHAR)] ORDER BY sort_order) FROM ref_chains),
                  list(DISTINCT district) FILTER (WHERE district NOT IN (SELECT name FROM ref_districts)),
                  list(DISTINCT coalesce(cluster, ?)), coalesce(bool_or(chain_known IS NOT TRUE), FALSE),
                  list(DISTINCT year(sign_date)), list(DISTINCT year(start_date)),
                  list(DISTINCT year(production_date)), max(as_of)
           FROM projects""", [NO_CLUSTER]).fetchone()
    districts = list(dict.fromkeys([*(listed or ()), *sorted(d for d in named or () if d is not None)]))
    chain_rows = [(c, cl, k == "true") for c, cl, k in chain_list or ()]
    clusters: list[str] = []
    for _, cluster, _ in chain_rows:
        if cluster not in clusters:
            clusters.append(cluster)
    clusters += [c for c in sorted(found_clusters or ()) if c not in clusters]
    chain_cluster = [(c, cl) for c, cl, _ in chain_rows]
    if has_unknown:
        chain_cluster += [(UNKNOWN_CHAIN, cl) for cl in clusters]
    chains = list(dict.fromkeys(c for c, _ in chain_cluster))
    periods = periods_present(con)
    years = sorted({y for y in (*(signed or ()), *(started or ()), *(produced or ())) if y is not None}, reverse=True)
    if newest is not None and newest.year not in years:
        years = sorted({*years, newest.year}, reverse=True)
    return FilterOptions(
        districts=tuple(districts), clusters=tuple(clusters), chains=tuple(chains),
        chain_cluster=tuple(chain_cluster), periods=tuple(periods), stages=ALL_STAGES,
        years=tuple(years), newest_as_of=newest,
        key_chains=tuple(c for c, _, k in chain_rows if k),
    )
