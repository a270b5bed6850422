"""Names that must be mapped to reference data: districts, parks, chains, stages.

Matching is data-driven (data/reference/*.csv). A name the reference does not know is kept as
written and reported by the caller — never dropped.
"""

from __future__ import annotations

import re
from functools import lru_cache

from etl.normalise.text import clean, norm_key
from warehouse.reference import Reference

_CHAIN_SUFFIXES = ("产业链条", "产业链", "产业集群", "集群", "产业", "行业", "链", "类")
_NEGATED_STAGE = re.compile(r"(未|尚未|没有|暂未|待)(签约|履约|注册|开工|投产|达产|达效|竣工)")


@lru_cache(maxsize=32)
def _longest_first(keys: tuple[str, ...]) -> list[str]:
    return sorted((k for k in keys if len(k) >= 2), key=len, reverse=True)


def resolve_district(raw: object, ref: Reference) -> str | None:
    """District code for '郾城', '郾城区', '漯河市郾城区', '郾城区商务局'; None when unknown."""
    text = clean(raw)
    if text is None:
        return None
    key = norm_key(text)
    if key in ref.district_aliases:
        return ref.district_aliases[key]
    for alias in _longest_first(tuple(ref.district_aliases)):
        if alias in key:
            return ref.district_aliases[alias]
    return None


def district_in_text(text: str | None, ref: Reference) -> str | None:
    """A district named anywhere in a title line or a file name (longest alias wins)."""
    if not text:
        return None
    key = norm_key(text)
    for alias in _longest_first(tuple(ref.district_aliases)):
        if alias in key and not alias.isdigit():
            return ref.district_aliases[alias]
    return None


def resolve_park(raw: object, ref: Reference) -> dict | None:
    text = clean(raw)
    if text is None:
        return None
    return ref.parks.get(norm_key(text))


def resolve_chain(raw: object, ref: Reference) -> tuple[str | None, str | None, bool]:
    """(chain, cluster, known). '休闲食品产业链' → ('休闲食品', '现代食品', True);
    '食品' → (None, '现代食品', True) (only the cluster is known); '低空经济' → ('低空经济', None, False)."""
    text = clean(raw)
    if text is None:
        return None, None, True
    key = norm_key(text)
    candidates = [key]
    for suffix in _CHAIN_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            candidates.append(key[: -len(suffix)])
    for c in candidates:
        if c in ref.chain_aliases:
            chain, cluster = ref.chain_aliases[c]
            return chain, cluster, True
    for suffix in ("产业链条", "产业链", "产业集群"):  # report '储能电池产业链' as '储能电池'
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)], None, False
    return text, None, False


def resolve_stage(raw: object, ref: Reference) -> str | None:
    """'已签约未开工' → 签约; '竣工投产' → 投产; '在建' → 开工; None when no stage is named."""
    text = clean(raw)
    if text is None:
        return None
    key = norm_key(text)
    if key in ref.stage_aliases:
        return ref.stage_aliases[key]
    key = _NEGATED_STAGE.sub("", key)
    if key in ref.stage_aliases:
        return ref.stage_aliases[key]
    found = [(key.rfind(alias), len(alias), stage) for alias, stage in ref.stage_aliases.items()
             if len(alias) >= 2 and alias in key]
    if not found:
        return None
    # the stage written last is the current one ('签约→开工' means 开工); prefer longer aliases
    found.sort(key=lambda f: (f[0] + f[1], f[1]))
    return found[-1][2]
