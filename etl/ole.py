"""OLE compound files: legacy .xls, WPS .et/.ett, and encrypted workbooks of any format.

Checked with olefile before calamine sees them, because calamine follows sector chains without
bounds: a 1 KB file whose directory chain loops makes it allocate until the process aborts. Every
chain a reader would follow is walked here once, with a cycle check. (The parse also runs in a
memory-bounded child process, etl/worker.py; this check turns the known hazard into a clear
message instead of a memory refusal.)

Excel opens a workbook encrypted with its default password (VelvetSweatshop) without asking,
so such a file is decrypted here; any other password is a refusal that says how to remove it.
"""

from __future__ import annotations

import io
from pathlib import Path

import olefile

from etl.errors import RefusedFile
from etl.sniff import SAVE_AS_XLSX

DEFAULT_PASSWORD = "VelvetSweatshop"
_END = (olefile.ENDOFCHAIN, olefile.FREESECT, olefile.FATSECT, olefile.DIFSECT)
_WORKBOOK_STREAMS = ("workbook", "book")
_OTHER_DOCUMENTS = (("worddocument", "Word文档"), ("powerpoint document", "PowerPoint演示文稿"),
                    ("visiodocument", "Visio绘图"))
DAMAGED = ("文件已损坏（旧版Excel文件的内部结构异常），系统无法读取。请用Excel或WPS打开后“另存为”Excel工作簿（.xlsx）；"
           "如果打不开，请向报送单位索取原文件。")
PASSWORD = ("文件设置了打开密码，系统无法读取。请在Excel或WPS中打开文件，取消密码"
            "（Excel：文件→信息→保护工作簿→用密码进行加密，清空密码；WPS：文件→文档加密→密码加密）后保存再上传。")
ENCRYPTED, XLS = "encrypted", "xls"


def _chain_ok(fat, start: int, limit: int) -> bool:
    """A sector chain ends, without a cycle, inside the file."""
    seen = 0
    sector = start
    while sector not in _END:
        if sector >= len(fat) or seen > limit:
            return False
        seen += 1
        sector = fat[sector]
    return True


def _check_chains(ole: olefile.OleFileIO) -> None:
    fat = ole.fat
    big = [ole.first_dir_sector]
    if ole.num_mini_fat_sectors:
        big.append(ole.first_mini_fat_sector)
    small = []
    for entry in ole.direntries:
        if entry is None or entry.entry_type not in (olefile.STGTY_STREAM, olefile.STGTY_ROOT):
            continue
        if entry.entry_type == olefile.STGTY_ROOT or entry.size >= ole.minisectorcutoff:
            big.append(entry.isectStart)
        elif entry.size:
            small.append(entry.isectStart)
    ok = all(_chain_ok(fat, s, len(fat)) for s in big)
    if ok and small:
        ole.loadminifat()
        ok = all(_chain_ok(ole.minifat, s, len(ole.minifat)) for s in small)
    if not ok:
        raise RefusedFile(DAMAGED)


def inspect(path: Path) -> str:
    """XLS or ENCRYPTED; RefusedFile for damaged files and other Office documents."""
    try:
        ole = olefile.OleFileIO(str(path), raise_defects=olefile.DEFECT_INCORRECT)
    except Exception:        # olefile reports each structural defect as its own exception
        raise RefusedFile(DAMAGED) from None
    try:
        _check_chains(ole)
        names = {"/".join(e).lower() for e in ole.listdir(streams=True, storages=False)}
    finally:
        ole.close()
    if "encryptedpackage" in names:
        return ENCRYPTED
    for stream, what in _OTHER_DOCUMENTS:
        if stream in names:
            raise RefusedFile(f"这是{what}，不是Excel工作簿。请上传台账的Excel文件（.xlsx）。")
    if not any(s in names for s in _WORKBOOK_STREAMS):
        raise RefusedFile("该文件不是Excel工作簿（旧版Office文件中没有工作表内容）。" + SAVE_AS_XLSX)
    return XLS


def is_encrypted_xls(path: Path) -> bool:
    import msoffcrypto

    try:
        with path.open("rb") as f:
            return bool(msoffcrypto.OfficeFile(f).is_encrypted())
    except Exception:   # not decidable: let calamine read it and say what it finds
        return False


def decrypt_default(path: Path, out: Path) -> None:
    """Decrypt with Excel's default password into `out`; RefusedFile when another one is set."""
    import msoffcrypto

    buffer = io.BytesIO()
    try:
        with path.open("rb") as f:
            office = msoffcrypto.OfficeFile(f)
            office.load_key(password=DEFAULT_PASSWORD)
            office.decrypt(buffer)
    except Exception:   # wrong password, unsupported cipher, damaged header: all need the owner
        raise RefusedFile(PASSWORD) from None
    out.write_bytes(buffer.getvalue())
