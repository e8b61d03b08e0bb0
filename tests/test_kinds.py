"""The kind registry: every kind is registered once, and only its own module knows it."""

from __future__ import annotations

import ast
from pathlib import Path

from click.testing import CliRunner
from conftest import ROOT

from generator.cli import main
from generator.solvers import registry
from generator.spec import models

TRAINING = (ROOT / "problems" / "minibatch-sgd.yaml").read_text(encoding="utf-8")
VARY = "vary:\n  x1: {int: [-3, 3]}\n"


def _run(tmp_path: Path, *args: str, text: str) -> tuple[int, str]:
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, [*args[:1], str(path), *args[1:]])
    return result.exit_code, result.output.replace(str(tmp_path) + "/", "")


def test_training_with_vary_is_refused_by_check_with_the_line_of_vary(tmp_path: Path) -> None:
    line = TRAINING.count("\n") + 1  # vary: is appended after the last line
    code, out = _run(tmp_path, "check", text=TRAINING + VARY)
    assert code == 1
    assert out == (f"t.yaml:{line}: vary: kind training has no variants\n"
                   "  hint: remove vary: (variants are drawn for gradient, sgd_step problems)\n"
                   "1 of 1 problem files failed; nothing was written.\n")


def test_training_with_vary_is_refused_by_build_and_writes_nothing(tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    text = TRAINING + VARY + "where: [x1 != 0]\n"
    line = TRAINING.count("\n") + 1
    code, out = _run(tmp_path, "build", "--variants", "3", "--out", str(out_dir), text=text)
    assert code == 1
    assert f"t.yaml:{line}: vary: kind training has no variants\n" in out
    assert f"t.yaml:{line + 2}: where: kind training has no variants\n" in out
    assert not out_dir.exists() or not any(out_dir.rglob("*.*"))


def test_every_kind_of_the_schema_is_registered_with_a_starter() -> None:
    assert list(registry.MODULES) == list(models.KIND_NAMES)
    for name in registry.MODULES:
        spec_kind = registry.kind(_spec_of(name))
        assert spec_kind.name == name
        assert (ROOT / "templates" / "scaffold" / f"{name}.yaml").is_file()


def _spec_of(name: str) -> models.AnySpec:
    # The smallest object the registry looks at: it reads only `kind`.
    return models.DiscussionSpec.model_construct(kind=name)


KIND_MODELS = {"GradientSpec", "SgdSpec", "SelfDerivativesSpec", "IdentitySpec",
               "DiscussionSpec", "TrainingSpec", "DerivativeSpec", "PartialsSpec"}


def test_no_stage_after_the_solvers_names_a_kind_model() -> None:
    """variants/, view/, formats/, build/ and the CLI reach a kind only through its hooks."""
    offenders = []
    for folder in ("variants", "view", "formats", "build", "theme", "check", "graph"):
        for path in sorted((ROOT / "generator" / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
            names |= {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
                      for a in n.names}
            offenders += [f"{path.relative_to(ROOT)}: {m}" for m in sorted(names & KIND_MODELS)]
    assert offenders == []
