"""What a file is, from its first bytes, whatever its name says.

Districts rename files (a real .xlsx saved as .xls, a CSV called .xlsx), so the reader is chosen
by content: a zip package (xlsx/xlsm/xlsb/ods, told apart in etl/package.py), an OLE compound file
(xls, WPS .et, or an encrypted workbook, in etl/ole.py), or text (CSV). Everything else is
refused here with what the file really is and what to send instead.
"""

from __future__ import annotations

from etl.errors import RefusedFile

ZIP, OLE, TEXT = "zip", "ole", "text"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# suffix → the format a file of that name usually is (the content decides what is read)
SUFFIX_FORMATS = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xltx": "xlsx", ".xltm": "xlsx",
                  ".xls": "xls", ".xlt": "xls", ".et": None, ".ett": None,        # WPS: OLE or zip
                  ".xlsb": "xlsb", ".ods": "ods", ".csv": "csv"}
SPREADSHEET_SUFFIXES = set(SUFFIX_FORMATS)
SAVE_AS_XLSX = "请用Excel或WPS打开后“另存为”Excel工作簿（.xlsx）再上传。"

# (magic prefix, what it is): files people attach by mistake
_OTHER_FORMATS = (
    (b"%PDF", "PDF文档"),
    (b"\x89PNG", "图片（PNG）"), (b"\xff\xd8\xff", "图片（JPEG）"), (b"GIF8", "图片（GIF）"),
    (b"Rar!", "RAR压缩包"), (b"7z\xbc\xaf\x27\x1c", "7z压缩包"), (b"\x1f\x8b", "gz压缩包"),
    (b"{\\rtf", "RTF文档（Word）"),
    (b"\x09\x00\x04\x00", "Excel 2.x 旧格式工作表"), (b"\x09\x02\x06\x00", "Excel 3.0 旧格式工作表"),
    (b"\x09\x04\x06\x00", "Excel 4.0 旧格式工作表"),
)


def sniff(head: bytes) -> str:
    """ZIP, OLE or TEXT for the first bytes of a file; RefusedFile for anything else."""
    if not head:
        raise RefusedFile("文件是空的（0字节），可能保存或拷贝时出错。请重新导出台账后再上传。")
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return ZIP
    if head.startswith(OLE_MAGIC):
        return OLE
    for magic, what in _OTHER_FORMATS:
        if head.startswith(magic):
            raise RefusedFile(f"该文件实际是{what}，不是Excel工作簿或CSV表格。请上传台账的Excel文件（.xlsx）；"
                              + ("压缩包请先解压。" if "压缩包" in what else SAVE_AS_XLSX))
    if utf16_without_bom(head):
        return TEXT
    lower = head[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lower.startswith((b"<!doctype html", b"<html")) or b"<table" in lower:
        raise RefusedFile("该文件实际是网页（HTML）格式，不是Excel工作簿。" + SAVE_AS_XLSX)
    if lower.startswith(b"<?xml"):
        what = ("“XML电子表格2003”格式" if b"excel.sheet" in lower or b"office:spreadsheet" in head.lower()
                else "XML格式")
        raise RefusedFile(f"该文件是{what}，不是Excel工作簿。" + SAVE_AS_XLSX)
    return TEXT


def utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' for text saved as UTF-16 without a byte-order mark (some exports
    do): every other byte is NUL in the ASCII parts (digits, commas, tabs, line breaks)."""
    sample = head[:4096]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.3 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.3 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None
