"""Reference data (districts, chains, parks, stages, header synonyms) from data/reference/.

The files are the city's to edit. They are read here, resolved for the configured city, and
written into ref_* tables so that queries can join them.
"""

from __future__ import annotations

import csv
import hashlib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from warehouse.settings import REFERENCE_DIR, settings


def norm_key(text: str) -> str:
    """The form used to compare names: NFKC (full-width → half-width), no whitespace, lower case."""
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


def _rows(name: str, directory: Path) -> list[dict[str, str]]:
    with (directory / name).open(encoding="utf-8-sig", newline="") as f:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f)]


def _split(aliases: str) -> list[str]:
    return [a.strip() for a in aliases.split(";") if a.strip()]


@dataclass(frozen=True)
class District:
    code: str
    name: str
    short_name: str
    kind: str
    parent_code: str
    lng: float
    lat: float


@dataclass(frozen=True)
class Reference:
    city_code: str
    city_name: str
    boundary_file: str
    districts: list[District]
    district_aliases: dict[str, str]          # norm_key(alias) → code
    chains: list[dict]                        # chain, cluster, level, is_key
    chain_aliases: dict[str, tuple[str | None, str]]  # norm_key(alias) → (chain, cluster)
    parks: dict[str, dict]                    # norm_key(alias or name) → park row
    stage_aliases: dict[str, str]             # norm_key(alias) → canonical stage
    stage_order: dict[str, int]
    header_synonyms: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # key → [(field, prio)]
    six_header_synonyms: dict[str, str] = field(default_factory=dict)  # key → field of a 六职 workbook

    def district(self, code: str) -> District | None:
        return next((d for d in self.districts if d.code == code), None)


def _districts(d: Path, city: str) -> tuple[list[District], dict[str, str]]:
    districts: list[District] = []
    aliases: dict[str, str] = {}
    for r in _rows("districts.csv", d):
        if r["city_code"] != city:
            continue
        districts.append(District(r["code"], r["name"], r["short_name"], r["kind"], r["parent_code"],
                                  float(r["lng"]), float(r["lat"])))
        for alias in [r["name"], r["short_name"], r["code"], *_split(r["aliases"])]:
            aliases.setdefault(norm_key(alias), r["code"])
    return districts, aliases


def _chains(d: Path, city: str) -> tuple[list[dict], dict[str, tuple[str | None, str]]]:
    chains: list[dict] = []
    aliases: dict[str, tuple[str | None, str]] = {}
    for r in _rows("chains.csv", d):
        if r["city_code"] != city:
            continue
        chains.append({"chain": r["chain"], "cluster": r["cluster"], "level": r["level"],
                       "is_key": r["is_key"] == "1"})
        for alias in [r["chain"], *_split(r["aliases"])]:
            aliases.setdefault(norm_key(alias), (r["chain"], r["cluster"]))
    for r in _rows("cluster_aliases.csv", d):
        if r["city_code"] == city:
            aliases.setdefault(norm_key(r["alias"]), (None, r["cluster"]))
    return chains, aliases


def _parks(d: Path, city: str) -> dict[str, dict]:
    parks: dict[str, dict] = {}
    for r in _rows("parks.csv", d):
        if r["city_code"] != city:
            continue
        row = {"park": r["park"], "district_code": r["district_code"], "lng": float(r["lng"]), "lat": float(r["lat"])}
        for alias in [r["park"], *_split(r["aliases"])]:
            parks.setdefault(norm_key(alias), row)
    return parks


def _stages(d: Path) -> tuple[dict[str, str], dict[str, int]]:
    aliases: dict[str, str] = {}
    order: dict[str, int] = {}
    for r in _rows("stages.csv", d):
        order[r["stage"]] = int(r["ord"])
        for alias in [r["stage"], *_split(r["aliases"])]:
            aliases.setdefault(norm_key(alias), r["stage"])
    return aliases, order


def _header_synonyms(d: Path) -> dict[str, list[tuple[str, int]]]:
    synonyms: dict[str, list[tuple[str, int]]] = {}
    for r in _rows("headers.csv", d):
        for syn in _split(r["synonyms"]):
            synonyms.setdefault(norm_key(syn.replace("\"", "")), []).append((r["field"], int(r["priority"])))
    return synonyms


def _six_header_synonyms(d: Path) -> dict[str, str]:
    if not (d / "six_headers.csv").exists():
        return {}
    return {norm_key(syn): r["field"] for r in _rows("six_headers.csv", d) for syn in _split(r["synonyms"])}


@lru_cache(maxsize=8)
def load_reference(city_code: str | None = None, directory: str | None = None) -> Reference:
    city = city_code or settings().city_code
    d = Path(directory) if directory else REFERENCE_DIR
    cities = {r["code"]: r for r in _rows("cities.csv", d)}
    if city not in cities:
        raise ValueError(f"data/reference/cities.csv 中没有城市代码 {city}")
    districts, district_aliases = _districts(d, city)
    chains, chain_aliases = _chains(d, city)
    stage_aliases, stage_order = _stages(d)
    return Reference(
        city_code=city, city_name=cities[city]["name"], boundary_file=cities[city]["boundary_file"],
        districts=districts, district_aliases=district_aliases, chains=chains, chain_aliases=chain_aliases,
        parks=_parks(d, city), stage_aliases=stage_aliases, stage_order=stage_order,
        header_synonyms=_header_synonyms(d), six_header_synonyms=_six_header_synonyms(d),
    )


def _insert(con, sql: str, rows: list) -> None:
    if rows:  # duckdb refuses executemany with no rows (a city with no parks)
        con.executemany(sql, rows)


def write_reference_tables(con, ref: Reference) -> None:
    """Replace the ref_* tables with the current files (inside the caller's transaction);
    nothing to do when the files have not changed since the last load."""
    from warehouse.db import meta_get, meta_set

    digest = hashlib.sha256(repr(ref).encode()).hexdigest()
    if meta_get(con, "reference") == digest:
        return
    meta_set(con, "reference", digest)
    con.execute("DELETE FROM ref_districts")
    _insert(con, 
        "INSERT INTO ref_districts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(x.code, x.name, x.short_name, x.kind, x.parent_code, ref.city_code, x.lng, x.lat, i)
         for i, x in enumerate(ref.districts)],
    )
    con.execute("DELETE FROM ref_district_aliases")
    _insert(con, "INSERT INTO ref_district_aliases VALUES (?, ?)", list(ref.district_aliases.items()))
    con.execute("DELETE FROM ref_chains")
    _insert(con, 
        "INSERT INTO ref_chains VALUES (?, ?, ?, ?, ?)",
        [(c["chain"], c["cluster"], c["level"], c["is_key"], i) for i, c in enumerate(ref.chains)],
    )
    con.execute("DELETE FROM ref_chain_aliases")
    _insert(con, "INSERT INTO ref_chain_aliases VALUES (?, ?, ?)",
                    [(k, v[0], v[1]) for k, v in ref.chain_aliases.items()])
    con.execute("DELETE FROM ref_parks")
    seen = {}
    for row in ref.parks.values():
        seen[row["park"]] = row
    _insert(con, "INSERT INTO ref_parks VALUES (?, ?, ?, ?)",
                    [(r["park"], r["district_code"], r["lng"], r["lat"]) for r in seen.values()])
    con.execute("DELETE FROM ref_stages")
    _insert(con, "INSERT INTO ref_stages VALUES (?, ?)", list(ref.stage_order.items()))
