"""Variants: reproducible, unique, verified; answer keys against independent sympy.

The independent check rebuilds the model from the problem's node strings (the JSON
answer key of `solgen show --format json`) with plain `sympy.sympify`, differentiates
with sympy, substitutes the variant's values and compares at 30 digits.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
import sympy
import yaml
from click.testing import CliRunner
from conftest import ROOT, check_golden

from generator.cli import main
from generator.spec.vary import Draw
from generator.variants.sampler import candidates

HW = ROOT / "problems" / "hw1-3-conv-w11-variants.yaml"
SGD = ROOT / "problems" / "week1-sgd-step-variants.yaml"
HW_ID, SGD_ID = HW.stem, SGD.stem


def build(out: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["build", "--out", str(out), *args])
    return result.exit_code, result.output


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_same_command_twice_gives_byte_identical_files(tmp_path: Path) -> None:
    args = [str(HW), str(SGD), "--variants", "4", "--seed", "11", "--combined",
            "--format", "md", "--format", "json", "--format", "moodle"]
    assert build(tmp_path / "a", *args)[0] == 0
    assert build(tmp_path / "b", *args)[0] == 0
    first, second = tree(tmp_path / "a"), tree(tmp_path / "b")
    assert first == second
    assert f"en/{HW_ID}/v004.question.md" in first
    assert f"zh-TW/{SGD_ID}/answers.md" in first
    assert f"{HW_ID}/answers.csv" in first


def test_variant_5_is_the_same_whatever_n(tmp_path: Path) -> None:
    for n in ("10", "100"):
        code, out = build(tmp_path / n, str(HW), "--variants", n, "--seed", "3",
                          "--lang", "en", "--format", "md")
        assert code == 0, out
    for name in ("v005.question.md", "v005.answer.md"):
        small = (tmp_path / "10" / "en" / HW_ID / name).read_bytes()
        assert small == (tmp_path / "100" / "en" / HW_ID / name).read_bytes()
    rows = [json.loads((tmp_path / n / HW_ID / "answers.json").read_text())["variants"]
            for n in ("10", "100")]
    assert rows[0] == rows[1][:10]
    assert len({json.dumps(r["values"], sort_keys=True) for r in rows[1]}) == 100


def _independent_truths(path: Path) -> tuple[dict[str, sympy.Expr], dict[str, object]]:
    """{answer key: exact expression over leaves} from plain sympify of the node strings."""
    result = CliRunner().invoke(main, ["show", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    key = json.loads(result.output)
    nodes = {sympy.Symbol(k): sympy.sympify(v) for k, v in key["nodes"].items()}
    loss = sympy.Symbol(key["loss"])
    for _ in nodes:
        loss = loss.subs(nodes)
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    constants = {sympy.Symbol(k): sympy.sympify(v) for k, v in key["constants"].items()}
    loss = loss.subs(constants)
    if spec["kind"] == "gradient":
        return {f"Derivative({key['loss']}, {w})": sympy.diff(loss, sympy.Symbol(w))
                for w in spec["wrt"]}, spec
    lr = sympy.Rational(str(spec["lr"]))
    return {f"{p}^(1)": sympy.Symbol(p) - lr * sympy.diff(loss, sympy.Symbol(p))
            for p in spec["params"]}, spec


@pytest.mark.parametrize("path", [HW, SGD], ids=["gradient", "sgd_step"])
def test_every_answer_matches_an_independent_sympy_evaluation(tmp_path: Path,
                                                              path: Path) -> None:
    code, out = build(tmp_path, str(path), "--variants", "12", "--seed", "5",
                      "--format", "json", "--lang", "en")
    assert code == 0, out
    truths, spec = _independent_truths(path)
    data = json.loads((tmp_path / path.stem / "answers.json").read_text())
    assert len(data["variants"]) == 12
    digits = spec.get("precision", 6)
    for row in data["variants"]:
        point = {sympy.Symbol(k): sympy.Rational(v) for k, v in row["values"].items()}
        assert set(row["answers"]) == set(truths)
        for key, truth in truths.items():
            expected = sympy.N(truth.subs(point), 30)
            given = row["answers"][key]
            exact = sympy.N(sympy.sympify(given["sympy"]), 30)
            assert abs(exact - expected) <= sympy.Float("1e-25") * (1 + abs(expected))
            # the decimal is the exact value rounded to `precision` decimal places
            rounded = format(Decimal(str(expected)), f".{digits}f")
            assert Decimal(given["decimal"]) == Decimal(rounded), (given["decimal"], rounded)
            assert given["latex"]


def test_variants_differ_in_their_drawn_values_and_are_seeded(tmp_path: Path) -> None:
    build(tmp_path / "a", str(HW), "--variants", "5", "--seed", "1", "--format", "json")
    build(tmp_path / "b", str(HW), "--variants", "5", "--seed", "2", "--format", "json")
    a = json.loads((tmp_path / "a" / HW_ID / "answers.json").read_text())["variants"]
    b = json.loads((tmp_path / "b" / HW_ID / "answers.json").read_text())["variants"]
    assert [r["values"] for r in a] != [r["values"] for r in b]
    assert len({r["seed"] for r in a + b}) == 10


IMPOSSIBLE = HW.read_text(encoding="utf-8").replace(
    "  - abs(dMSE_dw11) >= 0.01   # a gradient worth computing",
    "  - abs(dMSE_dw11) >= 0.01   # a gradient worth computing\n  - z00 > 100")


def test_impossible_where_names_the_condition_and_writes_nothing(tmp_path: Path) -> None:
    problem = tmp_path / "p.yaml"
    problem.write_text(IMPOSSIBLE, encoding="utf-8")
    line = IMPOSSIBLE.splitlines().index("  - z00 > 100") + 1
    out = tmp_path / "out"
    code, text = build(out, str(problem), "--variants", "3")
    assert code == 1
    assert f"p.yaml:{line}: where[3]: no draw satisfied the conditions in 1000 tries; " \
           "`z00 > 100` alone rejects 1000 of 1000 draws" in text
    assert "(acceptance rate 0.0% over all 1000 draws)" in text
    assert "hint: loosen this condition" in text
    assert not out.exists()


def test_too_few_different_draws_is_an_error(tmp_path: Path) -> None:
    small = SGD.read_text(encoding="utf-8")
    small = small.replace("x1: {int: [-3, 3], nonzero: true}", "x1: {choice: [1]}")
    small = small.replace("x2: {int: [-3, 3]}", "x2: {choice: [1]}")
    small = small.replace("b: {decimal: [-1, 1], digits: 1}", "b: {choice: [0]}")
    small = small.replace("w1: {int: [-2, 2]}", "w1: {choice: [1]}")
    small = small.replace("w2: {int: [-2, 2], exclude: [0]}", "w2: {int: [1, 2]}")
    problem = tmp_path / "s.yaml"
    problem.write_text(small, encoding="utf-8")
    code, text = build(tmp_path / "out", str(problem), "--variants", "5")
    assert code == 1
    assert "vary: allows only 4 different draws, fewer than the 5 variants asked for" in text
    assert not (tmp_path / "out").exists()


def test_roster_is_stable_when_a_student_is_appended(tmp_path: Path) -> None:
    first = "id,name\nB0912001,王小明\nB0912002,陳怡君\nB0912003,林志豪\n"
    (tmp_path / "a.csv").write_text(first, encoding="utf-8")
    (tmp_path / "b.csv").write_text(first + "B0912004,張雅婷\n", encoding="utf-8")
    for name in ("a", "b"):
        code, out = build(tmp_path / name, str(HW), "--roster", str(tmp_path / f"{name}.csv"),
                          "--seed", "9", "--format", "md", "--format", "json")
        assert code == 0, out
    a, b = tree(tmp_path / "a"), tree(tmp_path / "b")
    for student in ("B0912001", "B0912002", "B0912003"):
        for lang in ("en", "zh-TW"):
            for kind in ("question", "answer"):
                path = f"{lang}/{HW_ID}/{student}.{kind}.md"
                assert a[path] == b[path]
    rows_a = json.loads(a[f"{HW_ID}/answers.json"])["variants"]
    rows_b = json.loads(b[f"{HW_ID}/answers.json"])["variants"]
    assert rows_b[:3] == rows_a
    assert [r["student"] for r in rows_b] == ["B0912001", "B0912002", "B0912003", "B0912004"]
    assert rows_b[3]["name"] == "張雅婷"
    assert "學號 B0912002" in b[f"zh-TW/{HW_ID}/B0912002.question.md"].decode()


def test_roster_errors_name_the_line(tmp_path: Path) -> None:
    (tmp_path / "r.csv").write_text("id,name\nA1,x\nbad id,y\nA1,z\n", encoding="utf-8")
    code, text = build(tmp_path / "out", str(HW), "--roster", str(tmp_path / "r.csv"))
    assert code == 1
    assert "r.csv:3: id: student id 'bad id' cannot name a file" in text
    assert "r.csv:4: id: student id 'A1' appears twice" in text


def test_question_sheet_has_the_numbers_and_no_solution(tmp_path: Path) -> None:
    build(tmp_path, str(HW), "--variants", "2", "--seed", "4", "--lang", "en",
          "--format", "md", "--format", "json")
    question = (tmp_path / "en" / HW_ID / "v002.question.md").read_text()
    answer = (tmp_path / "en" / HW_ID / "v002.answer.md").read_text()
    row = json.loads((tmp_path / HW_ID / "answers.json").read_text())["variants"][1]
    decimal = row["answers"]["Derivative(MSE, w11)"]["decimal"]
    assert r"a = \begin{bmatrix}" in question and "Compute" in question
    assert decimal not in question and "chain rule" not in question
    assert rf"\approx {decimal}" in answer or rf"\approx {decimal.replace('e', '')}" in answer
    assert "Step 5. Substitute the given values" in answer


def test_stress_reports_acceptance_time_ranges_and_no_failures() -> None:
    result = CliRunner().invoke(main, ["stress", str(HW), "-n", "30", "--seed", "2"])
    assert result.exit_code == 0, result.output
    text = result.output
    assert "30 variants drawn, solved and verified" in text
    assert "acceptance rate of where:" in text and "time per variant:" in text
    assert "Derivative(MSE, w11): from " in text
    assert "failed checks: none" in text


def test_moodle_needs_variants() -> None:
    result = CliRunner().invoke(main, ["build", str(HW), "--format", "moodle"])
    assert result.exit_code == 2
    assert "--format moodle needs --variants N or --roster FILE" in result.output


@pytest.mark.parametrize(("draw", "expected"), [
    ({"int": [-2, 6], "step": 2, "exclude": [0]}, ["-2", "2", "4", "6"]),
    ({"int": [-1, 1], "nonzero": True}, ["-1", "1"]),
    ({"choice": [3, "1/2", 3, 0.25]}, ["3", "1/2", "1/4"]),
    ({"decimal": [-0.2, 0.1], "digits": 1}, ["-1/5", "-1/10", "0", "1/10"]),
    ({"fraction": {"num": [1, 2], "den": [2, 3]}}, ["1/3", "1/2", "2/3", "1"]),
])
def test_draw_candidates(draw: dict[str, object], expected: list[str]) -> None:
    assert [str(v) for v in candidates(Draw.model_validate(draw))] == expected


def test_values_with_the_wrong_shape_name_the_line(tmp_path: Path) -> None:
    text = HW.read_text(encoding="utf-8").replace("w: [[1, -1], [0, 2]]", "w: [[1, -1], [0]]")
    (tmp_path / "p.yaml").write_text(text, encoding="utf-8")
    line = text.splitlines().index("  w: [[1, -1], [0]]") + 1
    result = CliRunner().invoke(main, ["check", str(tmp_path / "p.yaml")])
    assert result.exit_code == 1
    assert f"p.yaml:{line}: values.w: 'w' has 4 elements, got 3 values" in result.output


def test_variants_of_a_problem_without_vary_is_an_error(tmp_path: Path) -> None:
    plain = ROOT / "problems" / "hw1-3-conv-w11.yaml"
    code, text = build(tmp_path / "out", str(plain), "--variants", "3")
    assert code == 1
    assert "hw1-3-conv-w11.yaml: has no vary: (nothing to draw variants from)" in text
    assert not (tmp_path / "out").exists()


def test_a_wrong_line_in_a_variant_stops_the_build(monkeypatch: pytest.MonkeyPatch) -> None:
    """The per-variant check is real: break the compiled truth and it must fail."""
    from generator.build.outputs import prepare_all
    from generator.build.variants import Request, solve_variants
    from generator.errors import StepCheckError
    from generator.variants.solution import Template

    problem = prepare_all([HW])[0]
    original = Template._lines

    def broken(self: Template, graph: object) -> object:
        lines = original(self, graph)  # type: ignore[arg-type]
        assert lines is not None
        key = next(k for k in lines.truth if isinstance(k, sympy.Derivative))
        right = lines.truth[key]
        lines.truth = {**lines.truth, key: lambda *args: 1 + right(*args)}
        return lines

    monkeypatch.setattr(Template, "_lines", broken)
    with pytest.raises(StepCheckError) as info:
        solve_variants(problem, Request(2, 1, None, False))
    text = info.value.render()
    assert "hw1-3-conv-w11-variants.yaml: variant v001 (seed " in text
    assert "Derivative(MSE, w11) = " in text and " ≠ " in text


@pytest.mark.slow
def test_output_does_not_depend_on_pythonhashseed(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    trees = []
    for hashseed in ("1", "2"):
        out = tmp_path / hashseed
        env = {**os.environ, "PYTHONHASHSEED": hashseed}
        subprocess.run([sys.executable, "-m", "generator", "build", str(HW), "--out", str(out),
                        "--variants", "3", "--seed", "4", "--format", "md", "--format", "json"],
                       check=True, env=env, capture_output=True)
        trees.append(tree(out))
    assert trees[0] == trees[1]


@pytest.mark.parametrize("path", [HW, SGD], ids=["gradient", "sgd_step"])
def test_variant_sheets_golden(tmp_path: Path, path: Path, update_golden: bool) -> None:
    """Exact text of variant 1's sheets and the key (review with `make golden`)."""
    code, out = build(tmp_path, str(path), "--variants", "2", "--seed", "1", "--format", "md",
                      "--format", "json")
    assert code == 0, out
    files = tree(tmp_path)
    folder = ROOT / "tests" / "golden" / "variants" / path.stem
    names = [f"{lang}/{path.stem}/v001.{kind}.md" for lang in ("en", "zh-TW")
             for kind in ("question", "answer")] + [f"{path.stem}/answers.csv"]
    for name in names:
        check_golden(folder / name.replace("/", "--"), files[name], update_golden)


def test_a_leaf_without_a_number_is_an_error_for_variants(tmp_path: Path) -> None:
    text = HW.read_text(encoding="utf-8").replace("  yy: 1\n", "").replace(
        "  yy: {int: [0, 1]}\n", "")
    (tmp_path / "p.yaml").write_text(text, encoding="utf-8")
    code, out = build(tmp_path / "out", str(tmp_path / "p.yaml"), "--variants", "2")
    assert code == 1
    line = text.splitlines().index("  - abs(dMSE_dw11) >= 0.01   # a gradient worth computing")
    assert f"p.yaml:{line + 1}: where[2]: yy has no number" in out
    text = text.replace("  - abs(dMSE_dw11) >= 0.01   # a gradient worth computing\n", "")
    (tmp_path / "p.yaml").write_text(text, encoding="utf-8")
    code, out = build(tmp_path / "out", str(tmp_path / "p.yaml"), "--variants", "2")
    assert code == 1
    line = text.splitlines().index("vary:") + 1
    assert f"p.yaml:{line}: vary: Derivative(MSE, w11) still depends on yy: a variant needs " \
           "numbers" in out
    assert not (tmp_path / "out").exists()


def test_combined_files_hold_every_variant(tmp_path: Path) -> None:
    build(tmp_path, str(HW), "--variants", "3", "--combined", "--lang", "en", "--format", "md")
    combined = (tmp_path / "en" / HW_ID / "answers.md").read_text()
    for k in ("001", "002", "003"):
        single = (tmp_path / "en" / HW_ID / f"v{k}.answer.md").read_text()
        body = single.split("\n# ", 1)[1].split("\n---\n")[0].split("\n", 1)[1]
        assert f"## HW 1-3 (with numbers) — variant {k} (answers)" in combined
        assert body.strip() in combined


def test_an_sgd_step_refuses_fractions_without_a_decimal_form(tmp_path: Path) -> None:
    text = SGD.read_text(encoding="utf-8").replace(
        "b: {decimal: [-1, 1], digits: 1}", "b: {fraction: {num: [1, 2], den: [3, 3]}}")
    (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    line = text.splitlines().index("  b: {fraction: {num: [1, 2], den: [3, 3]}}") + 1
    code, out = build(tmp_path / "out", str(tmp_path / "s.yaml"), "--variants", "2")
    assert code == 1
    assert f"s.yaml:{line}: vary.b: 1/3 has no exact decimal form" in out


@pytest.mark.skipif(shutil.which("latexmk") is None or shutil.which("pdfinfo") is None,
                    reason="needs TeX Live and poppler-utils")
@pytest.mark.parametrize(("engine", "producer"), [
    ("typst", "Typst"), pytest.param("xelatex", "xdvipdfmx", marks=pytest.mark.slow)])
def test_variant_sheets_use_the_chosen_pdf_engine(tmp_path: Path, engine: str,
                                                  producer: str) -> None:
    problem = ROOT / "problems" / "week1-sgd-step-variants.yaml"
    out = tmp_path / engine
    result = CliRunner().invoke(main, ["build", str(problem), "--out", str(out), "--lang",
                                       "en", "--variants", "1", "--format", "pdf",
                                       "--pdf-engine", engine])
    assert result.exit_code == 0, result.output
    for sheet in ("question", "answer"):
        pdf = out / "en" / "week1-sgd-step-variants" / f"v001.{sheet}.pdf"
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                              check=True).stdout
        assert producer in info, info


def test_an_array_in_wrt_gives_one_answer_per_entry(tmp_path: Path) -> None:
    """`wrt: [w]` for a 2×2 kernel crashed variants (KeyError 'w'); its answers equal those
    of the same problem asking for the four entries by name."""
    source = (ROOT / "problems" / "hw1-3-conv-w11-variants.yaml").read_text(encoding="utf-8")
    source = "\n".join(line for line in source.splitlines() if "dMSE_dw11" not in line)
    keys: dict[str, str] = {}
    for name, wrt in (("array", "[w]"), ("entries", "[w11, w12, w21, w22]")):
        path = tmp_path / f"{name}.yaml"
        path.write_text(source.replace("wrt: [w11]", f"wrt: {wrt}"), encoding="utf-8")
        out = tmp_path / f"out-{name}"
        result = CliRunner().invoke(main, ["build", str(path), "--out", str(out), "--variants",
                                           "3", "--lang", "en", "--format", "md"])
        assert result.exit_code == 0, result.output
        keys[name] = (out / "hw1-3-conv-w11-variants" / "answers.csv").read_text("utf-8")
    assert keys["array"] == keys["entries"]
    assert keys["array"].splitlines()[0].endswith(
        '"Derivative(MSE, w11)","Derivative(MSE, w12)","Derivative(MSE, w21)",'
        '"Derivative(MSE, w22)"')
