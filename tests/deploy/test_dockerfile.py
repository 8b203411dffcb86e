"""No Docker engine runs here, so the Dockerfile is linted with hadolint and its promises read."""

import shutil
import subprocess
import sys
from pathlib import Path

from support.helpers import ROOT


def _hadolint() -> str:
    exe = Path(sys.executable).with_name("hadolint")
    return str(exe) if exe.exists() else shutil.which("hadolint")


def test_hadolint_passes_clean():
    out = subprocess.run([_hadolint(), "--no-color", str(ROOT / "Dockerfile")], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.strip() == ""


def test_image_is_multi_stage_non_root_with_healthcheck():
    text = (ROOT / "Dockerfile").read_text()
    assert text.count("FROM python:3.11-slim") == 2
    assert "\nUSER 10001:10001\n" in text
    assert "HEALTHCHECK" in text and "/healthz" in text
    assert 'CMD ["gunicorn"' in text
    for needed in ("incentive_api/", "rules/", "openapi.yaml", "gunicorn.conf.py"):
        assert f"COPY {needed}" in text or needed in text
