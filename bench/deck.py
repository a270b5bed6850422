"""Deck speed: the weekly meeting deck once the chart renderer (one Chromium) is warm.

Goal: a deck of 10+ slides in under 10 s warm. Measures, in one process: the browser start
(cold), then each deck build — warehouse queries, figures, one batch of chart renders, the
.pptx — repeated, median reported. Needs a warehouse with data (default: the demo one).

    python -m bench.deck [--db FILE] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date

from report import render
from pages import weekly_deck
from warehouse.db import reading
from warehouse.filters import Filters
from warehouse.freshness import newest_as_of
from warehouse.settings import warehouse_path

GOAL_SECONDS = 10.0


def build_once(db) -> tuple[float, int, int, int]:
    """Seconds, slides, chart pictures and bytes of one weekly deck."""
    started = time.perf_counter()
    with reading(db) as con:
        end = newest_as_of(con)
        deck = weekly_deck(con, Filters(date_from=date(end.year, 1, 1), date_to=end), end)
    charts = deck.pending_charts
    data = deck.to_bytes()
    return time.perf_counter() - started, len(deck.slides), charts, len(data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", help="warehouse (default: WAREHOUSE_PATH or data/warehouse.duckdb)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    db = warehouse_path(args.db)
    if not db.exists():
        print(f"no warehouse at {db}: run `python -m etl demo` first", file=sys.stderr)
        return 1
    started = time.perf_counter()
    render.warm_up()
    cold = time.perf_counter() - started
    print(f"renderer start (cold, one Chromium, {render.shared()._tabs} tabs): {cold:.2f} s")
    first = build_once(db)
    print(f"first deck (imports, caches): {first[0]:.2f} s — {first[1]} slides, {first[2]} chart pictures, "
          f"{first[3] / 1e6:.1f} MB")
    times = []
    for i in range(args.repeat):
        seconds, slides, charts, size = build_once(db)
        times.append(seconds)
        print(f"  warm run {i + 1}: {seconds:.2f} s ({slides} slides, {charts} charts)")
    median = statistics.median(times)
    verdict = "OK" if median < GOAL_SECONDS and slides >= 10 else "SLOW"
    print(f"warm weekly deck: median {median:.2f} s, best {min(times):.2f} s for {slides} slides "
          f"(goal: 10+ slides under {GOAL_SECONDS:.0f} s) — {verdict}")
    return 0 if verdict == "OK" else 1


if __name__ == "__main__":
    sys.exit(main())
