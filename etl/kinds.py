"""The kinds of file the loader recognises by content, tried in order: adding a kind (the 六职
activity workbook, say) is one entry in KINDS.

Each kind names an analysis (a pure function: workbook, context → what the kind needs to parse it,
or None), which is run at most once per workbook however many kinds share it and handed to the
kind's parser; `accepts` decides between kinds that share an analysis; `parse` returns plain data
(etl/normalise/); `save` writes it inside the loader's transaction (etl/save.py); `tables` hold its
rows keyed by load_id (emptied when a corrected file supersedes a load).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from etl import save
from etl.normalise.indicator_file import KIND_REPORT, KIND_TARGETS, analyse, parse_indicator_file
from etl.normalise.six import KIND as KIND_SIX, parse_six
from etl.normalise.six_headers import analyse_six
from etl.normalise.workbook import analyse_ledger, parse_ledger
from etl.scope import check_ledger_scope
from etl.workbook import Workbook


@dataclass(frozen=True)
class Kind:
    name: str                                  # Chinese, as stored in loads.kind
    analyse: Callable                          # (workbook, context) → analysis | None
    accepts: Callable[[object, Workbook], bool]
    parse: Callable                            # (workbook, analysis, context, *, as_of, file_name, scope)
    save: Callable                             # (con, load_id, parsed, file_name)
    tables: tuple[str, ...]
    # rows a district account may not write, found against the warehouse (con may be None: empty)
    check_scope: Callable | None = None        # (con, parsed, scope); RefusedFile when nothing is left


def _indicator_analysis(wb, context):
    return analyse(wb, context.ref, context.indicators)


def _parse_indicators(wb, analysis, context, *, as_of, file_name, scope):
    return parse_indicator_file(wb, analysis, context.ref, context.indicators, as_of=as_of, file_name=file_name,
                                scope=scope)


def _parse_ledger(wb, analysis, context, *, as_of, file_name, scope):
    return parse_ledger(wb, analysis, context.ref, as_of=as_of, default_unit=context.default_unit,
                        default_crs=context.default_crs, city_bbox=context.city_bbox, file_name=file_name,
                        scope=scope)


def _parse_six(wb, analysis, context, *, as_of, file_name, scope):
    return parse_six(wb, analysis, context.ref, as_of=as_of, file_name=file_name, scope=scope)


KINDS: tuple[Kind, ...] = (
    Kind(KIND_TARGETS, _indicator_analysis, lambda a, wb: not a.has_actuals(wb.stem), _parse_indicators,
         save.save_indicators, ("indicator_targets",)),
    Kind(KIND_REPORT, _indicator_analysis, lambda a, wb: a.has_actuals(wb.stem), _parse_indicators,
         save.save_indicators, ("indicator_actuals", "indicator_targets")),
    Kind(KIND_SIX, lambda wb, context: analyse_six(wb, context.ref), lambda a, wb: True, _parse_six,
         save.save_six, ("six_trips", "six_receptions", "six_assignments")),
    # the fallback: whatever no other kind claims is read as a project ledger (or refused as none)
    Kind("项目台账", lambda wb, context: analyse_ledger(wb, context.ref), lambda a, wb: True, _parse_ledger,
         save.save_ledger, ("project_rows", "load_districts"), check_ledger_scope),
)
# every table holding rows keyed by load_id: the kinds' own and the loader's audit rows
DATA_TABLES: tuple[str, ...] = tuple(dict.fromkeys(
    [t for k in KINDS for t in k.tables] + ["rejected_rows", "skipped_rows", "load_warnings"]))


def kind_named(name: str) -> Kind:
    return next(k for k in KINDS if k.name == name)


def classify(wb: Workbook, context) -> tuple[Kind, object]:
    """The first kind whose analysis finds something and which accepts it, with that analysis."""
    done: dict[Callable, object] = {}
    for kind in KINDS:
        if kind.analyse not in done:
            done[kind.analyse] = kind.analyse(wb, context)
        analysis = done[kind.analyse]
        if analysis is not None and kind.accepts(analysis, wb):
            return kind, analysis
    raise AssertionError("the last kind accepts every workbook")
