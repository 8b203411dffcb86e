"""The domain core must stay pure: no web framework, no cache client, no file system."""

import ast
import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "incentive_api" / "core"
FORBIDDEN = {"flask", "werkzeug", "redis", "hiredis", "gunicorn"}


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_core_sources_import_no_flask_or_redis():
    files = sorted(CORE.glob("*.py"))
    assert len(files) > 5
    for path in files:
        bad = _imported_modules(path) & FORBIDDEN
        assert not bad, f"{path.name} imports {bad}"


def test_core_does_not_reach_adapters():
    for path in CORE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert node.level <= 1, f"{path.name} reaches outside the core"


def test_importing_the_core_loads_no_flask_or_redis():
    code = (
        "import sys, incentive_api.core.engine, incentive_api.core.ruleset, incentive_api.core.examples;"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
