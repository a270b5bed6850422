"""A connection that gives something back when it is closed (a share of the file's lock, a lake's
writer lock): closed once, usable in `with`, everything else passed through to the connection.

A read connection also carries `memo`: what does not change while it is open (it reads one state
of the warehouse), asked once — the relations it sees (warehouse.db.relations). None on a write
connection, whose statements change it."""

from __future__ import annotations

from collections.abc import Callable


def _nothing() -> None:
    return None


class Held:
    def __init__(self, con, release: Callable[[], None] | None = None, read_only: bool = False):
        self._con, self._release = con, release or _nothing
        self.memo: dict | None = {} if read_only else None

    def close(self) -> None:
        release, self._release = self._release, None
        if release is None:
            return
        try:
            self._con.close()
        finally:
            release()

    def __getattr__(self, name):
        return getattr(self._con, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass
