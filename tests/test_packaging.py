"""A wheel (`pip install .`, not editable) carries every built-in template."""

from __future__ import annotations

import fnmatch
import tomllib

from conftest import ROOT


def test_package_data_covers_every_template() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    setuptools = config["setuptools"]
    # generator/templates is a link to templates/, so the templates are found as packages of
    # `generator` and the layout is the plain one setuptools installs without warnings.
    link = ROOT / "generator" / "templates"
    assert link.is_symlink() and link.resolve() == (ROOT / "templates").resolve()
    assert setuptools["package-dir"] == {"": "."}
    assert setuptools["packages"]["find"]["namespaces"] is True
    patterns = setuptools["package-data"]["*"]
    every = [p for p in (ROOT / "templates").rglob("*") if p.is_file()]
    assert every
    missed = [p for p in every if not any(fnmatch.fnmatch(p.name, pat) for pat in patterns)]
    assert missed == [], "add a package-data pattern in pyproject.toml"
