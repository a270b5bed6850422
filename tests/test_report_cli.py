"""python -m report: the weekly deck, page decks and Excel lists from the command line."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from PIL import Image
from pptx import Presentation

from report import cli
from test_report_slides import HIGH, WIDE, assert_chinese_fonts, pictures, texts

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def weekly(small_warehouse, tmp_path_factory):
    out = tmp_path_factory.mktemp("deck") / "周例会.pptx"
    assert cli.main(["slides", "--out", str(out), "--db", str(small_warehouse)]) == 0
    return out


def test_weekly_deck(weekly, capsys):
    prs = Presentation(str(weekly))
    assert (prs.slide_width, prs.slide_height) == (WIDE, HIGH)
    assert len(prs.slides) >= 5
    titles = [slide.shapes.title.text for slide in prs.slides]
    assert titles[0] == "漯河市招商引资工作周例会"
    for expected in ("签约、开工、投产总体情况", "县区签约投资排名", "各产业链项目数与投资额", "目标任务完成情况",
                     "“三个一批”各期项目数"):
        assert expected in titles
    assert any(t.startswith("预警项目") for t in titles)
    # the small warehouse has no targets: a note instead of the section
    target_slide = prs.slides[titles.index("目标任务完成情况")]
    assert any("目标任务数据未导入" in t for t in texts(target_slide))
    # takeaways are computed: the ranking slide names the leading district
    ranking = prs.slides[titles.index("县区签约投资排名")]
    assert "签约投资最多的是源汇区，共2个，总投资6.20亿元；最少的是西城区，0.00亿元" in texts(ranking)
    assert any(s.has_table for slide in prs.slides for s in slide.shapes)
    pics = pictures(prs)
    assert len(pics) >= 4
    for pic in pics:
        assert pic.image.content_type == "image/png"
        assert Image.open(io.BytesIO(pic.image.blob)).size[0] >= 1920
    assert_chinese_fonts(prs)
    assert "数据截至2024年6月30日" in texts(prs.slides[0])[1]


def test_filters_and_page_decks(small_warehouse, tmp_path):
    out = tmp_path / "page.pptx"
    assert cli.main(["page", "alerts", "--out", str(out), "--db", str(small_warehouse),
                     "--district", "源汇区,舞阳县", "--as-of", "2024-06-30"]) == 0
    prs = Presentation(str(out))
    assert texts(prs.slides[0])[1].startswith("县区：源汇区、舞阳县；时间：2024年1月1日 — 2024年6月30日")


def test_excel_lists(small_warehouse, tmp_path):
    out = tmp_path / "预警督办清单.xlsx"
    assert cli.main(["excel", "--list", "stalled", "--out", str(out), "--db", str(small_warehouse)]) == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["预警项目", "按县区", "按责任单位"]
    ws = wb["预警项目"]
    assert ws["A1"].value.startswith("预警督办清单") and "总投资（亿元）" in [c.value for c in ws[3]]
    assert ws.max_row == 3 + 3                       # P06 P10 (签约未开工), P07 (开工未投产)


@pytest.mark.parametrize("argv, message", [
    (["slides", "--out", "x.pptx", "--district", "不存在区"], "未知县区：不存在区"),
    (["slides", "--out", "x.pptx", "--chain", "火星产业"], "未知产业链：火星产业"),
])
def test_unknown_values_are_usage_errors(small_warehouse, tmp_path, capsys, argv, message):
    argv = [a if a != "x.pptx" else str(tmp_path / a) for a in argv] + ["--db", str(small_warehouse)]
    assert cli.main(argv) == cli.EXIT_USAGE
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x.pptx").exists()


@pytest.mark.parametrize("argv, message", [
    (["slides"], "缺少必需的参数：--out"),
    (["slides", "--out", "x.pptx", "--as-of", "2024-13-01"], "不是有效日期"),
    (["posters", "--out", "x"], "无效"),
    ([], "缺少必需的参数"),
])
def test_bad_arguments_exit_2_in_chinese(argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "用法：" in err


def test_missing_warehouse(tmp_path, capsys):
    assert cli.main(["slides", "--out", str(tmp_path / "x.pptx"), "--db", str(tmp_path / "nope.duckdb")]) == 1
    assert "数据仓库不存在" in capsys.readouterr().err
    assert not (tmp_path / "nope.duckdb").exists()


def test_empty_warehouse_says_so_in_chinese(empty_warehouse, tmp_path):
    """As a scheduled job sees it: a separate process, exit 1, a Chinese message, no file."""
    out = tmp_path / "周例会.pptx"
    done = subprocess.run([sys.executable, "-m", "report", "slides", "--out", str(out), "--db", str(empty_warehouse)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "还没有项目台账" in done.stderr and "python -m etl load" in done.stderr
    assert "Traceback" not in done.stderr and not out.exists()


@pytest.mark.skipif(not shutil.which("libreoffice"), reason="LibreOffice is not installed (optional)")
def test_libreoffice_opens_the_deck(weekly, tmp_path):
    subprocess.run(["libreoffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(weekly)],
                   check=True, capture_output=True, timeout=180,
                   env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    pdf = tmp_path / (weekly.stem + ".pdf")
    assert pdf.exists() and pdf.read_bytes()[:4] == b"%PDF"
    if shutil.which("pdffonts"):
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
        assert "CJK" in fonts            # the Chinese text was set in a CJK font, not boxes
