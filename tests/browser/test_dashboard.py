"""The dashboard in Chromium: every page opens, filters go into the URL and a copied link
reproduces the view, a chart click cross-filters and can be cleared, no external requests,
markup in names never runs. Screenshots go to tests/screenshots/ (look at them)."""

from __future__ import annotations

import math
import re
from urllib.parse import urlparse

import pytest

from browser.conftest import sign_in
from pages import PAGES as ALL_PAGES

pytestmark = pytest.mark.browser

PAGES = {p.key: p.title for p in ALL_PAGES if "city" in p.roles}     # what the city account opens


def wait_ready(page, timeout: float = 30_000) -> None:
    """Until the script has finished and no element is still a skeleton (app_probe.wait_idle: the
    run state on the app root, not the status widget, which the app hides)."""
    from app_probe import wait_idle

    wait_idle(page, timeout)


def metric(page, label: str, timeout: float = 15_000) -> str:
    """The value of the metric whose label is exactly `label` (期内签约项目开工率 also contains 签约项目)."""
    box = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=re.compile(rf"^\s*{re.escape(label)}\s*$")))
    box.first.wait_for(timeout=timeout)
    return box.first.locator('[data-testid="stMetricValue"]').inner_text().strip()


def no_exception(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.dialogs == []


def click_until(page, click, selector: str, last_wait: float = 10_000) -> None:
    """Click until `selector` shows: a click that lands while plotly or deck.gl is still wiring its
    events (or, under load, drawing) is lost."""
    for _ in range(3):
        click()
        try:
            page.wait_for_selector(selector, timeout=5_000)
            return
        except Exception:
            page.wait_for_timeout(500)
    page.wait_for_selector(selector, timeout=last_wait)


def click_bar(page, bar) -> None:
    click_until(page, lambda: bar.click(force=True), "text=联动筛选")


def test_every_page_opens_with_charts(demo_app, page, screenshots):
    sign_in(page, demo_app)
    outside = []
    page.on("request", lambda r: outside.append(r.url)
            if urlparse(r.url).hostname not in ("127.0.0.1", "localhost") and not r.url.startswith("data:") else None)
    for path, title in PAGES.items():
        page.goto(f"{demo_app}/{path}")
        wait_ready(page)
        assert title in page.locator("h1").first.inner_text()
        if path in ("overview", "chains", "batches", "alerts"):
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=20_000)
            assert page.locator(".js-plotly-plot").count() >= (1 if path == "alerts" else 2)
        if path == "map":
            page.wait_for_selector('[data-testid="stDeckGlJsonChart"] canvas', timeout=20_000)
            page.wait_for_timeout(1000)
        no_exception(page)
        page.screenshot(path=str(screenshots / f"demo-{path}.png"), full_page=True)
    assert outside == []          # no tile server, no CDN: works on an intranet


def test_filter_goes_into_url_and_link_reproduces_view(small_app, browser, page, screenshots):
    sign_in(page, small_app)
    page.goto(f"{small_app}/overview")
    wait_ready(page)
    assert metric(page, "签约项目") == "4个"
    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first
    box.click()
    page.keyboard.type("郾城区")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.wait_for_url(re.compile(r"district="), timeout=15_000)
    wait_ready(page)
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=\"stMetricValue\"]')]"
                           ".some(e => e.innerText.trim() === '1个')", timeout=15_000)
    assert metric(page, "签约项目") == "1个"
    url = page.url
    page.screenshot(path=str(screenshots / "small-overview-filtered.png"), full_page=True)

    # the same link in a new browser context reproduces the view
    other = browser.new_context(viewport={"width": 1600, "height": 1000}).new_page()
    sign_in(other, small_app)
    other.goto(url)
    wait_ready(other)
    other.wait_for_function("() => [...document.querySelectorAll('[data-testid=\"stMetricValue\"]')]"
                            ".some(e => e.innerText.trim() === '1个')", timeout=15_000)
    assert metric(other, "签约项目") == "1个"
    assert "郾城区" in other.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first.inner_text()

    # the filter is kept when moving to another page, and stays in the URL
    page.get_by_role("link", name="项目台账").click()
    page.wait_for_url(re.compile(r"/ledger\?.*district="), timeout=15_000)
    wait_ready(page)
    assert "郾城区" in page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first.inner_text()
    no_exception(page)
    # and on a page without the filters (数据管理) the address still carries the view
    page.get_by_role("link", name="数据管理").click()
    page.wait_for_url(re.compile(r"/data\?.*district="), timeout=15_000)
    no_exception(page)


def test_chart_click_cross_filters_and_clears(small_app, page, screenshots):
    sign_in(page, small_app)
    page.goto(f"{small_app}/overview")
    wait_ready(page)
    ranking = page.locator(".js-plotly-plot", has_text="签约投资（亿元）").first
    ranking.locator(".bars .point path").last.wait_for(timeout=20_000)
    # the top bar is 源汇区 (ranked first): bars are drawn bottom-up, so it is the last one
    click_bar(page, ranking.locator(".bars .point path").last)
    wait_ready(page)
    assert metric(page, "签约项目") == "2个"            # 源汇区: P01 P02
    page.screenshot(path=str(screenshots / "small-overview-crossfilter.png"), full_page=True)
    page.get_by_role("button", name="清除联动筛选").click()
    page.wait_for_selector("text=联动筛选", state="detached", timeout=15_000)
    wait_ready(page)
    assert metric(page, "签约项目") == "4个"
    no_exception(page)


@pytest.mark.parametrize("path, axis, field", [("chains", "项目数（个）", "chain"), ("alerts", "项目数（个）", "district"),
                                               ("batches", "项目数（个）", "period")])
def test_every_clickable_chart_cross_filters(small_app, page, path, axis, field):
    """Each chart that says it can be clicked does something (产业链's bars threw in plotly.js)."""
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, small_app)
    page.goto(f"{small_app}/{path}")
    wait_ready(page)
    bars = page.locator(".js-plotly-plot", has_text=axis).first.locator(".bars .point path")
    bars.last.wait_for(timeout=20_000)
    click_bar(page, bars.last)
    assert errors == []
    no_exception(page)
    # and the click takes the analyst to the projects behind it
    page.get_by_role("button", name="查看项目清单").click()
    page.wait_for_selector("h1:has-text('项目台账')", timeout=20_000)
    wait_ready(page)
    from urllib.parse import parse_qs

    query = parse_qs(urlparse(page.url).query)
    assert len(query.get(field, [])) == 1 and errors == []          # the clicked value, now a filter
    no_exception(page)


def _pixel(box: dict, view: dict, lng: float, lat: float) -> tuple[float, float]:
    """Where deck.gl's MapView draws (lng, lat): web mercator, 512-pixel world at zoom 0."""
    scale = 512 * 2 ** view["zoom"]

    def merc_y(phi: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(phi) / 2))

    x = box["x"] + box["width"] / 2 + (lng - view["longitude"]) / 360 * scale
    y = box["y"] + box["height"] / 2 - (merc_y(lat) - merc_y(view["latitude"])) / (2 * math.pi) * scale
    return x, y


def test_map_tooltip_and_click(small_app, page, screenshots):
    sign_in(page, small_app)
    from report.maps import view_for
    from warehouse.geo import bounds, load_boundaries
    from warehouse.settings import BOUNDARY_DIR

    view = view_for(bounds(load_boundaries(str(BOUNDARY_DIR / "411100_full.json"))))
    view = {"zoom": view.zoom, "longitude": view.longitude, "latitude": view.latitude}
    page.goto(f"{small_app}/map?year=all")
    wait_ready(page)
    canvas = page.locator('[data-testid="stDeckGlJsonChart"] canvas').first
    canvas.wait_for(timeout=20_000)
    page.wait_for_timeout(1500)
    box = canvas.bounding_box()
    # P09 (approximate location, a name full of markup): the tooltip shows it as text
    page.mouse.move(*_pixel(box, view, 113.965, 33.585))
    tooltip = page.locator(".deck-tooltip")
    tooltip.wait_for(state="visible", timeout=10_000)
    assert "<script>alert(1)</script><b>x</b>" in tooltip.inner_text()
    assert "近似" in tooltip.inner_text()
    page.screenshot(path=str(screenshots / "small-map-tooltip.png"))
    # click P07 (临颍县): its detail appears below the map
    click_until(page, lambda: page.mouse.click(*_pixel(box, view, 113.94, 33.81)), "text=选中的项目", 15_000)
    wait_ready(page)
    assert page.get_by_text("临颍休闲食品产业园").count() >= 1
    no_exception(page)


def test_markup_in_names_is_text(small_app, page, screenshots):
    sign_in(page, small_app)
    for path in ("overview", "map", "ledger", "alerts", "data"):
        page.goto(f"{small_app}/{path}?year=all")
        wait_ready(page)
        no_exception(page)
        assert page.locator("b", has_text=re.compile(r"^x$")).count() == 0   # <b>x</b> never became bold
    page.goto(f"{small_app}/map?year=all")
    wait_ready(page)
    page.wait_for_selector('[data-testid="stDeckGlJsonChart"] canvas', timeout=20_000)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(screenshots / "small-map.png"), full_page=True)
    assert page.dialogs == []
