"""The weekly deck warm, as the app makes it (bench/deck.py's build_once), in one process:

    python -m bench.export_bench DB REPEAT     # one JSON line

The chart renderer (one Chromium) is started first (timed apart), then one deck is built (the
first: imports, caches) and then REPEAT more (warm) — unless the first took over SLOW seconds.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

SLOW = 120.0


def main(argv: list[str]) -> int:
    db, repeat = Path(argv[0]), int(argv[1])
    from bench.deck import build_once
    from report import render

    t0 = time.perf_counter()
    render.warm_up()
    cold = time.perf_counter() - t0
    first = build_once(db)
    runs = [] if first[0] > SLOW else [build_once(db) for _ in range(repeat)]
    print(json.dumps({"renderer_start": cold, "first": first[0], "slides": first[1], "charts": first[2],
                      "bytes": first[3], "warm": [r[0] for r in runs]}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
