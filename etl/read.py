"""Read: a file on disk → sheets of text cells. The only module that opens ledger files.

Spreadsheets are read with calamine (fastexcel) in one call per sheet, every cell as text, so
that numbers keep the digits the ledger shows. What cannot be read raises RefusedFile with a
Chinese message that says what to do.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import fastexcel
import polars as pl

from warehouse.settings import settings

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".csv"}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")
_MERGE_RE = re.compile(rb'<mergeCell\s+ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
_DIMENSION_RE = re.compile(rb'<dimension\s+ref="([A-Z]+)\d+')


class RefusedFile(Exception):
    """A file that cannot be used. The message is for people (Chinese)."""


@dataclass
class RawSheet:
    name: str
    visible: bool
    frame: pl.DataFrame                   # all columns text, one row per sheet row from row 1
    merged: "callable | None" = None      # lazily: [(row1, col1, row2, col2)] 0-based, frame coords


@dataclass
class Workbook:
    path: Path
    kind: str                             # xlsx / xls / csv
    sheets: list[RawSheet]
    notes: list[str] = field(default_factory=list)


def _limits() -> tuple[int, int, int]:
    s = settings()
    return (int(s.get("ledger", "max_file_mb")) * 1024 * 1024,
            int(s.get("ledger", "max_uncompressed_mb")) * 1024 * 1024,
            int(s.get("ledger", "max_rows_per_sheet")))


def _check_width(name: str, width: int) -> None:
    limit = int(settings().get("ledger", "max_columns"))
    if width > limit:
        raise RefusedFile(f"工作表“{name}”有{width}列，超过上限{limit}列（设置项 ledger.max_columns），"
                          "不像是项目台账。请删除多余的列后再上传。")


def sniff_kind(path: Path, head: bytes) -> str:
    if not head:
        raise RefusedFile("文件是空的（0字节），请重新导出后再上传。")
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(_OLE_MAGIC):
        return "ole"
    lower = head[:512].lstrip().lower()
    if lower.startswith(b"<!doctype html") or lower.startswith(b"<html") or b"<table" in lower:
        raise RefusedFile("该文件实际是网页（HTML）格式，不是Excel工作簿。请用Excel或WPS打开后“另存为”.xlsx再上传。")
    if lower.startswith(b"<?xml"):
        raise RefusedFile("该文件是XML格式（可能是“XML电子表格2003”），请用Excel或WPS打开后“另存为”.xlsx再上传。")
    return "text"


def read_workbook(path: Path) -> Workbook:
    max_bytes, max_unzipped, max_rows = _limits()
    try:
        size = path.stat().st_size
    except OSError:
        raise RefusedFile("找不到该文件或无权读取。") from None
    if size > max_bytes:
        raise RefusedFile(f"文件大小{size / 1024 / 1024:.1f}MB，超过上限{max_bytes // 1024 // 1024}MB"
                          "（设置项 ledger.max_file_mb）。请拆分后分别上传。")
    with path.open("rb") as f:
        head = f.read(8192)
    kind = sniff_kind(path, head)
    if kind == "zip":
        _check_xlsx_zip(path, max_unzipped)
        return Workbook(path, "xlsx", _read_calamine(path, max_rows, xlsx=True))
    if kind == "ole":
        with path.open("rb") as f:
            data = f.read(min(size, 4 * 1024 * 1024))
        if _ENCRYPTED_MARK in data:
            raise RefusedFile("文件设置了打开密码，系统无法读取。请在Excel或WPS中取消密码（文件→信息→保护工作簿）后再上传。")
        return Workbook(path, "xls", _read_calamine(path, max_rows, xlsx=False))
    wb = _read_csv(path, max_rows)
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        wb.notes.append(f"文件扩展名为{path.suffix}，但内容是CSV文本，已按CSV读取。")
    return wb


def _check_xlsx_zip(path: Path, max_unzipped: int) -> None:
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            if "xl/workbook.xml" not in names:
                if "word/document.xml" in names or "ppt/presentation.xml" in names:
                    raise RefusedFile("这是Word或PowerPoint文件，不是Excel工作簿。请上传台账的.xlsx文件。")
                raise RefusedFile("文件不是有效的Excel工作簿（压缩包中没有工作簿内容）。")
            total = sum(i.file_size for i in z.infolist())
    except zipfile.BadZipFile:
        raise RefusedFile("文件已损坏（不是完整的.xlsx压缩包），可能是下载或拷贝不完整。请重新导出后上传。") from None
    if total > max_unzipped:
        raise RefusedFile(f"文件解压后达{total / 1024 / 1024:.0f}MB，超过上限{max_unzipped // 1024 // 1024}MB"
                          "（设置项 ledger.max_uncompressed_mb），可能含有大量空白格式或异常内容。")


def _read_calamine(path: Path, max_rows: int, *, xlsx: bool) -> list[RawSheet]:
    try:
        reader = fastexcel.read_excel(str(path))
        names = reader.sheet_names
    except Exception as exc:  # calamine reports corrupt files in many ways
        text = str(exc).lower()
        if "password" in text or "encrypt" in text:
            raise RefusedFile("文件设置了密码保护，系统无法读取。请取消密码后再上传。") from None
        raise RefusedFile("文件已损坏或不是可读取的Excel工作簿，请用Excel或WPS打开检查后重新保存上传。") from None
    sheets = []
    for idx, name in enumerate(names):
        try:
            sheet = reader.load_sheet(idx, header_row=None, skip_rows=0, dtypes="string",
                                      skip_whitespace_tail_rows=True, whitespace_as_null=True)
            _check_width(name, sheet.width)
            if sheet.total_height > max_rows:
                raise RefusedFile(f"工作表“{name}”有{sheet.total_height}行，超过上限{max_rows}行"
                                  "（设置项 ledger.max_rows_per_sheet）。")
            frame = sheet.to_polars()
            visible = sheet.visible == "visible"
        except RefusedFile:
            raise
        except Exception:
            raise RefusedFile(f"工作表“{name}”无法读取（文件可能已损坏），请用Excel或WPS打开检查后重新保存上传。") from None
        frame = frame.rename({c: f"c{i}" for i, c in enumerate(frame.columns)})
        merged = (lambda i=idx: _xlsx_merged(path, i)) if xlsx else (lambda i=idx: _xls_merged(path, i))
        sheets.append(RawSheet(name, visible, frame, merged))
    return sheets


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


def _xlsx_merged(path: Path, sheet_index: int) -> list[tuple[int, int, int, int]]:
    """Merged ranges of one sheet from the xlsx XML (openpyxl would parse every cell)."""
    with zipfile.ZipFile(path) as z:
        wb = z.read("xl/workbook.xml")
        rels = z.read("xl/_rels/workbook.xml.rels")
        rids = re.findall(rb'<sheet\b[^>]*?r:id="([^"]+)"', wb) or re.findall(rb'<sheet\b[^>]*?id="([^"]+)"', wb)
        if sheet_index >= len(rids):
            return []
        rid = rids[sheet_index]
        target = None
        for rel in re.findall(rb"<Relationship\b[^>]*>", rels):
            if re.search(rb'Id="' + re.escape(rid) + rb'"', rel):
                m = re.search(rb'Target="([^"]+)"', rel)
                target = m.group(1).decode() if m else None
        if not target:
            return []
        target = target.lstrip("/")
        member = target if target.startswith("xl/") else f"xl/{target}"
        xml = z.read(member)
    dim = _DIMENSION_RE.search(xml[:4096])
    col_offset = _col_index(dim.group(1)) if dim else 0
    return [(int(r1) - 1, _col_index(c1) - col_offset, int(r2) - 1, _col_index(c2) - col_offset)
            for c1, r1, c2, r2 in _MERGE_RE.findall(xml)]


def _xls_merged(path: Path, sheet_index: int) -> list[tuple[int, int, int, int]]:
    try:
        import xlrd

        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
        sheet = book.sheet_by_index(sheet_index)
        return [(r1, c1, r2 - 1, c2 - 1) for r1, r2, c1, c2 in sheet.merged_cells]
    except Exception:
        return []


def decode_text(data: bytes) -> tuple[str, str]:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8"), "UTF-8"
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return data.decode("utf-16"), "UTF-16"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "GB18030"
    except UnicodeDecodeError:
        raise RefusedFile("CSV文件的文字编码无法识别（既不是UTF-8也不是GBK/GB18030）。"
                          "请用Excel或WPS打开后另存为.xlsx再上传。") from None


def _read_csv(path: Path, max_rows: int) -> Workbook:
    data = path.read_bytes()
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise RefusedFile("文件不是文本表格，也不是Excel工作簿，无法读取。请确认上传的是台账文件。")
    text, encoding = decode_text(data)
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if len(rows) > max_rows:
        raise RefusedFile(f"CSV文件有{len(rows)}行，超过上限{max_rows}行（设置项 ledger.max_rows_per_sheet）。")
    width = max((len(r) for r in rows), default=0)
    _check_width(path.name, width)
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    columns = {f"c{i}": [(r[i].strip() or None) if i < len(r) else None for r in rows] for i in range(width)}
    frame = pl.DataFrame(columns, schema={c: pl.String for c in columns})
    wb = Workbook(path, "csv", [RawSheet(path.stem, True, frame, None)])
    if encoding != "UTF-8":
        wb.notes.append(f"CSV文件编码为{encoding}，已自动识别。")
    return wb
