"""CSV and other delimited text: the encoding (UTF-8, GB18030/GBK, UTF-16 with or without a
byte-order mark) and the delimiter are found from the content."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import polars as pl

from etl.errors import RefusedFile
from etl.sniff import SAVE_AS_XLSX, utf16_without_bom
from etl.workbook import RawSheet, Workbook


def _bad_line(data: bytes, encoding: str) -> int:
    """1-based line of the first byte that does not decode, for the message."""
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        return data[: exc.start].count(b"\n") + 1
    return 0


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding name for people)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", "strict"), "UTF-8"
    bomless = utf16_without_bom(data)
    try:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16"), "UTF-16"
        if bomless:
            return data.decode(bomless), "UTF-16"
    except UnicodeDecodeError:
        raise RefusedFile("CSV文件的UTF-16文字编码不完整（文件可能被截断）。" + SAVE_AS_XLSX) from None
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "GB18030"
    except UnicodeDecodeError:
        line = _bad_line(data, "gb18030")
        raise RefusedFile(f"CSV文件的文字编码无法识别（既不是UTF-8也不是GBK/GB18030，第{line}行有无法识别的字节，"
                          "文件可能被截断或混入了其他编码的内容）。" + SAVE_AS_XLSX) from None


def read_csv(path: Path, data: bytes, max_rows: int, max_columns: int) -> Workbook:
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) \
            and not utf16_without_bom(data):
        raise RefusedFile("文件既不是文本表格（CSV），也不是Excel工作簿，无法读取。请确认上传的是台账文件（.xlsx或.csv）。")
    text, encoding = decode_text(data)
    try:
        delimiter = csv.Sniffer().sniff(text[:8192], delimiters=",\t;|").delimiter
    except csv.Error:
        delimiter = ","
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error:
        raise RefusedFile("CSV文件格式有误（引号不成对或含有异常字符），无法按表格读取。" + SAVE_AS_XLSX) from None
    if len(rows) > max_rows:
        raise RefusedFile(f"CSV文件有{len(rows)}行，超过上限{max_rows}行（设置项 ledger.max_rows_per_sheet）。"
                          "请拆分后分别上传。")
    width = max((len(r) for r in rows), default=0)
    if width > max_columns:
        raise RefusedFile(f"CSV文件有{width}列，超过上限{max_columns}列（设置项 ledger.max_columns），不像是项目台账。"
                          "请删除多余的列后再上传。")
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    columns = {f"c{i}": [(r[i].strip() or None) if i < len(r) else None for r in rows] for i in range(width)}
    frame = pl.DataFrame(columns, schema={c: pl.String for c in columns})
    wb = Workbook(path, "csv", [RawSheet(path.stem, True, frame, None)])
    if encoding != "UTF-8":
        wb.notes.append(f"CSV文件编码为{encoding}，已自动识别。")
    return wb
