"""Cached access to the warehouse.

Every page reads through `call`: a warehouse function runs on a read-only connection that lives
for one page run at most (a loader in another process must be able to take the file), and its
result is cached by the function, its arguments and a cheap data version — the warehouse
file's (and its WAL's) mtime and size — so a load shows up on the next rerun, no restart.
"""

from __future__ import annotations

import importlib
import threading
from contextlib import ExitStack, contextmanager
from pathlib import Path

import duckdb
import streamlit as st

from warehouse.db import reading, version
from warehouse.scope import EVERYTHING, Scope
from warehouse.settings import settings_version, warehouse_path

SCOPE = "_scope"                     # this session's warehouse.scope.Scope (ui.auth sets it)
NOBODY = Scope(districts=(), login=None)   # before sign-in: a connection that sees no district


def data_version(path: Path) -> tuple:
    """What this warehouse's cached results are keyed by (warehouse.db.version)."""
    return version(path)


class _Run(threading.local):
    """The page run of this thread (Streamlit runs each session's script in its own thread)."""

    active = False
    con = None
    key = None
    closing = None     # the ExitStack that closes `con`


_run = _Run()


@contextmanager
def page_run():
    """One read-only connection for a whole page run, opened on the first cache miss and closed
    when the run ends (app.py wraps the page in this): opening the warehouse costs 15–25 ms,
    and a page asks 5–15 questions. Outside a page run each call opens its own."""
    release()
    _run.active = True
    try:
        yield
    finally:
        release()
        _run.active = False


def release() -> None:
    """Close this run's connection now (before this process writes to the warehouse)."""
    closing, _run.con, _run.key, _run.closing = _run.closing, None, None, None
    if closing is not None:
        try:
            closing.close()
        except duckdb.Error:
            pass


@contextmanager
def _connection(path: str, version: tuple, scope: Scope):
    if not _run.active:
        with reading(path, scope) as con:
            yield con
        return
    if _run.key != (path, version, scope):     # first miss of the run, a load finished meanwhile, another scope
        release()
        closing = ExitStack()
        _run.con = closing.enter_context(reading(path, scope))
        _run.key, _run.closing = (path, version, scope), closing
    yield _run.con


@st.cache_data(show_spinner=False, max_entries=1024)
def _cached(module: str, name: str, path: str, version: tuple, scope: Scope, args: tuple, kwargs: tuple):
    # version: the warehouse's data version and the settings file's (the lights depend on it);
    # scope: whose rows (a district account's results are its own)
    if module.split(".")[0] != "warehouse":
        raise ValueError(f"not a warehouse function: {module}.{name}")
    fn = getattr(importlib.import_module(module), name)
    with _connection(path, version, scope) as con:
        return fn(con, *args, **dict(kwargs))


def session_scope() -> Scope:
    """Whose rows this session sees: the signed-in account's scope, nobody's before sign-in."""
    try:
        return st.session_state.get(SCOPE, NOBODY)
    except Exception:  # noqa: BLE001 - no session (a deferred download's thread): nobody
        return NOBODY


def call_as(scope: Scope, fn, *args, **kwargs):
    """fn(con, *args, **kwargs) for a function in warehouse/ on a connection scoped to `scope`,
    cached; a friendly stop when the warehouse cannot be read."""
    path = warehouse_path()
    try:
        return _cached(fn.__module__, fn.__qualname__, str(path), (data_version(path), settings_version()), scope,
                       args, tuple(sorted(kwargs.items())))
    except (duckdb.Error, TimeoutError) as exc:
        release()
        st.warning("数据仓库暂时无法读取（可能正在导入台账），请稍后刷新页面。")
        st.caption(f"详细信息：{type(exc).__name__}")
        st.stop()


def call(fn, *args, **kwargs):
    """fn(con, *args, **kwargs) on this session's scope (see call_as)."""
    return call_as(session_scope(), fn, *args, **kwargs)


def call_unscoped(fn, *args, **kwargs):
    """For the sign-in itself (is there such an account?): every row, never shown to anyone."""
    return call_as(EVERYTHING, fn, *args, **kwargs)


def asker(scope: Scope):
    """`ask` for a page description, bound to a scope: also right in a deferred download, which
    runs outside the session's thread."""
    return lambda fn, *args, **kwargs: call_as(scope, fn, *args, **kwargs)


def status() -> dict:
    from warehouse.freshness import data_status
    return call(data_status)


START_TEXT = """
数据仓库中还没有项目台账，驾驶舱暂时没有可显示的内容。

**导入台账**：在“数据管理”页上传各县区报送的台账（Excel、WPS表格或CSV，可一次选多个），预检无误后确认入库；
县区账号上传后提交市级审核。“数据管理”页可下载带填报说明的空白台账模板。

**系统管理员**也可在服务器上一次导入整个文件夹，或先生成演示数据看看效果，方法见使用说明“台账入库”一节。

导入完成后刷新本页即可，无需重启。
"""


def show_start_page(title: str) -> None:
    st.title(title)
    st.info("尚无数据：请先导入台账", icon=":material/upload_file:")
    st.markdown(START_TEXT)


def require_data(title: str) -> dict:
    """The data status; on an empty warehouse, the start page instead of this page."""
    s = status()
    if s["empty"]:
        show_start_page(title)
        st.stop()
    return s
