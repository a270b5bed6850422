"""Run a module as __main__ and report the process's own peak resident memory.

    python -m bench.peak FILE MODULE [ARGS…]     # like python -m MODULE ARGS…, then VmHWM (MB) into FILE

wait4()/getrusage() ru_maxrss is no use for a child of a big process: Linux carries the
parent's memory image from before exec into it. VmHWM in /proc/self/status belongs to the
exec'd program alone.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path


def vm_hwm_mb() -> float | None:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def main() -> None:
    out, module, *args = sys.argv[1:]
    sys.argv = [module, *args]
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    finally:
        Path(out).write_text(str(vm_hwm_mb() or ""))


if __name__ == "__main__":
    main()
