"""A wheel (`pip install .`, not editable) carries every built-in template."""

from __future__ import annotations

import tomllib

from conftest import ROOT


def test_package_data_covers_every_template() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    setuptools = config["setuptools"]
    assert setuptools["package-dir"]["generator.templates"] == "templates"
    assert "generator.templates" in setuptools["packages"]
    templates = ROOT / "templates"
    shipped = {p for pattern in setuptools["package-data"]["generator.templates"]
               for p in templates.glob(pattern) if p.is_file()}
    every = {p for p in templates.rglob("*") if p.is_file()}
    assert every - shipped == set(), "add a package-data pattern in pyproject.toml"
