"""Accounts in the browser, as people meet them: nothing before sign-in on any URL, the sign-in form
and its cookie, lockout, a district account kept to its district whatever the URL says, a leader
who cannot load, and 统一身份认证 against a real OIDC provider on loopback (oidc-provider-mock)."""

from __future__ import annotations

import io
import socket
from pathlib import Path

import openpyxl
import pytest

from browser.conftest import SERVED, _serve, served, sign_in
from pages import PAGES
from warehouse import audit
from warehouse.db import reading, writing
from warehouse_copy import copy_warehouse

pytestmark = pytest.mark.browser
OTHER_DISTRICTS = ("源汇区", "召陵区", "舞阳县", "临颍县", "西城区", "东城区", "漯河经济技术开发区")


def wait_ready(page, timeout: float = 30_000) -> None:
    from app_probe import wait_idle

    wait_idle(page, timeout)


def main_text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


@pytest.fixture(scope="module")
def app(small_warehouse, tmp_path_factory):
    yield from served(small_warehouse, tmp_path_factory, "auth-app")


def fill_sign_in(page, login: str, password: str) -> None:
    page.get_by_label("用户名").fill(login)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_timeout(1500)
    wait_ready(page)


def test_an_anonymous_visitor_sees_only_the_sign_in_page(app, page):
    for info in PAGES:
        for query in ("", "?year=all&district=召陵区"):
            page.goto(f"{app}/{info.key}{query}")
            wait_ready(page)
            assert page.locator("h1").all_inner_texts() == ["招商引资驾驶舱"], info.key
            text = main_text(page)
            assert "用户名" in text and "密码" in text and "登录" in text
            assert page.locator('[data-testid="stMetric"], [data-testid="stDataFrame"], .js-plotly-plot, '
                                '[data-testid="stSidebar"] [data-testid="stPageLink"]').count() == 0
            assert not any(name in text for name in OTHER_DISTRICTS + ("郾城区",))


def test_signing_in_stays_across_reloads_and_signing_out_ends_it(app, browser):
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{app}/ledger?year=all")
    wait_ready(page)
    fill_sign_in(page, "city", "City@2025")
    assert "项目台账" in page.locator("h1").first.inner_text()
    page.wait_for_timeout(1500)                  # the page hands the one-time code over for the cookie
    cookie = [c for c in context.cookies() if c["name"] == "zs_session"]
    assert cookie and cookie[0]["httpOnly"]
    page.goto(f"{app}/chains?year=all")          # a new session: the cookie signs it in
    wait_ready(page)
    assert "产业链分析" in page.locator("h1").first.inner_text()
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_timeout(1500)
    wait_ready(page)
    page.goto(f"{app}/chains")
    wait_ready(page)
    assert page.locator("h1").all_inner_texts() == ["招商引资驾驶舱"]
    context.close()
    with reading(SERVED[app]) as con:
        actions = audit.entries(con, "city")["action"].to_list()
    assert actions[:2] == ["sign_out", "sign_in"]


def test_lockout_after_the_configured_failures(app, page):
    page.goto(app)
    wait_ready(page)
    for _ in range(5):
        fill_sign_in(page, "leader", "wrong-password")
    assert "已锁定15分钟" in main_text(page)
    fill_sign_in(page, "leader", "Leader@2025")
    assert "已锁定" in main_text(page) and page.locator('[data-testid="stMetric"]').count() == 0


def test_a_district_account_sees_its_district_only_whatever_the_url(app, page, tmp_path):
    sign_in(page, app, "yancheng")
    for info in PAGES:
        if "district" not in info.roles:
            continue
        page.goto(f"{app}/{info.key}?year=all&district=召陵区&district=源汇区")
        wait_ready(page)
        text = main_text(page)
        assert not [n for n in OTHER_DISTRICTS if n in text], (info.key, [n for n in OTHER_DISTRICTS if n in text])
    page.goto(f"{app}/accounts")
    wait_ready(page)
    assert "无权打开" in main_text(page)
    page.goto(f"{app}/ledger?year=all")
    wait_ready(page)
    with page.expect_download() as event:
        page.get_by_role("button", name="导出 Excel").click()
    sheet = openpyxl.load_workbook(io.BytesIO(Path(event.value.path()).read_bytes())).active
    header = [c.value for c in sheet[3]]
    districts = {row[header.index("县区")] for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert districts == {"郾城区"}


def test_a_leader_cannot_load(app, page):
    sign_in(page, app, "leader")
    page.goto(f"{app}/data")
    wait_ready(page)
    assert "无权打开" in main_text(page) and page.locator('[data-testid="stFileUploader"]').count() == 0
    assert "数据管理" not in page.locator('[data-testid="stSidebar"]').inner_text()


def test_a_district_upload_for_another_district_changes_nothing(app, page, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["漯河市召陵区2024年7月招商引资项目台账"])
    ws.append(["序号", "项目名称", "所属县区", "产业链", "总投资（万元）", "项目状态", "签约时间"])
    ws.append([1, "越界上传项目", "召陵区", "肉制品", 900, "签约", "2024-07-01"])
    path = tmp_path / "召陵区台账.xlsx"
    wb.save(path)
    with reading(SERVED[app]) as con:
        before = con.execute("SELECT * FROM projects WHERE district_code = '411104' ORDER BY project_id").fetchall()
    sign_in(page, app, "yancheng")
    page.goto(f"{app}/data")
    wait_ready(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    page.get_by_role("button", name="预检（不入库）").click()
    page.wait_for_timeout(2000)
    wait_ready(page, 90_000)
    assert "不属于本账号" in main_text(page) or "填报范围" in main_text(page)
    assert page.get_by_role("button", name="提交审核").count() == 0
    with reading(SERVED[app]) as con:
        after = con.execute("SELECT * FROM projects WHERE district_code = '411104' ORDER BY project_id").fetchall()
    assert after == before


# --- 统一身份认证 -----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def sso_app(small_warehouse, tmp_path_factory):
    """The app with .streamlit/secrets.toml's [auth] pointing at an OIDC provider on loopback."""
    provider = pytest.importorskip("oidc_provider_mock")
    folder = tmp_path_factory.mktemp("sso-app")
    db = folder / "w.duckdb"
    copy_warehouse(small_warehouse, db)
    with writing(db) as con:
        from warehouse import accounts

        accounts.add(con, "wang-sso", "city", None, name="王（统一身份认证）", email="wang@luohe.gov.cn")
    with provider.run_server_in_thread() as server:
        issuer = f"http://localhost:{server.server_port}"
        port = _free_port()
        secrets = folder / "secrets.toml"
        secrets.write_text(
            f'[auth]\nredirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
            f'cookie_secret = "test-only-cookie-secret-0123456789abcdef"\nclient_id = "dashboard"\n'
            f'client_secret = "dashboard-secret"\nserver_metadata_url = "{issuer}/.well-known/openid-configuration"\n',
            encoding="utf-8")
        proc, url = _serve(db, folder / "app.log", ("--secrets.files", str(secrets)), port=port)
        yield url
        proc.terminate()
        proc.wait(timeout=10)


def _through_the_provider(page, app: str, subject: str) -> None:
    page.goto(app)
    wait_ready(page)
    page.get_by_role("button", name="统一身份认证登录").click()
    page.wait_for_selector('input[name="sub"]', timeout=20_000)
    page.fill('input[name="sub"]', subject)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{app}/**", timeout=20_000)
    page.wait_for_timeout(1500)
    wait_ready(page)


def test_single_sign_on_through_the_provider(sso_app, browser):
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    _through_the_provider(page, sso_app, "wang@luohe.gov.cn")
    assert "总览" in page.locator("h1").first.inner_text()
    assert "王（统一身份认证）" in page.locator('[data-testid="stSidebar"]').inner_text()
    context.close()
    with reading(SERVED[sso_app]) as con:
        trail = audit.entries(con, "wang-sso")
    assert trail["action"].to_list()[0] == "sign_in" and "统一身份认证" in trail["detail"][0]


def test_single_sign_on_without_an_account_here(sso_app, browser):
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    _through_the_provider(page, sso_app, "stranger@example.gov.cn")
    assert page.locator("h1").all_inner_texts() == ["招商引资驾驶舱"]
    assert "没有对应的可用账号" in main_text(page)
    context.close()
