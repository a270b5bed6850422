"""Two app nodes on one lake (the DuckLake backend, issue 16): two `python -m ui.serve` processes on
two ports read and write the same lake (its catalog in a PostgreSQL server on loopback). A ledger
loaded through node A's 数据管理 page shows on node B's next page view, without a restart."""

from __future__ import annotations

import os

import openpyxl
import pytest

from browser.conftest import _serve, sign_in
from test_dashboard import metric, wait_ready

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def nodes(small_warehouse, tmp_path_factory):
    from warehouse import db, migrate

    server = None
    if not os.environ.get("DUCKLAKE_CATALOG"):
        from bench.pgserver import Server

        server = Server().start()
    folder = tmp_path_factory.mktemp("two-nodes")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WAREHOUSE_BACKEND", "ducklake")
        if server:
            mp.setenv("DUCKLAKE_CATALOG", server.dsn)
            mp.setenv("DUCKLAKE_DATA_PATH", str(server.root / "lake-data"))
        lake = folder / "lake.duckdb"              # names the lake (warehouse.settings.lake)
        source = small_warehouse
        if not db.exists(source, "duckdb"):        # make test-ducklake: the small warehouse is a lake
            source = folder / "small.duckdb"
            migrate.to_file(source, small_warehouse)
        migrate.to_lake(source, lake)
        procs = [_serve(lake, folder / f"node-{n}.log") for n in "ab"]
        try:
            yield [url for _, url in procs]
        finally:
            for proc, _ in procs:
                proc.terminate()
                proc.wait(timeout=10)
    if server:
        server.stop()


def test_a_load_through_one_node_shows_on_the_other(nodes, browser, tmp_path, screenshots):
    a, b = nodes
    viewer = browser.new_context(viewport={"width": 1600, "height": 1400}, locale="zh-CN").new_page()
    sign_in(viewer, b, "city")
    viewer.goto(f"{b}/overview")
    wait_ready(viewer)
    viewer.screenshot(path=str(screenshots / "two-nodes-before-load.png"), full_page=True)
    before = metric(viewer, "签约项目")
    assert before == "4个"

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["漯河市郾城区2024年6月招商引资项目台账"])
    ws.append(["序号", "项目名称", "所属县区", "产业链", "总投资（万元）", "项目状态", "签约时间"])
    ws.append([1, "两节点测试新签约项目", "郾城区", "肉制品", 12000, "签约", "2024-06-10"])
    path = tmp_path / "郾城区2024年6月补报台账.xlsx"
    wb.save(path)
    loader = browser.new_context(viewport={"width": 1600, "height": 1400}, locale="zh-CN").new_page()
    sign_in(loader, a, "city")
    loader.goto(f"{a}/data")
    wait_ready(loader)
    loader.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    loader.get_by_role("button", name="预检（不入库）").click()
    loader.get_by_role("button", name="确认入库").wait_for(timeout=90_000)
    loader.get_by_role("button", name="确认入库").click()
    loader.wait_for_timeout(1000)
    wait_ready(loader, 90_000)
    assert "入库1个项目行" in loader.locator('[data-testid="stMain"]').inner_text()

    viewer.reload()
    wait_ready(viewer)
    assert metric(viewer, "签约项目") == "5个"
    viewer.screenshot(path=str(screenshots / "two-nodes-after-load.png"), full_page=True)
