"""Every page, as a leader's projector (1920×1080) and an office laptop (1366×768) show it, on the demo
warehouse, on an empty one and after an upload: not one English word a Chinese user would read, no
None/nan/True, no console error, no metric cut off. Screenshots land in tests/screenshots/."""

from __future__ import annotations

import re

import openpyxl
import pytest

from browser.conftest import served, sign_in
from pages import PAGES

pytestmark = pytest.mark.browser
SIZES = {"projector": (1920, 1080), "laptop": (1366, 768)}
# Words that are the product's vocabulary in Chinese offices too: file formats and units.
ALLOWED = {"PNG", "SVG", "PPT", "Excel", "WPS", "CSV", "GCJ", "MB", "KB", "xlsx", "xls", "csv", "et", "ods", "xlsb",
           "xlsm", "ett", "txt", "ID", "OIDC",
           "admin", "city", "leader", "yancheng", "kaifaqu"}     # account logins: what their owners type
BROKEN = re.compile(r"\b(None|nan|NaN|True|False|null|undefined|NaT)\b")
ENGLISH = re.compile(r"[A-Za-z]{2,}")

VISIBLE_TEXT_JS = """() => {
  const out = [];
  const seen = (el) => {
    if (!el || el.closest('[data-testid="stIconMaterial"], script, style, noscript')) return false;
    const r = el.getBoundingClientRect(), cs = getComputedStyle(el);
    if (cs.fontFamily.includes('Material')) return false;       // an icon's ligature name, drawn as an icon
    if (cs.clip.startsWith('rect(0') || cs.clipPath.startsWith('inset(50%')) return false;   // screen-reader text
    if (r.width <= 1 || r.height <= 1) return false;
    return r.width >= 1 && r.height >= 1 && parseFloat(cs.fontSize) > 0 && r.right > 0 && r.bottom > 0
      && el.checkVisibility({opacityProperty: true, visibilityProperty: true});
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const text = walker.currentNode.textContent.trim();
    if (text && seen(walker.currentNode.parentElement)) out.push(text);
  }
  document.querySelectorAll('[title], [placeholder]').forEach(e => {
    if (seen(e)) { if (e.title) out.push(e.title); if (e.placeholder) out.push(e.placeholder); }
  });
  return out;
}"""
CUT_METRICS_JS = """() => [...document.querySelectorAll('[data-testid="stMetricValue"] div, [data-testid="stMetricValue"]')]
  .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText)"""

# a table for reading fits the page's width (the full 项目台账 list scrolls, its project name pinned)
CUT_TABLES_JS = """() => [...document.querySelectorAll('[data-testid="stDataFrame"] .dvn-scroller')]
  .filter(e => e.getBoundingClientRect().width > 0 && e.scrollWidth > e.clientWidth + 2)
  .map(e => e.scrollWidth + ' > ' + e.clientWidth)"""
WIDE_LISTS = {"ledger"}
# what a leader reads on a projector is at least 14 px: chart text and the page's own text
SMALL_TYPE_JS = """() => {
  const out = [];
  const els = document.querySelectorAll('.main-svg text, [data-testid="stMain"] p, [data-testid="stMain"] span');
  for (const e of els) {
    if (e.tagName !== 'text' && ![...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
    const r = e.getBoundingClientRect(), size = parseFloat(getComputedStyle(e).fontSize);
    if (r.width > 0 && size > 0 && size < 14 && e.textContent.trim()) out.push(size + 'px ' + e.textContent.trim().slice(0, 20));
  }
  return out.slice(0, 8);
}"""


def english_words(texts: list[str]) -> set[str]:
    return {w for t in texts for w in ENGLISH.findall(t) if w not in ALLOWED}


def broken_values(texts: list[str]) -> set[str]:
    return {m for t in texts for m in BROKEN.findall(t)}


def _look(page, url: str, path: str, shots, name: str) -> dict:
    from app_probe import wait_idle

    page.goto(f"{url}/{path}")
    wait_idle(page, 90_000)
    page.wait_for_timeout(1200)
    texts = page.evaluate(VISIBLE_TEXT_JS)
    page.screenshot(path=str(shots / f"{name}.png"))
    return {"english": english_words(texts), "broken": broken_values(texts), "cut": page.evaluate(CUT_METRICS_JS),
            "cut tables": [] if path in WIDE_LISTS else page.evaluate(CUT_TABLES_JS),
            "small type": page.evaluate(SMALL_TYPE_JS) if page.viewport_size["width"] >= 1920 else [], "texts": texts}


def _watch(page) -> list[str]:
    from app_probe import app_console_error

    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text)
            if app_console_error(m.type, m.text, (m.location or {}).get("url", "")) else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


@pytest.fixture(scope="module")
def empty_app(empty_warehouse, tmp_path_factory):
    yield from served(empty_warehouse, tmp_path_factory, "empty-app")


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("which", ["demo", "empty"])
def test_no_english_none_or_cut_number_on_any_page(which, size, demo_app, empty_app, browser, screenshots):
    url = demo_app if which == "demo" else empty_app
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    sign_in(context, url, "admin")
    page = context.new_page()
    errors = _watch(page)
    found = {}
    for info in PAGES:
        seen = _look(page, url, info.key, screenshots, f"zh-{which}-{size}-{info.key}")
        bad = {k: v for k, v in seen.items() if v and k != "texts"}
        if bad.get("english"):
            bad["where"] = [t for t in seen.get("texts", []) if set(english_words([t])) & bad["english"]][:5]
        if bad:
            found[info.key] = bad
    context.close()
    assert found == {} and errors == []


def test_no_english_after_an_upload(empty_app, browser, screenshots, tmp_path):
    from app_probe import wait_idle

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["漯河市郾城区2024年7月招商引资项目台账"])
    ws.append(["序号", "项目名称", "所属县区", "产业链", "总投资（万元）", "项目状态", "签约时间", "投资方"])
    ws.append([1, "上传检查项目", "郾城区", "肉制品", 5000, "签约", "2024-07-01", None])
    ws.append([2, None, "郾城区", "肉制品", 300, "签约", "2024-07-02", "某公司"])
    path = tmp_path / "郾城区台账.xlsx"
    wb.save(path)
    (tmp_path / "说明.txt").write_text("这不是台账", encoding="utf-8")
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    sign_in(context, empty_app, "city")
    page = context.new_page()
    errors = _watch(page)
    page.goto(f"{empty_app}/data")
    wait_idle(page, 60_000)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        [str(path), str(tmp_path / "说明.txt")])
    page.get_by_role("button", name="预检（不入库）").click()
    page.wait_for_timeout(2000)
    wait_idle(page, 120_000)
    texts = page.evaluate(VISIBLE_TEXT_JS)
    page.screenshot(path=str(screenshots / "zh-upload-preview.png"), full_page=True)
    joined = " ".join(texts)
    assert "入库1个项目行" in joined and "拒收1行" in joined and "说明.txt" in joined     # tables are drawn, not text
    assert english_words(texts) == set(), [t for t in texts if english_words([t])]
    assert broken_values(texts) == set() and errors == []
    page.get_by_role("button", name="确认入库").click()
    page.wait_for_timeout(2000)
    wait_idle(page, 120_000)
    texts = page.evaluate(VISIBLE_TEXT_JS)
    assert "入库完成" in " ".join(texts)
    assert english_words(texts) == set() and broken_values(texts) == set() and errors == []
    context.close()
