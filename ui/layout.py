"""Page furniture: projector-friendly styles and the page header."""

from __future__ import annotations

import streamlit as st

from report.format import day

# Constant CSS (no data in it): large metric numbers that read on a projector.
_CSS = """
<style>
[data-testid="stMetric"] { container-type: inline-size; }
/* projector size when the card is wide; smaller in a narrow card (five in a row on a laptop),
   so that "8,806.44亿元" or "2025年12月31日" is never cut to "8,806.4…" */
[data-testid="stMetricValue"] { font-size: clamp(1.2rem, 12cqi, 2.4rem); font-weight: 700; }
[data-testid="stMetricLabel"] p { font-size: clamp(0.85rem, 7cqi, 1.05rem); }
[data-testid="stMetricDelta"] { font-size: clamp(0.8rem, 6.5cqi, 1.0rem); }
h1 { font-size: 2.1rem !important; }
/* the first screen holds the cockpit: less empty space above the title */
[data-testid="stMainBlockContainer"] { padding-top: 2.2rem; padding-left: 2.5rem; padding-right: 2.5rem; }
[data-testid="stSidebarContent"] [data-testid="stSidebarUserContent"] { padding-top: 1.2rem; }
/* Streamlit's own words are English and it has no Chinese translation: the menu, the running
   indicator and the table toolbar (Show/hide columns, Download as CSV, Search, Fullscreen) are
   hidden — every page has its own Chinese export buttons — and the uploader's and the option
   lists' texts are replaced by Chinese ones. */
[data-testid="stMainMenu"], [data-testid="stStatusWidget"], [data-testid="stElementToolbar"],
[data-testid="stAppDeployButton"] { display: none !important; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p { font-size: 0; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {
  content: "选择文件"; font-size: 0.9rem; }
[data-testid="stFileUploaderDropzoneInstructions"] span { font-size: 0; }
[data-testid="stFileUploaderDropzoneInstructions"] span::after {
  content: "或把文件拖到这里（可一次选多个；单个不超过200MB）"; font-size: 0.9rem; }
[role="listbox"] [role="option"] > span:only-child { font-size: 0; }
[role="listbox"][data-empty="true"] [role="option"] > span:only-child::after {
  content: "没有匹配的选项"; font-size: 0.9rem; }
</style>
"""


def style() -> None:
    """The page styles (every run, before anything else is drawn)."""
    st.markdown(_CSS, unsafe_allow_html=True)


def through_app() -> None:
    """Run this page inside app.py's navigation.

    With a `pages/` folder next to app.py, a fresh server starts in Streamlit's old multipage
    mode: a deep link (/overview?district=…) runs the page file alone — no wide layout, file
    names in the menu — until app.py has run once in any session. A page that finds itself run
    that way switches the server to app.py's navigation and reruns (app.py then runs first).
    """
    from streamlit.runtime.pages_manager import PagesManager

    if getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        st.rerun()


def header(title: str, status: dict | None = None, note: str | None = None) -> None:
    st.title(title)
    parts = []
    if status and status.get("newest_as_of"):
        parts.append(f"数据截至 {day(status['newest_as_of'])}（最新台账日期）")
    if note:
        parts.append(note)
    if parts:
        st.caption("　".join(parts))


def fact(container, label: str, value) -> None:
    """A label and a ledger value shown literally (st.metric would render the value as markdown:
    '--' becomes '—', '**x**' bold)."""
    container.caption(label)
    container.text("—" if value in (None, "") else str(value))


def menu(account) -> None:
    """The navigation of the signed-in account's role, and who is signed in."""
    import pages
    from ui import auth

    with st.sidebar:
        for info in pages.PAGES:
            if account.role in info.roles:
                st.page_link(f"pages/{info.key}.py", label=info.menu)
        auth.signed_in_box(account)
        auth.hand_over_cookie()
        st.divider()


_FULLSCREEN_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
[data-testid="stHeader"] { display: none !important; }
[data-testid="stMainBlockContainer"] { max-width: 100%; padding: 1.2rem 2.5rem; }
h1 { font-size: 3rem !important; }
[data-testid="stMetricValue"] { font-size: clamp(1.6rem, 14cqi, 3.6rem); }
[data-testid="stMetricLabel"] p { font-size: clamp(1rem, 8cqi, 1.5rem); }
[data-testid="stMetricDelta"] { font-size: clamp(0.9rem, 7cqi, 1.3rem); }
[data-testid="stCaptionContainer"] { font-size: 1.1rem; }
</style>
"""


def fullscreen() -> None:
    """The 大屏 look: the whole width for the cockpit, no sidebar, projector-sized type."""
    st.markdown(_FULLSCREEN_CSS, unsafe_allow_html=True)
