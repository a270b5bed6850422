"""The web server of the dashboard: Streamlit's (app.py) plus two small routes that turn a
password checked on the sign-in page into an HttpOnly session cookie, and safe response headers.

    python -m ui.serve      # what `make run` runs: this server, in Streamlit's navigation mode

/session/claim?c=CODE   the signed-in page's browser trades its one-time code for the cookie
/session/end            sign-out: the cookie is cleared (the session itself is ended by the page)
"""

from __future__ import annotations

import streamlit as st
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from warehouse import sessions
from warehouse.db import writing
from warehouse.settings import settings, warehouse_path

HEADERS = {"X-Frame-Options": "SAMEORIGIN", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}


def _redeem(code: str, address: str | None) -> str | None:
    with writing(warehouse_path()) as con:
        return sessions.redeem(con, code, address)


async def claim(request):
    address = request.client.host if request.client else None
    token = await run_in_threadpool(_redeem, request.query_params.get("c", ""), address)
    if token is None:
        return PlainTextResponse("无效或已过期", status_code=403)
    response = PlainTextResponse("已登录")
    response.set_cookie(sessions.COOKIE, token, httponly=True, samesite="strict", path="/",
                        max_age=int(float(settings().get("accounts", "session_hours")) * 3600))
    return response


async def end(request):
    response = PlainTextResponse("已退出")
    response.delete_cookie(sessions.COOKIE, path="/")
    return response


class SafeHeaders:
    """No page of the dashboard inside another site's frame, no content sniffing, no referrer out."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message):
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] += [(k.lower().encode(), v.encode()) for k, v in HEADERS.items()]
            await send(message)

        return await self.app(scope, receive, with_headers)


app = st.App("app.py", routes=[Route("/session/claim", claim), Route("/session/end", end)],
             middleware=[Middleware(SafeHeaders)])
