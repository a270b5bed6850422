"""Read: a file on disk → sheets of text cells. The only module that opens ledger files.

The format is found from the content (etl/sniff.py), not the name: zip packages are checked in
etl/package.py, OLE files in etl/ole.py (and decrypted when Excel's default password is all that
protects them), text in etl/text_table.py. Spreadsheets are then read with calamine (fastexcel)
in one call per sheet, every cell as text, so that numbers keep the digits the ledger shows.
What cannot be read raises RefusedFile with a Chinese message that says what to do.

Reading may meet files hostile to calamine (a panic, an allocation that never ends); the caller
runs it in a memory-bounded child process (etl/worker.py), which is what bounds those.
"""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path

import fastexcel

from etl import ole, package
from etl.errors import RefusedFile
from etl.sniff import OLE, SPREADSHEET_SUFFIXES, SUFFIX_FORMATS, ZIP, sniff
from etl.text_table import read_csv
from etl.workbook import RawSheet, Workbook
from warehouse.settings import settings

__all__ = ["RefusedFile", "Workbook", "RawSheet", "SPREADSHEET_SUFFIXES", "read_workbook"]  # the loader's public names

FORMAT_NAMES = {"xlsx": "Excel工作簿（.xlsx）", "xls": "旧版Excel工作簿（.xls）", "xlsb": "Excel二进制工作簿（.xlsb）",
                "ods": "OpenDocument表格（.ods）", "csv": "CSV文本"}
_CALAMINE_SUFFIX = {"xlsx": (".xlsx", ".xlsm"), "xls": (".xls",), "xlsb": (".xlsb",), "ods": (".ods",)}


def _limits() -> dict[str, int]:
    s = settings()
    return {"bytes": int(s.get("ledger", "max_file_mb")) * 1024 * 1024,
            "unzipped": int(s.get("ledger", "max_uncompressed_mb")) * 1024 * 1024,
            "rows": int(s.get("ledger", "max_rows_per_sheet")),
            "columns": int(s.get("ledger", "max_columns"))}


def read_workbook(path: Path, name: str | None = None, scratch: Path | None = None) -> Workbook:
    """The sheets of the file at `path`; `name` is the name the person gave it (an upload is
    stored under another), `scratch` a folder for decrypted or rewritten copies, kept by the
    caller for as long as the workbook is used (merged ranges are read from it on demand)."""
    limits = _limits()
    try:
        stat = path.stat()
        with path.open("rb") as f:
            head = f.read(8192)
    except OSError:
        raise RefusedFile("找不到该文件或无权读取。请确认文件仍在原处，或重新选择文件上传。") from None
    if stat.st_size > limits["bytes"]:
        raise RefusedFile(f"文件大小{stat.st_size / 1024 / 1024:.1f}MB，超过上限{limits['bytes'] // 1024 // 1024}MB"
                          "（设置项 ledger.max_file_mb）。请删除多余内容或拆分后分别上传。")
    suffix = Path(name or path.name).suffix.lower()
    scratch = scratch or Path(tempfile.mkdtemp(prefix="ledger-read-"))
    kind = sniff(head)
    if kind == ZIP:
        wb = _read_package(path, limits, scratch)
    elif kind == OLE:
        wb = _read_ole(path, limits, scratch)
    else:
        wb = read_csv(path, path.read_bytes(), limits["rows"], limits["columns"])
    expected = SUFFIX_FORMATS.get(suffix)
    if expected and expected != wb.kind:
        what = "CSV文本，已按CSV读取" if wb.kind == "csv" else f"{FORMAT_NAMES[wb.kind]}，已按实际格式读取"
        wb.notes.append(f"文件扩展名为{suffix}，但内容是{what}。")
    wb.modified = datetime.fromtimestamp(stat.st_mtime)
    wb.name = name or path.name
    return wb


def _read_package(path: Path, limits: dict, scratch: Path, notes: list[str] | None = None) -> Workbook:
    pkg = package.inspect(path, limits["unzipped"])
    source = path
    if pkg.needs_rewrite:
        source = scratch / "rewritten.xlsx"
        package.rewrite(path, pkg, source)
    sheets = _read_calamine(source, pkg.kind, limits, scratch)
    notes = list(notes or [])
    if pkg.kind == "xlsx":
        notes += _uncached_formulas(source, sheets)
    return Workbook(path, pkg.kind, sheets, notes)


def _read_ole(path: Path, limits: dict, scratch: Path) -> Workbook:
    what = ole.inspect(path)
    if what == ole.ENCRYPTED:
        decrypted = scratch / "decrypted"
        ole.decrypt_default(path, decrypted)
        with decrypted.open("rb") as f:
            if sniff(f.read(8)) != ZIP:
                raise RefusedFile(ole.DAMAGED)
        return _read_package(decrypted, limits, scratch, ["文件以Excel默认密码加密，已自动解密读取。"])
    notes = []
    source = path
    if ole.is_encrypted_xls(path):
        source = scratch / "decrypted.xls"
        ole.decrypt_default(path, source)
        notes.append("文件以Excel默认密码加密，已自动解密读取。")
    return Workbook(path, "xls", _read_calamine(source, "xls", limits, scratch), notes)


def _calamine_path(source: Path, fmt: str, scratch: Path) -> Path:
    """calamine picks its reader by the file name: give it the name of what the file is."""
    if source.suffix.lower() in _CALAMINE_SUFFIX[fmt]:
        return source
    link = scratch / f"book{_CALAMINE_SUFFIX[fmt][0]}"
    if not link.exists():
        try:
            os.symlink(source.resolve(), link)
        except OSError:
            link.write_bytes(source.read_bytes())
    return link


def _unreadable(exc: BaseException) -> RefusedFile:
    if isinstance(exc, (KeyboardInterrupt, SystemExit)):
        raise exc
    text = str(exc).lower()
    if "password" in text or "encrypt" in text:
        return RefusedFile(ole.PASSWORD)
    return RefusedFile("文件已损坏或格式异常，系统无法读取其中的表格。请用Excel或WPS打开检查，"
                       "“另存为”Excel工作簿（.xlsx）后再上传。")


def _read_calamine(source: Path, fmt: str, limits: dict, scratch: Path) -> list[RawSheet]:
    path = _calamine_path(source, fmt, scratch)
    try:
        reader = fastexcel.read_excel(str(path))
        names = reader.sheet_names
    except BaseException as exc:     # calamine panics (pyo3 PanicException) are BaseExceptions
        raise _unreadable(exc) from None
    sheets = []
    for idx, name in enumerate(names):
        try:
            sheet = reader.load_sheet(idx, header_row=None, skip_rows=0, dtypes="string",
                                      skip_whitespace_tail_rows=True, whitespace_as_null=True)
            width, height, visible = sheet.width, sheet.total_height, sheet.visible == "visible"
            if width > limits["columns"]:
                raise RefusedFile(f"工作表“{name}”有{width}列，超过上限{limits['columns']}列（设置项 ledger.max_columns），"
                                  "不像是项目台账。请删除多余的列后再上传。")
            if height > limits["rows"]:
                raise RefusedFile(f"工作表“{name}”有{height}行，超过上限{limits['rows']}行"
                                  "（设置项 ledger.max_rows_per_sheet）。请删除多余的行或拆分后分别上传。")
            frame = sheet.to_polars()
        except RefusedFile:
            raise
        except BaseException as exc:
            refusal = _unreadable(exc)
            raise RefusedFile(f"工作表“{name}”无法读取：{refusal}") from None
        frame = frame.rename({c: f"c{i}" for i, c in enumerate(frame.columns)})
        sheets.append(RawSheet(name, visible, frame, _merged_reader(path, fmt, idx)))
    return sheets


def _uncached_formulas(path: Path, sheets: list[RawSheet]) -> list[str]:
    names = [s.name for i, s in enumerate(sheets) if s.visible and package.formulas_without_values(path, i)]
    if not names:
        return []
    return [f"工作表“{'、'.join(names)}”中有公式没有计算结果（文件可能由其他程序生成、未在Excel中保存过），"
            "这些单元格按空白读取。请在Excel或WPS中打开文件、保存后重新上传。"]


def _merged_reader(path: Path, fmt: str, index: int):
    if fmt == "xlsx":
        return lambda: package.merged_ranges(path, index)
    if fmt == "xls":
        return lambda: _xls_merged(path, index)
    return None                      # xlsb, ods: calamine gives no merged ranges; nothing is filled


def _xls_merged(path: Path, sheet_index: int) -> list[tuple[int, int, int, int]]:
    import xlrd

    try:
        with open(os.devnull, "w") as quiet:     # xlrd prints its warnings to stdout otherwise
            book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True, logfile=quiet,
                                      verbosity=0)
            sheet = book.sheet_by_index(sheet_index)
            return [(r1, c1, r2 - 1, c2 - 1) for r1, r2, c1, c2 in sheet.merged_cells]
    except Exception:     # xlrd cannot read every file calamine can: only the fill-down is lost
        return []

