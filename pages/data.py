"""数据管理: upload ledgers (preview first), 填报与审核 (a district submits, the city accepts or
returns), the load history, rejected rows, warnings, freshness and the blank ledger template.

A district account writes only its own districts (etl.load with its district codes): rows of any
other district are rejected with the reason, nothing of another district changes. Unless the
settings say accounts.district_direct_load, its files wait for the city's review.
"""

import importlib
import shutil
import tempfile
from pathlib import Path

import polars as pl
import streamlit as st

from etl.load import file_hash, load_files
from etl.read import SPREADSHEET_SUFFIXES as SUFFIXES
from report import format as fmt
from ui import auth, data, render
from ui.page import tool
from warehouse import accounts, admin, freshness, submissions
from warehouse.db import writing
from warehouse.settings import settings, warehouse_path

PREVIEW = "_upload_preview"
DONE = "_upload_done"          # what 确认入库 / 提交审核 did, shown once
PREVIEW_COLUMNS = ["source_sheet", "source_row", "project_name", "district", "chain", "investor",
                   "total_investment_wan", "investment_note", "stage", "sign_date", "start_date",
                   "production_date", "period", "batch", "location_approximate"]
REJECTED_COLUMNS = ["source_sheet", "source_row", "reason", "raw_values"]
RESULT_MARK = {"loaded": "【已入库】", "unchanged": "【未改动】", "refused": "【未入库】"}

account = tool("data")
status = data.status()
if status["empty"]:
    st.info("尚无数据：请先导入台账", icon=":material/upload_file:")
    st.markdown(data.START_TEXT)
else:
    c1, c2, c3 = st.columns(3)
    c1.metric("项目数", fmt.count(status["projects"]), border=True)
    c2.metric("入库记录", fmt.count(status["loads"], "次"), border=True)
    c3.metric("最新台账日期", fmt.day(status["newest_as_of"]), border=True)


REVIEWS = account.role == "district" and not settings().get("accounts", "district_direct_load")
SCOPE = account.districts or None          # a city's account in a province deployment too


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
        path = folder / f"upload{i}{suffix if suffix in SUFFIXES else '.bin'}"   # the loader reads by content
        path.write_bytes(uploaded.getvalue())
        paths.append(path)
        names[path] = uploaded.name
    return paths, names


def _load(paths, names, *, dry_run: bool, districts=SCOPE):
    data.release()   # this process may write: no read connection of ours open
    return load_files(paths, db=warehouse_path(), dry_run=dry_run, names=names, user=account.login,
                      districts=districts)


def _rejected_frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame([{c: (str(r.get(c)) if c == "raw_values" else r.get(c)) for c in REJECTED_COLUMNS}
                         for r in rows], schema={"source_sheet": pl.String, "source_row": pl.Int64,
                                                 "reason": pl.String, "raw_values": pl.String})


def _show_result(result, preview: bool) -> None:
    st.markdown(f"**{RESULT_MARK.get(result.status, '')}** {fmt.text(result.message or '')}")
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
        columns = [c for c in PREVIEW_COLUMNS if c in result.preview.columns] or result.preview.columns
        render.show_frame(result.preview.head(200), columns)
    if result.rejected:
        st.markdown("**将被拒绝的行及原因**" if preview else "**被拒绝的行及原因**")
        render.show_frame(_rejected_frame(result.rejected), REJECTED_COLUMNS)


def _audit_loads(results, how: str) -> None:
    for r in results:
        if r.status in ("loaded", "refused"):
            auth.record("load" if r.status == "loaded" else "refuse", f"{how}：{r.message}", account=account, ok=r.status == "loaded")


def _submit(pending: dict) -> list:
    """Keep each usable file for the city's review (a district account)."""
    data.release()
    for path, result in zip(pending["paths"], pending["results"]):
        if result.status == "refused":
            continue
        with writing(warehouse_path()) as con:
            sid = submissions.add(con, warehouse_path(), account.login, account.districts, path, pending["names"][path],
                                  file_hash(path), result.message or "", result.rejected)
        auth.record("submit", f"提交审核（第{sid}号）：{pending['names'][path]}", account=account)
    return []


def _upload_tab() -> None:
    where = "、".join(data.call(accounts.district_names, SCOPE)) if SCOPE else ""
    st.caption("上传各县区报送的台账。先预检：显示将入库和将被拒绝的行及原因；确认后才写入数据仓库。同一文件重复上传不会重复入库。"
               + (f"本账号只能报送{where}的项目，其他县区的行将被拒绝。" if where else ""))
    # any file: the loader reads by content and refuses in Chinese what it cannot use (a browser-side
    # type check would refuse a .xlsx named .xls, and in English)
    files = st.file_uploader("选择台账文件（Excel、WPS表格、CSV）", type=None, accept_multiple_files=True,
                             key="upload-files")
    _show_done()
    st.button("预检（不入库）", disabled=not files, type="primary", key="upload-preview", on_click=_ask, args=("preview",))
    if _asked("preview") and files:
        paths, names = _save_uploads(files)
        with st.spinner("正在读取台账……"):
            st.session_state[PREVIEW] = {"paths": paths, "names": names, "results": _load(paths, names, dry_run=True)}
    pending = st.session_state.get(PREVIEW)
    if not pending:
        return
    for result in pending["results"]:
        with st.container(border=True):
            _show_result(result, preview=True)
    if not [r for r in pending["results"] if r.status != "refused"]:
        return
    label = "提交审核" if REVIEWS else "确认入库"
    st.button(label, type="primary", key="upload-confirm", on_click=_act, args=(pending,))


def _act(pending: dict) -> None:
    """确认入库 / 提交审核, done before the page is drawn again: the numbers at the top of the page
    and the tabs below already include the new load, and the preview gives way to the result."""
    st.session_state.pop(PREVIEW, None)
    st.session_state[DONE] = ("submitted", _submit(pending)) if REVIEWS else ("loaded", _confirm(pending))
    shutil.rmtree(pending["paths"][0].parent, ignore_errors=True)


def _show_done() -> None:
    done = st.session_state.pop(DONE, None)
    if done is None:
        return
    what, results = done
    if what == "submitted":
        st.success("已提交市级审核：审核结果和意见将显示在“我的提交”中。", icon=":material/send:")
        return
    loaded = sum(r.status == "loaded" for r in results)
    if loaded:
        st.success(f"入库完成：{loaded} 个文件已写入数据仓库。")
    else:
        st.warning("没有文件入库，详见下方说明。")
    for result in results:
        with st.container(border=True):
            _show_result(result, preview=False)


def _confirm(pending: dict) -> list:
    done = _load(pending["paths"], pending["names"], dry_run=False)
    _audit_loads(done, "上传入库")
    return done


def _review_tab() -> None:
    """待审核: the districts' files; preview one, then 入库 or 退回 with a comment."""
    waiting = data.call(submissions.listing, submissions.PENDING)
    if waiting.height == 0:
        st.caption("没有待审核的台账。")
        return
    render.show_frame(waiting, ["submission_id", "submitted_at", "login", "district_names", "file_name", "summary"])
    chosen = st.selectbox("审核哪一份", waiting["submission_id"].to_list(), key="review-id", placeholder="请选择",
                          format_func=lambda i: f"第{i}号：{waiting.filter(pl.col('submission_id') == i)['file_name'][0]}")
    sub = data.call(submissions.get, chosen)
    path = Path(sub["stored_path"])
    previews = st.session_state.setdefault("_review_previews", {})
    if chosen not in previews:          # parsed once per submission, not on every click
        previews[chosen] = _load([path], {path: sub["file_name"]}, dry_run=True, districts=tuple(sub["districts"]))
    for result in previews[chosen]:
        with st.container(border=True):
            _show_result(result, preview=True)
    comment = st.text_area("审核意见（退回时必填，县区可见）", key="review-comment", max_chars=1000)
    left, right = st.columns(2)
    left.button("入库", type="primary", key="review-accept", on_click=_ask, args=("accept",))
    right.button("退回", key="review-return", on_click=_ask, args=("return",))
    if _asked("accept"):
        _accept(sub, path, comment)
    if _asked("return"):
        _return(sub, comment)


def _accept(sub: dict, path: Path, comment: str) -> None:
    (result,) = _load([path], {path: sub["file_name"]}, dry_run=False, districts=tuple(sub["districts"]))
    _audit_loads([result], f"审核入库第{sub['submission_id']}号")
    if result.status == "refused":
        st.error(fmt.text(result.message))
        return
    with writing(warehouse_path()) as con:
        submissions.review(con, sub["submission_id"], submissions.ACCEPTED, account.login, comment, result.load_id)
    auth.record("accept", f"第{sub['submission_id']}号 {sub['file_name']} 审核入库", account=account,
                districts=tuple(sub["districts"]))
    st.success(f"第{sub['submission_id']}号已入库：{fmt.text(result.message)}")


def _return(sub: dict, comment: str) -> None:
    if not comment.strip():
        st.error("退回时请填写审核意见，说明需要县区修改什么。")
        return
    data.release()
    with writing(warehouse_path()) as con:
        submissions.review(con, sub["submission_id"], submissions.RETURNED, account.login, comment.strip())
    auth.record("return", f"第{sub['submission_id']}号 {sub['file_name']} 退回：{comment.strip()}", account=account,
                districts=tuple(sub["districts"]))
    st.success(f"第{sub['submission_id']}号已退回，县区将在“我的提交”中看到意见。")


def _submissions_tab() -> None:
    mine = data.call(submissions.listing)
    if mine.height == 0:
        st.caption("还没有提交记录。")
        return
    render.show_frame(mine, list(submissions.COLUMNS))
    for row in mine.filter(pl.col("submission_status") == submissions.RETURNED).iter_rows(named=True):
        with st.expander(f"第{row['submission_id']}号（已退回）：{row['file_name']}"):
            st.warning(f"审核意见：{fmt.text(row['comment'] or '')}", icon=":material/undo:")
            rejected = submissions.rejected_rows(data.call(submissions.get, row["submission_id"]))
            if rejected:
                render.show_frame(_rejected_frame(rejected), REJECTED_COLUMNS)


def _listing(title: str, df: pl.DataFrame, columns: list[str]) -> None:
    st.markdown(title)
    if df.height:
        render.show_frame(df, columns)
    else:
        st.caption("无")


def _template_button(writer: str, file_name: str, label: str, key: str, help_text: str) -> None:
    def make() -> bytes:
        module, name = writer.rsplit(".", 1)
        folder = Path(tempfile.mkdtemp(prefix="template-"))
        try:
            return getattr(importlib.import_module(module), name)(folder / "模板.xlsx").read_bytes()
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    st.download_button(label, data=make, file_name=file_name, key=key,
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", on_click="ignore",
                       icon=":material/download:", help=help_text)


def _template_buttons() -> None:
    left, right = st.columns(2)
    with left:
        _template_button("etl.template.write_template", "招商引资项目台账模板.xlsx", "下载空白台账模板", "template",
                         "带下拉选项和填报说明的空白台账：县区按此填报最省事")
    with right:
        _template_button("etl.six_template.write_six_template", "六职招商情况模板.xlsx", "下载“六职”招商空白模板",
                         "six-template", "外出招商、接待客商、包抓项目三张表，带下拉选项和填报说明")


names = ["上传台账", *(["待审核"] if account.may_review else []), "我的提交" if account.role == "district" else "提交记录",
         "入库记录", "被拒绝的行", "警告", "数据新鲜度"]
tabs = dict(zip(names, st.tabs(names)))
with tabs["上传台账"]:
    _template_buttons()
    _upload_tab()
if "待审核" in tabs:
    with tabs["待审核"]:
        _review_tab()
with tabs[names[2 if account.may_review else 1]]:
    _submissions_tab()
with tabs["入库记录"]:
    _listing("", data.call(admin.load_history), list(admin.LOAD_HISTORY_COLUMNS))
with tabs["被拒绝的行"]:
    st.caption(f"共 {fmt.count(data.call(admin.rejected_count), '行')}；请按原因修改来源台账后重新上传。")
    _listing("", data.call(admin.rejected_rows), ["load_id", "loaded_at", "source_file", "source_sheet", "source_row",
                                                  "reason", "raw_values"])
with tabs["警告"]:
    _listing("**入库警告**（合计不符、未知产业链、未知县区等）", data.call(admin.load_warnings),
             ["load_id", "file_name", "source_sheet", "warning_kind", "message"])
    _listing("**同一项目名称出现在多个县区**（共建项目、迁移项目或重复填报，请核实）", data.call(admin.duplicate_names),
             ["project_name", "districts_n", "districts", "projects", "project_codes"])
with tabs["数据新鲜度"]:
    df = data.call(freshness.district_freshness)
    late = df.filter(pl.col("late"))["district"].to_list()
    if late:
        st.warning("逾期未报：" + fmt.text("、".join(late)), icon=":material/schedule:")
    render.show_frame(df, ["district", "kind", "latest_as_of", "days_behind", "projects", "freshness"])
