"""The machine a benchmark ran on: CPU, cores, RAM, disk, software versions, and how busy it was."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

PACKAGES = ("duckdb", "polars", "fastexcel", "pandas", "openpyxl", "xlsxwriter", "streamlit", "playwright",
            "numpy", "pyarrow")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _physical_cores() -> int | None:
    try:
        pairs = set()
        phys = core = None
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("physical id"):
                phys = line.split(":")[1].strip()
            elif line.startswith("core id"):
                core = line.split(":")[1].strip()
                pairs.add((phys, core))
        return len(pairs) or None
    except OSError:
        return None


def _mem_total_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return None


def _disk(path: Path) -> dict:
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    usage = shutil.disk_usage(path)
    out = {"path": str(path), "size_gb": usage.total / 1e9, "free_gb": usage.free / 1e9}
    try:
        line = subprocess.run(["df", "-T", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()[1]
        device, fstype = line.split()[:2]
        out.update(device=device, fstype=fstype)
        name = Path(os.path.realpath(device)).name.rstrip("0123456789")
        rot = Path(f"/sys/block/{name}/queue/rotational")
        if rot.exists():
            out["rotational"] = rot.read_text().strip() == "1"
        model = Path(f"/sys/block/{name}/device/model")
        if model.exists():
            out["model"] = model.read_text().strip()
    except (OSError, subprocess.CalledProcessError, IndexError, ValueError):
        pass
    return out


def _chromium() -> str | None:
    exe = os.environ.get("BROWSER_PATH", "/usr/bin/chromium")
    try:
        return subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=20).stdout.strip() or None
    except (OSError, subprocess.TimeoutExpired):
        return None


def load_average() -> tuple[float, float, float] | None:
    try:
        return os.getloadavg()
    except OSError:
        return None


def describe(out_dir: Path) -> dict:
    versions = {}
    for p in PACKAGES:
        try:
            versions[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            versions[p] = None
    return {
        "cpu": _cpu_model(), "logical_cores": os.cpu_count(), "physical_cores": _physical_cores(),
        "ram_gb": _mem_total_gb(), "disk": _disk(out_dir), "os": platform.platform(),
        "python": sys.version.split()[0], "packages": versions, "chromium": _chromium(),
        "load_average_start": load_average(),
    }
