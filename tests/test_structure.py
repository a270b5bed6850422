"""The shape of the code, checked: which package may import which, no import cycle, small files
and functions, and a scheduled deck that never loads Streamlit.

    warehouse  ← every query and metric; imports no other package of the project
    etl        ← read → normalise → save; may use warehouse
    report     ← presentation without Streamlit (words, numbers, figures, decks, Excel);
                 may use warehouse (report/cli.py, an entry point, also pages)
    pages      ← one description per page; may use report and warehouse, and ui only in the two
                 lines that hand the page to Streamlit (`if __name__ == "__main__":`)
    ui         ← Streamlit: widgets and drawing; may use everything below it
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("warehouse", "etl", "report", "pages", "ui", "accounts")
ALLOWED = {
    "warehouse": {"warehouse"},
    "etl": {"etl", "warehouse"},
    "report": {"report", "warehouse"},
    "pages": {"pages", "report", "warehouse"},
    "ui": {"ui", "pages", "report", "warehouse", "etl"},
    "accounts": {"accounts", "report", "warehouse"},
}
ENTRY_POINTS = {"report.cli": {"pages"}}          # `python -m report` lists the pages' decks
TOOL_SCRIPTS = {"pages.data", "pages.accounts", "pages.audit", "pages.score_inputs"}   # Streamlit scripts (no deck), not descriptions
LENGTH_CHECKED = ("warehouse", "etl", "ui", "report", "pages", "accounts")
MAX_FILE_LINES, MAX_FUNCTION_LINES = 400, 60


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_main_guard(node) -> bool:
    return (isinstance(node, ast.If) and isinstance(node.test, ast.Compare)
            and isinstance(node.test.left, ast.Name) and node.test.left.id == "__name__")


def imports(path: Path) -> set[str]:
    """Project modules a file imports, anywhere in it (function-local imports too), except in its
    `if __name__ == "__main__":` block."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    guarded = {id(n) for node in tree.body if _is_main_guard(node) for n in ast.walk(node)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in guarded:
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return {m for m in found if m.split(".")[0] in (*PACKAGES, "streamlit")}


def _files() -> list[Path]:
    return [p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))]


GRAPH = {_module(p): imports(p) for p in _files()}
MODULES = set(GRAPH)


def test_packages_import_only_downwards():
    wrong = []
    for module, targets in GRAPH.items():
        package = module.split(".")[0]
        allowed = ALLOWED[package] | ENTRY_POINTS.get(module, set())
        for target in targets:
            top = target.split(".")[0]
            if top == "streamlit":
                if package not in ("ui",) and module not in TOOL_SCRIPTS:
                    wrong.append(f"{module} → streamlit")
            elif top not in allowed and module not in TOOL_SCRIPTS:
                wrong.append(f"{module} → {target}")
    assert wrong == []


def test_no_import_cycle():
    edges = {m: {t for t in targets if t in MODULES and t != m} for m, targets in GRAPH.items()}
    cycles = []

    def visit(node, path):
        for nxt in edges.get(node, ()):
            if nxt in path:
                cycles.append(" → ".join(path[path.index(nxt):] + [nxt]))
            elif len(path) < 12:
                visit(nxt, path + [nxt])

    for start in edges:
        visit(start, [start])
    assert cycles == []


@pytest.mark.parametrize("package", LENGTH_CHECKED)
def test_small_files_and_functions(package):
    too_long = []
    for path in sorted((ROOT / package).rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        lines = len(source.splitlines())
        if lines > MAX_FILE_LINES:
            too_long.append(f"{path.relative_to(ROOT)}: {lines} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    too_long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}(): {length} lines")
    assert too_long == []


def test_every_report_page_is_a_description_handed_to_the_screen():
    """A report page is importable without Streamlit, has `view`, and ends by handing itself to
    ui.page (the one place that draws the filters, the header, the deck button … for every page)."""
    import pages

    for info in pages.report_pages():
        module = pages.description(info.key)
        assert callable(module.view), info.key
        tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
        guard = tree.body[-1]
        assert _is_main_guard(guard) and f"show('{info.key}')" in ast.unparse(guard), info.key


def test_the_weekly_deck_never_loads_streamlit(small_warehouse, tmp_path):
    """`python -m report slides` (a scheduled job) builds the deck from the pages' descriptions
    without importing Streamlit."""
    out = tmp_path / "周例会.pptx"
    code = ("import sys; from report.cli import main; "
            f"code = main(['slides', '--db', {str(small_warehouse)!r}, '--out', {str(out)!r}]); "
            "print('STREAMLIT' if any(m.split('.')[0] == 'streamlit' for m in sys.modules) else 'CLEAN'); "
            "sys.exit(code)")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip().splitlines()[-1] == "CLEAN" and out.stat().st_size > 10_000
