"""Zip packages: xlsx/xlsm (OOXML, transitional or strict), xlsb and ods, checked before calamine
reads them, and the merged ranges of an xlsx sheet.

Real packages are not always laid out as Excel lays them out: members named with `\\`, the
workbook part somewhere else than xl/workbook.xml (its place is in _rels/.rels), minimal packages
without docProps or styles. Paths are therefore always found through the relationships, never
assumed. calamine finds the workbook's folder from _rels/.rels but expects the part to be called
workbook.xml; a package whose workbook part has another name is rewritten (in a temporary file)
with only that part and its relationships renamed.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from etl.errors import RefusedFile
from etl.workbook import Merge

_REL_RE = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_ATTR_RE = re.compile(rb'(\w+)\s*=\s*"([^"]*)"')
_MERGE_RE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
_DIMENSION_RE = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)\d+')
_SHEET_RE = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_UNCACHED_RE = re.compile(rb"<(?:\w+:)?f\b[^>]*(?:/>|>[^<]*</(?:\w+:)?f>)\s*(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>")
_ODS_MIMETYPES = (b"application/vnd.oasis.opendocument.spreadsheet",
                  b"application/vnd.oasis.opendocument.spreadsheet-template")
CORRUPT = "文件已损坏（不是完整的Excel压缩包），可能是下载或拷贝不完整。请重新导出或重新拷贝原文件后再上传。"


@dataclass
class Package:
    kind: str                  # xlsx / xlsb / ods
    workbook: str | None       # the workbook part (xlsx, xlsb), as named in the zip
    needs_rewrite: bool        # calamine cannot find the workbook part where it is


def _norm(name: str) -> str:
    return name.replace("\\", "/").lstrip("/")


def _members(z: zipfile.ZipFile) -> dict[str, str]:
    """Normalised lower-case name → the name as stored."""
    return {_norm(n).lower(): n for n in z.namelist()}


def relationships(z: zipfile.ZipFile, members: dict[str, str], part: str) -> list[dict[str, str]]:
    """The relationships of a part ('' for the package), targets resolved to member names."""
    folder, base = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", f"{base}.rels")
    stored = members.get(rels_name.lower())
    if stored is None:
        return []
    out = []
    for rel in _REL_RE.findall(z.read(stored)):
        attrs = {k.decode(): v.decode("utf-8", "replace") for k, v in _ATTR_RE.findall(rel)}
        target = attrs.get("Target", "").replace("\\", "/")
        if attrs.get("TargetMode") == "External" or not target:
            continue
        resolved = posixpath.normpath(target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target))
        out.append({"id": attrs.get("Id", ""), "type": attrs.get("Type", ""), "target": resolved})
    return out


def inspect(path: Path, max_unzipped: int) -> Package:
    """What the zip holds; RefusedFile when it is no spreadsheet, is damaged or unpacks too large."""
    try:
        with zipfile.ZipFile(path) as z:
            total = sum(i.file_size for i in z.infolist())
            if total > max_unzipped:
                raise RefusedFile(f"文件解压后达{total / 1024 / 1024:.0f}MB，超过上限{max_unzipped // 1024 // 1024}MB"
                                  "（设置项 ledger.max_uncompressed_mb），可能含有大量空白格式、图片或异常内容。"
                                  "请删除多余内容、只保留台账工作表后另存为.xlsx再上传。")
            return _classify(z, _members(z))
    except zipfile.BadZipFile:
        raise RefusedFile(CORRUPT) from None
    except (OSError, EOFError, zlib.error, KeyError, ValueError, NotImplementedError):
        raise RefusedFile(CORRUPT) from None


def _classify(z: zipfile.ZipFile, members: dict[str, str]) -> Package:
    if "mimetype" in members:
        mimetype = z.read(members["mimetype"]).strip()
        if mimetype in _ODS_MIMETYPES:
            if "meta-inf/manifest.xml" in members and b"encryption-data" in z.read(members["meta-inf/manifest.xml"]):
                raise RefusedFile("文件设置了打开密码，系统无法读取。请在WPS或LibreOffice中取消密码后另存为.xlsx再上传。")
            return Package("ods", None, False)
        if b"opendocument" in mimetype:
            raise RefusedFile("这是文字处理或演示文档（OpenDocument），不是电子表格。请上传台账的Excel文件（.xlsx）。")
    office = [r["target"] for r in relationships(z, members, "") if r["type"].endswith("/officeDocument")]
    workbook = next((t for t in office if t.lower() in members), None)
    if workbook is None and "xl/workbook.xml" in members:
        workbook = "xl/workbook.xml"             # no package relationships: the usual place
    if workbook is None:
        if any(n.startswith(("word/", "ppt/")) for n in members):
            raise RefusedFile("这是Word或PowerPoint文件，不是Excel工作簿。请上传台账的Excel文件（.xlsx）。")
        raise RefusedFile("这是一个普通压缩包，里面没有Excel工作簿。请解压后上传其中的台账文件（.xlsx）。")
    lowered = workbook.lower()
    if lowered.startswith(("word/", "ppt/")):
        raise RefusedFile("这是Word或PowerPoint文件，不是Excel工作簿。请上传台账的Excel文件（.xlsx）。")
    if lowered.endswith(".bin"):
        return Package("xlsb", members[lowered], False)
    return Package("xlsx", members[lowered], posixpath.basename(lowered) != "workbook.xml")


def rewrite(path: Path, package: Package, out: Path) -> None:
    """Copy the package with its workbook part (and the part's relationships) renamed to
    workbook.xml in the same folder, where calamine looks for it; all else unchanged."""
    folder, base = posixpath.split(_norm(package.workbook))
    renames = {_norm(package.workbook).lower(): posixpath.join(folder, "workbook.xml"),
               posixpath.join(folder, "_rels", f"{base}.rels").lower(): posixpath.join(folder, "_rels", "workbook.xml.rels")}
    old_ref, new_ref = base.encode(), b"workbook.xml"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for info in src.infolist():
            name = _norm(info.filename)
            data = src.read(info.filename)
            if name.lower() in ("_rels/.rels", "[content_types].xml"):
                data = data.replace(old_ref, new_ref)
            dst.writestr(renames.get(name.lower(), name), data)


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


def _sheet_xml(z: zipfile.ZipFile, sheet_index: int) -> str | None:
    """The member holding one worksheet, found through the workbook's relationships."""
    members = _members(z)
    package = _classify(z, members)
    if package.kind != "xlsx":
        return None
    sheets = _SHEET_RE.findall(z.read(package.workbook))
    if sheet_index >= len(sheets):
        return None
    attrs = {k.split(b":")[-1]: v for k, v in re.findall(rb'([\w:]+)\s*=\s*"([^"]*)"', sheets[sheet_index])}
    rid = attrs.get(b"id", b"").decode()
    target = next((r["target"] for r in relationships(z, members, _norm(package.workbook)) if r["id"] == rid), None)
    return members.get(target.lower()) if target else None


def merged_ranges(path: Path, sheet_index: int) -> list[Merge]:
    """Merged ranges of one sheet from the xlsx XML (openpyxl would parse every cell)."""
    with zipfile.ZipFile(path) as z:
        member = _sheet_xml(z, sheet_index)
        if member is None:
            return []
        xml = z.read(member)
    dim = _DIMENSION_RE.search(xml[:4096])
    col_offset = _col_index(dim.group(1)) if dim else 0
    return [(int(r1) - 1, _col_index(c1) - col_offset, int(r2) - 1, _col_index(c2) - col_offset)
            for c1, r1, c2, r2 in _MERGE_RE.findall(xml)]


def formulas_without_values(path: Path, sheet_index: int, budget: int = 2 << 20) -> bool:
    """Does the sheet have formula cells with no stored result (a file written by a program and
    never saved in Excel, whose formulas read as empty)? Only the first `budget` bytes are looked
    at: a formula column shows in the first rows."""
    with zipfile.ZipFile(path) as z:
        member = _sheet_xml(z, sheet_index)
        if member is None:
            return False
        with z.open(member) as f:
            head = f.read(budget)
    return bool(_UNCACHED_RE.search(head))
