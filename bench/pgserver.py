"""A throwaway PostgreSQL server on loopback for the DuckLake backend's tests and benchmarks.

Debian's PostgreSQL 15 (`make setup` installs it): `initdb` in a temporary directory, started on a
free port of 127.0.0.1 only, with `lc_messages = C` (DuckLake recognises a conflict by the English
text of PostgreSQL's message), stopped and removed afterwards. Run as root, the server runs as the
`postgres` user that Debian's package creates (PostgreSQL refuses to run as root).

    python -m bench.pgserver            # start one and print the environment for it (Ctrl+C stops it)
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def _binary(name: str) -> str:
    for folder in BIN_DIRS:
        if (folder / name).exists():
            return str(folder / name)
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"找不到 PostgreSQL 程序 {name}：请先执行 make setup（安装 postgresql）")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`with Server() as pg:` — pg.dsn is a libpq connection string to database `lake`."""

    def __init__(self):
        # its own directory under the system's temporary one: the postgres user must reach it
        self.root = Path(tempfile.mkdtemp(prefix="pg-"))
        self.port = _free_port()
        self.dsn = f"dbname=lake host=127.0.0.1 port={self.port} user=postgres"
        self._as_postgres = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        cmd = list(args)
        if self._as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if done.returncode:
            raise subprocess.CalledProcessError(done.returncode, cmd, done.stdout, done.stderr[-2000:])

    def start(self) -> "Server":
        data = self.root / "data"
        if self._as_postgres:
            shutil.chown(self.root, "postgres")
        self._run(_binary("initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-locale", "-E", "UTF8")
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c lc_messages=C "
                   "-c max_connections=200 -c fsync=off -c synchronous_commit=off -c shared_buffers=256MB")
        self._run(_binary("pg_ctl"), "-D", str(data), "-o", options, "-l", str(self.root / "log"), "-w", "start")
        deadline = time.monotonic() + 30
        while True:
            try:
                self._run(_binary("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "lake")
                return self
            except subprocess.CalledProcessError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def stop(self) -> None:
        try:
            self._run(_binary("pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "stop")
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, RuntimeError):
            pass
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> "Server":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


if __name__ == "__main__":
    with Server() as pg:
        data = pg.root / "lake-data"
        print(f"export WAREHOUSE_BACKEND=ducklake DUCKLAKE_CATALOG='{pg.dsn}' DUCKLAKE_DATA_PATH={data}", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
