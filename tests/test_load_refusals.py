"""Files that cannot be used are refused with a Chinese message and change no data."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pytest

from etl.load import load_files
from warehouse_fixture import snapshot
from warehouse import db as wdb


def good_ledger(path: Path, name: str = "已有项目") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["项目名称", "所属县区", "总投资（万元）", "项目状态"])
    ws.append([name, "郾城区", 100, "签约"])
    wb.save(path)
    return path


@pytest.fixture()
def warehouse(tmp_path):
    db = tmp_path / "w.duckdb"
    [r] = load_files([good_ledger(tmp_path / "郾城区2024年05月.xlsx")], db=db)
    assert r.status == "loaded"
    return db


def _xlsx_bytes() -> bytes:
    buf = io.BytesIO()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["项目名称", "所属县区", "总投资（万元）", "项目状态"])
    for i in range(200):
        ws.append([f"项目{i}", "郾城区", i, "签约"])
    wb.save(buf)
    return buf.getvalue()


def make_encrypted(path: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = path.with_suffix(".plain.xlsx")
    plain.write_bytes(_xlsx_bytes())
    with plain.open("rb") as f, path.open("wb") as out:
        OOXMLFile(f).encrypt("123456", out)
    plain.unlink()


def make_docx(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")


def make_not_a_ledger(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["月份", "销售额", "利润"])
    ws.append(["1月", 100, 10])
    wb.save(path)


CASES = {
    "空文件.xlsx": (lambda p: p.write_bytes(b""), "空的"),
    "截断.xlsx": (lambda p: p.write_bytes(_xlsx_bytes()[:3000]), "损坏"),
    "乱码.xlsx": (lambda p: p.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4), "损坏"),
    "加密.xlsx": (make_encrypted, "密码"),
    "文档.xlsx": (make_docx, "Word"),
    "网页.xls": (lambda p: p.write_bytes("<html><table><tr><td>项目名称</td></tr></table></html>".encode()), "网页"),
    "编码.csv": (lambda p: p.write_bytes(b"\xff\xfe\xfd,\x81\x20\n\x80,1\n"), "编码"),
    "二进制.csv": (lambda p: p.write_bytes(b"\x00\x01\x02" * 100), "不是文本表格"),
    "不是台账.xlsx": (make_not_a_ledger, "没有找到项目台账"),
    "说明.txt": (lambda p: p.write_text("hello"), "不支持的文件类型"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_refused_with_reason_and_nothing_changes(warehouse, tmp_path, name):
    make, words = CASES[name]
    path = tmp_path / name
    make(path)
    before = snapshot(warehouse)
    [r] = load_files([path], db=warehouse)
    assert r.status == "refused"
    assert name in r.message and words in r.message
    assert "Traceback" not in r.message
    assert snapshot(warehouse) == before
    con = wdb.connect(warehouse, read_only=True)
    assert con.execute("SELECT status, file_name FROM loads ORDER BY load_id DESC LIMIT 1").fetchone() == ("refused", name)
    con.close()


def test_csv_named_xlsx_is_read_as_csv(warehouse, tmp_path):
    path = tmp_path / "郾城区2024年06月.xlsx"
    path.write_text("项目名称,所属县区,总投资（万元）,项目状态\n新项目,郾城区,50,在谈\n", encoding="utf-8")
    [r] = load_files([path], db=warehouse)
    assert r.status == "loaded" and r.rows_loaded == 1
    assert any("内容是CSV文本" in w for w in r.warnings)


def test_file_size_limit_is_a_setting(warehouse, tmp_path, monkeypatch):
    from warehouse import settings as s

    cfg = tmp_path / "settings.toml"
    cfg.write_text("[ledger]\nmax_file_mb = 0\n", encoding="utf-8")
    monkeypatch.setenv("SETTINGS_PATH", str(cfg))
    s._load.cache_clear()
    try:
        path = good_ledger(tmp_path / "郾城区2024年06月.xlsx", "新项目")
        [r] = load_files([path], db=warehouse)
        assert r.status == "refused" and "超过上限0MB" in r.message and "max_file_mb" in r.message
    finally:
        monkeypatch.delenv("SETTINGS_PATH")
        s._load.cache_clear()


def test_rows_limit_is_a_setting(warehouse, tmp_path, monkeypatch):
    from warehouse import settings as s

    cfg = tmp_path / "settings.toml"
    cfg.write_text("[ledger]\nmax_rows_per_sheet = 100\n", encoding="utf-8")
    monkeypatch.setenv("SETTINGS_PATH", str(cfg))
    s._load.cache_clear()
    try:
        path = tmp_path / "郾城区2024年06月.xlsx"
        path.write_bytes(_xlsx_bytes())
        before = snapshot(warehouse)
        [r] = load_files([path], db=warehouse)
        assert r.status == "refused" and "超过上限100行" in r.message
        assert snapshot(warehouse) == before
    finally:
        monkeypatch.delenv("SETTINGS_PATH")
        s._load.cache_clear()
