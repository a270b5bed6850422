"""Project identity: which rows of which ledgers are the same project.

A project is its 项目编号 when the ledger gives one (`编号:<code>`), else its district and its name
as compared (`<district code>|<name key>`): the name without spaces and quotes, full-width folded
to half-width, lower case — so “甲项目（一期）” and “甲项目(一期)” are one project while the name
is shown as the district wrote it. Ledgers with and without codes for the same project are joined
in the warehouse (etl/store.py unify_identities).
"""

from __future__ import annotations

import re
import unicodedata

import polars as pl

CODE_PREFIX = "编号:"   # project_id of a project with a 项目编号: the prefix and the code
_IGNORED = r"[\s\"'“”‘’《》「」]"


def name_key(name: str) -> str:
    """The name as compared for identity (one name, for tests and lookups)."""
    return re.sub(_IGNORED, "", unicodedata.normalize("NFKC", name)).lower()


def name_keys(names: pl.Series) -> pl.Series:
    """name_key over a column; the names must already be NFKC (etl/normalise/columns.clean_frame)."""
    return names.str.replace_all(_IGNORED, "").str.to_lowercase()


def project_ids(codes: pl.Series, district_codes: pl.Series, districts: pl.Series, keys: pl.Series) -> pl.Series:
    """编号:<code> when coded, else <district code, or the district as written>|<name key>."""
    return pl.select(pl.when(codes.is_not_null()).then(pl.lit(CODE_PREFIX) + codes)
                     .otherwise(pl.coalesce(district_codes, districts) + pl.lit("|") + keys)).to_series()
