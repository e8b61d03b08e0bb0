"""One test per kind of input error, asserting the exact message and exit code 1."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT

from generator.cli import main

HW13 = (ROOT / "problems" / "hw1-3-conv-w11.yaml").read_text(encoding="utf-8")


def run_check(tmp_path: Path, text: str | bytes, name: str = "x.yaml") -> tuple[int, str]:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(path)])
    return result.exit_code, result.output.replace(str(tmp_path) + "/", "")


MINIMAL = """\
id: t
title: t
kind: gradient
params: {w: {}}
inputs: {x: {}}
nodes:
  L: (w*x - 1)^2
loss: L
wrt: [w]
"""

CASES = {
    "unknown_key": (MINIMAL + "colour: red\n",
                    "x.yaml:10: colour: unknown key\n"
                    "  hint: check the spelling; `solgen schema` lists every key\n"),
    "unknown_symbol": (MINIMAL.replace("(w*x - 1)^2", "(w*q - 1)^2"),
                       "x.yaml:7: nodes.L: unknown symbol 'q'\n"
                       "  hint: declare it under inputs, params, constants or nodes\n"),
    "duplicate_key": (MINIMAL + "loss: L\n",
                      "x.yaml:10: loss: duplicate key\n"
                      "  hint: first defined on line 8; keep one of them\n"),
    "python_tag": (MINIMAL.replace("(w*x - 1)^2", "!!python/object/apply:os.system [ls]"),
                   "x.yaml:7: nodes.L: YAML tag 'tag:yaml.org,2002:python/object/apply:os.system'"
                   " is not allowed\n"
                   "  hint: problem files hold plain text, numbers, lists and mappings only\n"),
    "unknown_kind": (MINIMAL.replace("kind: gradient", "kind: integral"),
                     "x.yaml:3: kind: unknown kind 'integral'\n"
                     "  hint: kind is one of: gradient, sgd_step, self_derivatives, identity,"
                     " discussion, training, derivative, partials\n"),
    "missing_key": (MINIMAL.replace("wrt: [w]\n", ""),
                    "x.yaml:1: wrt: missing key\n  hint: add this key\n"),
    "code_in_expression": (MINIMAL.replace("(w*x - 1)^2", "__import__('os').getcwd()"),
                           "x.yaml:7: nodes.L: attribute access .getcwd is not allowed\n"
                           "  hint: use numbers, declared names, + - * / ** ^ and functions"
                           " like sigma(x)\n"),
    "cycle": (MINIMAL.replace("L: (w*x - 1)^2", "L: M + w\n  M: L*x"),
              "x.yaml:7: nodes.L: cycle in the graph: L → M → L\n"
              "  hint: a node cannot depend on itself\n"),
    "wrt_not_param": (MINIMAL.replace("wrt: [w]", "wrt: [x]"),
                      "x.yaml:9: wrt[0]: 'x' is not a parameter\n"
                      "  hint: wrt lists names declared under params\n"),
    "syntax": ("id: t\ntitle: [\n", "x.yaml:3: YAML syntax: expected the node content, "
               "but found '<stream end>'\n"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_error_message(tmp_path: Path, case: str) -> None:
    text, expected = CASES[case]
    code, output = run_check(tmp_path, text)
    assert code == 1
    assert output == expected + "1 of 1 problem files failed; nothing was written.\n"


def test_errors_in_several_files_are_all_reported(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(MINIMAL + "colour: red\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text(MINIMAL.replace("wrt: [w]", "wrt: [x]"), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(tmp_path)])
    assert result.exit_code == 1
    assert "a.yaml:10: colour: unknown key" in result.output
    assert "b.yaml:9: wrt[0]: 'x' is not a parameter" in result.output
    assert "2 of 2 problem files failed" in result.output


def test_empty_and_invalid_utf8(tmp_path: Path) -> None:
    assert run_check(tmp_path, b"")[1].startswith("x.yaml:1: file is empty")
    assert run_check(tmp_path, b"id: t\ntitle: \xff\n")[1].startswith(
        "x.yaml:2: file is not valid UTF-8")


def test_seed_002_wrong_sign_expectation_is_rejected(tmp_path: Path) -> None:
    """Seed 002 writes ∂MSE/∂ŷ = (2/n)(ŷ − y)·(−1): the sign is wrong."""
    text = HW13 + "expect:\n  Derivative(MSE, yhat): (2/n)*(yhat - yy)*(-1)\n"
    code, output = run_check(tmp_path, text, "hw.yaml")
    line = text.count("\n")
    assert code == 1
    assert output.startswith(f"hw.yaml:{line}: expect.Derivative(MSE, yhat): expected value "
                             "does not follow\n")
    assert "stated:   Derivative(MSE, yhat) = " in output
    assert "counterexample at " in output


def test_right_expectation_passes(tmp_path: Path) -> None:
    text = HW13 + "expect:\n  Derivative(MSE, yhat): -(2/n)*(yy - yhat)\n"
    assert run_check(tmp_path, text, "hw.yaml") == (0, "ok: 1 problem, 24 steps verified\n")


def test_seed_002_final_line_holds_because_n_is_declared_one(tmp_path: Path) -> None:
    """The seed's −2(y − ŷ) drops 1/n; with `constants: {n: 1}` that is the same value."""
    text = HW13 + "expect:\n  Derivative(MSE, yhat): -2*(yy - yhat)\n"
    assert run_check(tmp_path, text, "hw.yaml") == (0, "ok: 1 problem, 24 steps verified\n")


@pytest.mark.parametrize(("stated", "holds"), [
    ("-2*(yy - yhat)/4", True), ("-(2/n)*(yy - yhat)", True), ("-2*(yy - yhat)", False)])
def test_expectations_use_the_declared_value_of_n(tmp_path: Path, stated: str,
                                                 holds: bool) -> None:
    text = HW13.replace("constants: {n: 1}", "constants: {n: 4}")
    assert "constants: {n: 4}" in text
    code, output = run_check(tmp_path, text + f"expect:\n  Derivative(MSE, yhat): {stated}\n",
                             "hw.yaml")
    assert code == (0 if holds else 1), output
    if not holds:
        assert "expected value does not follow" in output
        # the counterexample never gives the declared constant another value
        assert " n=" not in output and ", n=" not in output


def test_usage_error_exits_2() -> None:
    result = CliRunner().invoke(main, ["build", "--format", "pdfx"])
    assert result.exit_code == 2


def test_missing_path_exits_1(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 1
    assert "nope.yaml: no such file or folder" in result.output
