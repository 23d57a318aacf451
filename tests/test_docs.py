"""The documentation site builds with no warnings (the quick build: no examples run)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_docs_build_without_warnings(tmp_path):
    """Every page, API docstring and gallery page renders; any warning fails."""
    pytest.importorskip("sphinx")
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html"]
        + ["-d", str(tmp_path / "doctrees"), str(DOCS), str(tmp_path / "html")],
        env={**os.environ, "SKLSTM_DOCS_QUICK": "1", "OMP_NUM_THREADS": "1"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-5000:]
    for page in ("index", "api", "user_guide/lengths", "auto_examples/index"):
        assert (tmp_path / "html" / f"{page}.html").is_file()
