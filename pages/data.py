"""数据管理: upload ledgers (preview first, then confirm), the load history, rejected rows,
warnings and freshness."""

import shutil
import tempfile
from pathlib import Path

import polars as pl
import streamlit as st

from ui import data, layout, render
from ui import filters as uf
from report import format as fmt
from warehouse import admin, freshness
from warehouse.settings import warehouse_path

TITLE = "数据管理"

layout.through_app()
SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv")
PREVIEW = "_upload_preview"
PREVIEW_COLUMNS = ["source_sheet", "source_row", "project_name", "district", "chain", "investor",
                   "total_investment_wan", "investment_note", "stage", "sign_date", "start_date",
                   "production_date", "period", "batch", "location_approximate"]

status = data.status()
layout.header(TITLE, status)
uf.keep_url_without_widgets()
if status["empty"]:
    st.info("尚无数据：请先导入台账", icon=":material/upload_file:")
    st.markdown(data.START_TEXT)
else:
    c1, c2, c3 = st.columns(3)
    c1.metric("项目数", fmt.count(status["projects"]), border=True)
    c2.metric("入库记录", fmt.count(status["loads"], "次"), border=True)
    c3.metric("最新台账日期", fmt.day(status["newest_as_of"]), border=True)

try:
    from etl.load import load_files
except ImportError:  # the loader is a separate package; the page still shows the history
    load_files = None


def _ask(action: str) -> None:
    """A button's click, kept until the run that acts on it (a callback runs before the script)."""
    st.session_state[f"_upload_{action}"] = True


def _asked(action: str) -> bool:
    return bool(st.session_state.pop(f"_upload_{action}", False))


def _save_uploads(files) -> tuple[list[Path], dict[Path, str]]:
    folder = Path(tempfile.mkdtemp(prefix="ledger-upload-"))
    paths, names = [], {}
    for i, uploaded in enumerate(files):
        suffix = Path(uploaded.name).suffix.lower()
        path = folder / f"upload{i}{suffix if suffix in SUFFIXES else '.bin'}"
        path.write_bytes(uploaded.getvalue())
        paths.append(path)
        names[path] = uploaded.name
    return paths, names


def _show_result(result, preview: bool) -> None:
    icon = {"loaded": "✅", "unchanged": "ℹ️", "refused": "⛔"}.get(result.status, "•")
    st.markdown(f"{icon} {fmt.text(result.message or '')}")
    if result.status == "refused":
        return
    a, b, c, d = st.columns(4)
    a.metric("读取行数", fmt.count(result.rows_read, "行"))
    b.metric("将入库" if preview else "已入库", fmt.count(result.rows_loaded, "行"))
    c.metric("跳过（标题/合计行）", fmt.count(result.rows_skipped, "行"))
    d.metric("拒绝", fmt.count(result.rows_rejected, "行"))
    for w in result.warnings:
        st.warning(fmt.text(w))
    if preview and result.preview is not None and result.preview.height:
        st.markdown("**将入库的行（前 200 行）**")
        columns = [c for c in PREVIEW_COLUMNS if c in result.preview.columns] or None  # targets/reports
        render.show_frame(result.preview.head(200), columns or result.preview.columns)
    if result.rejected:
        st.markdown("**将被拒绝的行及原因**" if preview else "**被拒绝的行及原因**")
        render.show_frame(pl.DataFrame([{"source_sheet": r.get("source_sheet"), "source_row": r.get("source_row"),
                                         "reason": r.get("reason"), "raw_values": str(r.get("raw_values"))}
                                        for r in result.rejected]),
                          ["source_sheet", "source_row", "reason", "raw_values"])


upload, history, rejected, warnings, fresh = st.tabs(["上传台账", "入库记录", "被拒绝的行", "警告", "数据新鲜度"])

with upload:
    if load_files is None:
        st.info("导入程序尚未安装：请在服务器上运行 `python -m etl load 台账文件夹`。")
    else:
        st.caption("上传各县区报送的台账。先预检：显示将入库和将被拒绝的行及原因；确认后才写入数据仓库。"
                   "同一文件重复上传不会重复入库。")
        files = st.file_uploader("选择台账文件", type=[s.lstrip(".") for s in SUFFIXES],
                                 accept_multiple_files=True, key="upload-files")
        st.button("预检（不入库）", disabled=not files, type="primary", key="upload-preview",
                  on_click=_ask, args=("preview",))
        if _asked("preview"):
            paths, names = _save_uploads(files)
            with st.spinner("正在读取台账……"):
                results = load_files(paths, db=warehouse_path(), dry_run=True, names=names)
            st.session_state[PREVIEW] = {"paths": paths, "names": names, "results": results}
        pending = st.session_state.get(PREVIEW)
        if pending:
            for result in pending["results"]:
                with st.container(border=True):
                    _show_result(result, preview=True)
            loadable = [r for r in pending["results"] if r.status != "refused"]
            if loadable:
                st.button("确认入库", type="primary", key="upload-confirm", on_click=_ask, args=("confirm",))
            if loadable and _asked("confirm"):
                with st.spinner("正在入库……"):
                    data.release()   # this process is about to write: no read connection of ours open
                    done = load_files(pending["paths"], db=warehouse_path(), names=pending["names"])
                st.session_state.pop(PREVIEW, None)
                shutil.rmtree(pending["paths"][0].parent, ignore_errors=True)
                loaded = sum(r.status == "loaded" for r in done)
                if loaded:
                    st.success(f"入库完成：{loaded} 个文件已写入数据仓库。")
                else:
                    st.warning("没有文件入库，详见下方说明。")
                for result in done:
                    with st.container(border=True):
                        _show_result(result, preview=False)

with history:
    loads = data.call(admin.load_history)
    if loads.height:
        render.show_frame(loads, admin.LOAD_HISTORY_COLUMNS)
    else:
        st.caption("还没有入库记录。")

with rejected:
    rows = data.call(admin.rejected_rows)
    st.caption(f"共 {fmt.count(data.call(admin.rejected_count), '行')}；请按原因修改来源台账后重新上传。")
    if rows.height:
        render.show_frame(rows, ["load_id", "loaded_at", "source_file", "source_sheet", "source_row", "reason",
                                 "raw_values"])

def _listing(title: str, df: pl.DataFrame, columns: list[str]) -> None:
    st.markdown(title)
    if df.height:
        render.show_frame(df, columns)
    else:
        st.caption("无")


with warnings:
    _listing("**入库警告**（合计不符、未知产业链、未知县区等）", data.call(admin.load_warnings),
             ["load_id", "file_name", "source_sheet", "warning_kind", "message"])
    _listing("**同一项目名称出现在多个县区**（共建项目、迁移项目或重复填报，请核实）", data.call(admin.duplicate_names),
             ["project_name", "districts_n", "districts", "projects", "project_codes"])

with fresh:
    df = data.call(freshness.district_freshness)
    late = df.filter(pl.col("late"))["district"].to_list()
    if late:
        st.warning("逾期未报：" + fmt.text("、".join(late)), icon=":material/schedule:")
    render.show_frame(df, ["district", "kind", "latest_as_of", "days_behind", "projects", "freshness"])
