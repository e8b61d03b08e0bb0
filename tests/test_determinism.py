"""Two full builds with different hash seeds give byte-identical files (`make test-all`)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT


def build(out: Path, seed: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    subprocess.run([sys.executable, "-m", "generator", "build", "problems", "--out", str(out)],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_builds_are_byte_identical_across_hash_seeds(tmp_path: Path) -> None:
    first = build(tmp_path / "a", "1")
    second = build(tmp_path / "b", "4242")
    assert first and first == second
