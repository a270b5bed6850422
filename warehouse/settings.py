"""One place for settings: paths from the environment, the rest from data/settings.toml."""

from __future__ import annotations

import hashlib
import os
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
# REFERENCE_PATH points at another reference folder (the province-scale benchmark uses its own).
REFERENCE_DIR = Path(os.environ.get("REFERENCE_PATH", DATA_DIR / "reference"))
BOUNDARY_DIR = DATA_DIR / "boundaries"
DEFAULT_WAREHOUSE = DATA_DIR / "warehouse.duckdb"

DEFAULTS: dict[str, dict] = {
    "city": {"code": "411100"},
    "ledger": {
        "default_amount_unit": "万元",
        "default_crs": "gcj02",
        "max_file_mb": 200,
        "max_uncompressed_mb": 2000,
        "max_rows_per_sheet": 2_000_000,
        "max_columns": 1000,
        "max_read_memory_mb": 4096,
        "max_read_seconds": 600,
    },
    "progress": {"yellow_gap_points": 10, "red_gap_points": 30},
    "stall": {"signed_not_started_months": 6, "started_not_producing_months": 18},
    "freshness": {"late_after_days": 40},
    "map": {"tile_url": ""},
    "warehouse": {"read_memory_mb": 512, "backend": "duckdb", "catalog": "", "data_path": "",
                  "lake_schema": "ducklake", "compact_after_files": 300},
    "accounts": {"max_failed_attempts": 5, "lockout_minutes": 15, "session_hours": 8, "password_min_length": 8,
                 "district_direct_load": False, "sso_match": "email", "sso_label": "统一身份认证登录"},
}


def warehouse_path(override: str | os.PathLike | None = None) -> Path:
    """--db beats WAREHOUSE_PATH beats data/warehouse.duckdb; the app and the CLI both use this."""
    if override:
        return Path(override)
    env = os.environ.get("WAREHOUSE_PATH")
    return Path(env) if env else DEFAULT_WAREHOUSE


BACKENDS = ("duckdb", "ducklake")


@dataclass(frozen=True)
class Lake:
    """Where a DuckLake warehouse lives: its catalog (a PostgreSQL libpq connection string), the
    catalog's schema that holds it, and the directory of its data files."""

    catalog: str
    schema: str
    data_path: str


def backend() -> str:
    """duckdb (one DuckDB file, the default) or ducklake: WAREHOUSE_BACKEND beats the settings."""
    name = (os.environ.get("WAREHOUSE_BACKEND") or str(settings().get("warehouse", "backend"))).strip().lower()
    if name not in BACKENDS:
        raise ValueError(f"WAREHOUSE_BACKEND 只能是 duckdb 或 ducklake，而不是 {name!r}")
    return name


def lake(override: str | os.PathLike | None = None) -> Lake:
    """The lake of the ducklake backend: DUCKLAKE_CATALOG and DUCKLAKE_DATA_PATH beat the settings.

    The deployment's warehouse (no WAREHOUSE_PATH, no --db: the default data/warehouse.duckdb) is
    the configured lake. A warehouse named by another path (WAREHOUSE_PATH, `--db`, the tests, a
    migration's scratch copy) is a lake of its own in the same catalog and under the same data
    directory, named after that path, the same in every process — so what names a DuckDB file
    names a lake."""
    catalog = os.environ.get("DUCKLAKE_CATALOG") or str(settings().get("warehouse", "catalog"))
    data = os.environ.get("DUCKLAKE_DATA_PATH") or str(settings().get("warehouse", "data_path"))
    if not catalog or not data:
        raise ValueError("ducklake 后端须设置 DUCKLAKE_CATALOG（PostgreSQL 连接串）和 DUCKLAKE_DATA_PATH（数据文件目录）")
    schema = str(settings().get("warehouse", "lake_schema"))
    path = warehouse_path(override).resolve()
    if path != DEFAULT_WAREHOUSE.resolve():
        schema = "wh_" + hashlib.sha256(str(path).encode()).hexdigest()[:20]
        data = str(Path(data) / schema)
    return Lake(catalog, schema, data)


@dataclass(frozen=True)
class Settings:
    values: dict

    def get(self, section: str, key: str):
        return self.values.get(section, {}).get(key, DEFAULTS[section][key])

    @property
    def city_code(self) -> str:
        return str(self.get("city", "code"))


@lru_cache(maxsize=4)
def _load(path: str, version: tuple | None = None) -> Settings:
    p = Path(path)
    values = tomllib.loads(p.read_text(encoding="utf-8")) if p.exists() else {}
    return Settings(values)


def settings_path() -> str:
    return os.environ.get("SETTINGS_PATH", str(DATA_DIR / "settings.toml"))


def settings_version() -> tuple | None:
    """Which settings file, as of when: an edited file is read again (no restart), and cached
    results that depend on it (the lights) are computed again."""
    path = settings_path()
    try:
        st = os.stat(path)
    except OSError:
        return (path, None)
    return (path, st.st_mtime_ns, st.st_size)


def settings() -> Settings:
    return _load(settings_path(), settings_version())
