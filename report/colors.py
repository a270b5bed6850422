"""The one colour map: every page paints a stage, a cluster or a chain with the same colour."""

from __future__ import annotations

from collections.abc import Sequence

from warehouse.filters import NO_CLUSTER, UNKNOWN_CHAIN

STAGE_COLORS = {
    "在谈": "#8C9BAB",
    "签约": "#2F6FD6",
    "履约": "#17A2B8",
    "开工": "#F08C00",
    "投产": "#2E9E44",
    "达效": "#0B6E3A",
    "终止": "#C0392B",
}
EVENT_COLORS = {"签约": STAGE_COLORS["签约"], "开工": STAGE_COLORS["开工"], "投产": STAGE_COLORS["投产"]}
BATCH_COLORS = {"签约一批": STAGE_COLORS["签约"], "开工一批": STAGE_COLORS["开工"],
                "投产一批": STAGE_COLORS["投产"]}
UNKNOWN_COLOR = "#9E9E9E"
APPROXIMATE_COLOR = "#7F7F7F"

# Clusters and chains are the city's data (data/reference/chains.csv), so their colours follow
# the reference order: the first cluster always gets the first colour.
_CLUSTER_PALETTE = ("#D1495B", "#2B59C3", "#8E44AD", "#00A6A6", "#EDAE49", "#3D9970", "#6C5B7B")
_CHAIN_PALETTE = (
    "#E6194B", "#3CB44B", "#4363D8", "#F58231", "#911EB4", "#46BCD2", "#F032E6", "#9A6324",
    "#808000", "#000075", "#E6BE00", "#AA6E28", "#469990", "#800000", "#5D8AA8", "#B565A7",
    "#55A630", "#C71585", "#2F4F4F", "#FF6F61",
)


def cluster_colors(clusters: Sequence[str]) -> dict[str, str]:
    out, i = {}, 0
    for cluster in clusters:
        if cluster == NO_CLUSTER:
            out[cluster] = UNKNOWN_COLOR
        else:
            out[cluster] = _CLUSTER_PALETTE[i % len(_CLUSTER_PALETTE)]
            i += 1
    out.setdefault(NO_CLUSTER, UNKNOWN_COLOR)
    return out


def chain_colors(chains: Sequence[str]) -> dict[str, str]:
    out, i = {}, 0
    for chain in chains:
        if chain == UNKNOWN_CHAIN:
            continue
        out[chain] = _CHAIN_PALETTE[i % len(_CHAIN_PALETTE)]
        i += 1
    out[UNKNOWN_CHAIN] = UNKNOWN_COLOR
    return out


def rgb(hex_color: str, alpha: int = 220) -> list[int]:
    h = hex_color.lstrip("#")
    return [int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16), alpha]
