"""python -m ui.serve [streamlit options]: serve the dashboard — what `make run` does.

It runs server.py (Streamlit's server for app.py, with the session-cookie routes), and puts
Streamlit in its navigation mode
(st.navigation, app.py's router) before the first session. Otherwise a pages/ folder beside the
entry script makes Streamlit start in its old multipage mode, where the first link to a page
(/map?district=…) runs that page's file without app.py — without the page configuration and
without the sign-in that app.py puts first.
"""

from __future__ import annotations

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

SERVER = Path(__file__).resolve().parent.parent / "server.py"     # st.App over app.py, with /session routes


def main(argv: list[str] | None = None) -> int:
    PagesManager.uses_pages_directory = False
    args = ["run", str(SERVER), "--browser.gatherUsageStats", "false", *(sys.argv[1:] if argv is None else argv)]
    return cli.main.main(args=args, prog_name="streamlit", standalone_mode=False) or 0


if __name__ == "__main__":
    sys.exit(main())
