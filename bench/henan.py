"""A province-scale reference for the benchmarks: 河南省 (410000) with its 181 county-level areas.

    from bench.henan import write_reference
    ref_dir, settings_toml = write_reference(Path("bench/out/henan"))

The areas come from `bench/data/henan_areas.csv`, derived once from real public data (see
`refresh_source`): the 国家统计局 codes and names of every Henan county-level area (160
districts, counties and county-level cities, and 21 functional zones with a statistical code
such as 411171 漯河经济技术开发区) and their government-seat centre points from Amap
(GCJ-02). The benchmark's reference folder copies every other reference file (chains, cluster
aliases, stages, header synonyms, parks, indicators …) from data/reference: the configured
city's rows, city_code rewritten to 410000.

Nothing here imports `warehouse`: the benchmark sets REFERENCE_PATH / SETTINGS_PATH from
this folder *before* the warehouse modules read them.
"""

from __future__ import annotations

import csv
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = Path(__file__).resolve().parent / "data" / "henan_areas.csv"
PROVINCE_CODE = "410000"
PROVINCE_NAME = "河南省"
BOUNDARY_FILE = "410000_full.json"
REAL = Path("/work/shared/data/real")
SOURCE_COLUMNS = ["code", "name", "city_code", "city_name", "kind", "lng", "lat", "centre_source"]
# codes changed after the 2019 Amap snapshot: the same place under its older code
RENAMED = {"410307": "410381", "410308": "410322", "410783": "410728", "411603": "411626"}


def _is_zone(code: str) -> bool:
    """Statistical codes x71–x79 are functional zones (开发区, 示范区), not administrative areas."""
    return 71 <= int(code[4:]) <= 79


def refresh_source(real: Path = REAL, out: Path = SOURCE) -> Path:
    """Rebuild bench/data/henan_areas.csv from the real files (admin codes + Amap centres).
    Zones have no Amap centre: they take their city's centre, and say so in centre_source."""
    areas = [r for r in csv.DictReader((real / "admin_codes" / "nbs_county_level_areas.csv").open(encoding="utf-8"))
             if r["provinceCode"] == "41"]
    centres = {r["adcode"]: r for r in
               csv.DictReader((real / "centroids" / "amap_admin_centers_2019.csv").open(encoding="utf-8"))}
    rows = []
    for r in sorted(areas, key=lambda r: r["code"]):
        code = r["code"]
        city = "419001" if code.startswith("4190") else r["cityCode"] + "00"
        city_name = centres[city]["name"]
        if code in centres:
            c, source = centres[code], "amap 2019"
        elif code in RENAMED:
            c, source = centres[RENAMED[code]], f"amap 2019 ({RENAMED[code]} {centres[RENAMED[code]]['name']})"
        else:
            c, source = centres[city], f"city centre ({city_name})"
        rows.append({"code": code, "name": r["name"], "city_code": city, "city_name": city_name,
                     "kind": "功能区" if _is_zone(code) else "行政区",
                     "lng": c["center_lng"], "lat": c["center_lat"], "centre_source": source})
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, SOURCE_COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return out


def areas() -> list[dict]:
    with SOURCE.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def short_name(name: str, kind: str) -> str:
    """中原区 → 中原, 巩义市 → 巩义; two-character names (杞县) and zones stay whole."""
    if kind == "行政区" and name.endswith("回族区"):
        return name[:-3]
    if kind == "行政区" and name[-1] in "区县市" and len(name) >= 3:
        return name[:-1]
    return name


def _configured_city(reference: Path, settings: Path) -> str:
    values = tomllib.loads(settings.read_text(encoding="utf-8"))
    return str(values.get("city", {}).get("code", "411100"))


def _copy_city_rows(src: Path, dst: Path, city: str) -> None:
    with src.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        fields = reader.fieldnames
        rows = list(reader)
    if "city_code" in fields:
        rows = [dict(r, city_code=PROVINCE_CODE) for r in rows if r["city_code"] == city]
    with dst.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def write_reference(out: Path, *, source_reference: Path = ROOT / "data" / "reference",
                    source_settings: Path = ROOT / "data" / "settings.toml") -> tuple[Path, Path]:
    """Write out/reference/*.csv and out/settings.toml for 河南省; return both paths."""
    ref = Path(out) / "reference"
    ref.mkdir(parents=True, exist_ok=True)
    city = _configured_city(source_reference, source_settings)
    with (ref / "cities.csv").open("w", encoding="utf-8", newline="") as f:
        f.write("code,name,province,boundary_file\n")
        f.write(f"{PROVINCE_CODE},{PROVINCE_NAME},{PROVINCE_NAME},{BOUNDARY_FILE}\n")
    with (ref / "districts.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["code", "name", "short_name", "kind", "parent_code", "city_code", "lng", "lat", "aliases"])
        for a in areas():
            aliases = [a["city_name"] + a["name"], PROVINCE_NAME + a["name"]]
            if a["city_name"] == a["name"]:          # 济源市
                aliases = [PROVINCE_NAME + a["name"]]
            w.writerow([a["code"], a["name"], short_name(a["name"], a["kind"]), a["kind"], a["city_code"],
                        PROVINCE_CODE, a["lng"], a["lat"], ";".join(aliases)])
    for src in sorted(source_reference.glob("*.csv")):
        if src.name not in ("cities.csv", "districts.csv"):
            _copy_city_rows(src, ref / src.name, city)
    text = source_settings.read_text(encoding="utf-8")
    lines = []
    in_city = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            in_city = stripped == "[city]"
        if in_city and stripped.startswith("code"):
            line = f'code = "{PROVINCE_CODE}"            # 河南省 (benchmark reference)'
        lines.append(line)
    settings = Path(out) / "settings.toml"
    settings.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert tomllib.loads(settings.read_text(encoding="utf-8"))["city"]["code"] == PROVINCE_CODE
    return ref, settings


if __name__ == "__main__":
    print(refresh_source())
