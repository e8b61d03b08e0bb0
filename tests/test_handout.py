"""Issue 15: what a student's page shows, and what only the teacher's copy and the key show."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from conftest import ROOT

from generator.cli import main

SGD = str(ROOT / "problems" / "week1-sgd-step.yaml")
MINIBATCH = str(ROOT / "problems" / "minibatch-sgd.yaml")


def _build(tmp_path: Path, *args: str) -> Path:
    result = CliRunner().invoke(main, ["build", *args, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    return tmp_path


def test_the_student_page_says_checked_and_nothing_about_engines(tmp_path: Path) -> None:
    out = _build(tmp_path, SGD, MINIBATCH, "--format", "md", "--format", "json")
    for lang in ("zh-TW", "en"):
        for name in ("week1-sgd-step", "minibatch-sgd"):
            page = (out / lang / f"{name}.md").read_text("utf-8")
            assert "sympy" not in page and "mpmath" not in page
    assert (out / "zh-TW" / "week1-sgd-step.md").read_text("utf-8").endswith(
        "---\n\n本解答每一步皆經電腦驗算。\n")
    key = json.loads((out / "week1-sgd-step.json").read_text("utf-8"))
    counted = key["verification"]
    assert counted["steps"] == len(key["steps"]) == 21
    assert counted["proved"] == sum(1 for s in key["steps"] if s["check"] == "proved")
    assert counted["numeric"] == sum(1 for s in key["steps"] if s["check"] == "numeric")
    assert sum(counted["methods"].values()) == counted["steps"]
    assert counted["engines"] == {"symbolic": "sympy", "numeric": "mpmath, 40 significant digits"}


def test_audit_appends_the_counts_as_a_last_section(tmp_path: Path) -> None:
    out = _build(tmp_path, SGD, "--format", "md", "--audit")
    page = (out / "zh-TW" / "week1-sgd-step.md").read_text("utf-8")
    appendix = page[page.index("## 驗證紀錄"):]
    assert appendix.startswith("## 驗證紀錄\n\n本解答的 21 個步驟皆經 sympy 驗證（21 個符號證明，")
    assert "## Verification record\n\nAll 21 steps" in (out / "en" / "week1-sgd-step.md"
                                                          ).read_text("utf-8")


def test_statements_state_their_givens(tmp_path: Path) -> None:
    """θ⁰ of a training run and a numeric α are stated before they are used."""
    variants = str(ROOT / "problems" / "week1-sgd-step-variants.yaml")
    out = _build(tmp_path, MINIBATCH, variants, "--format", "md", "--lang", "zh-TW")
    page = (out / "zh-TW" / "minibatch-sgd.md").read_text("utf-8")
    given = page.index(r"初始參數 $\theta^{(0)} = (w_{1}, w_{2}, b) = (0.5, -0.25, 0)$")
    assert given < page.index("Step.2")
    sgd = (out / "zh-TW" / "week1-sgd-step-variants.md").read_text("utf-8")
    stated = sgd.index(r"$\alpha=0.1$）：**")
    assert stated < sgd.index(r"\theta^{0} - 0.1")


def test_a_training_step_shows_each_sample_then_the_mean_then_momentum(tmp_path: Path) -> None:
    """Per sample the forward values and the gradient with its numbers, as a TA writes
    them; then the batch mean with the numbers, the velocity and the update."""
    out = _build(tmp_path, MINIBATCH, "--format", "md", "--lang", "en")
    page = (out / "en" / "minibatch-sgd.md").read_text("utf-8")
    step = page[page.index("### Step 3."):page.index("### Step 4.")]
    assert ("Sample 3 ($x_{1} = 2,\\ x_{2} = -1,\\ y = 1$), forward pass and gradient:\n$$\n"
            "\\begin{aligned}\n"
            "z_{3}^{(1)} &= 0 + 0.5 \\cdot 2 + (-0.25) \\cdot (-1) = 1.25000 \\\\\n"
            "p_{3}^{(1)} &= \\sigma(1.25000) \\approx 0.777300 \\\\\n"
            # p − y with p's decimals (issue 15), and every gradient with as many.
            "g_{z,3}^{(1)} &= 0.777300 - 1 \\approx -0.222700 \\\\\n"
            "g_{w_{1},3}^{(1)} &= (-0.222700) \\cdot 2 \\approx -0.445400 \\\\\n"
            "g_{w_{2},3}^{(1)} &= (-0.222700) \\cdot (-1) \\approx 0.222700 \\\\\n"
            "g_{b,3}^{(1)} &= g_{z,3}^{(1)} \\approx -0.222700\n"
            "\\end{aligned}\n$$\n") in step
    mean = step[step.index("The batch mean"):]
    lines = [line.split("&")[0].strip() for line in mean.splitlines() if "&" in line]
    # v and θ each with their numbers put in, then the value (tests/test_update_working.py).
    assert lines[:9] == [r"\bar{g}_{w_{1}}^{(1)}", "", "", r"v_{w_{1}}^{(1)}", "", "",
                         r"w_{1}^{(1)}", "", ""]
    assert (r"\bar{g}_{w_{1}}^{(1)} &= \frac{1}{2} (g_{w_{1},3}^{(1)} + g_{w_{1},1}^{(1)}) \\"
            "\n" r"&= \frac{1}{2} (-0.445400 - 0.500000) \\" "\n" r"&\approx -0.472700" in mean)
    assert r"v_{w_{1}}^{(1)} &= 0.9 \cdot 0 + \bar{g}_{w_{1}}^{(1)}" in mean


def test_the_seeds_notation_and_sentences(tmp_path: Path) -> None:
    """h(x₁,x₂), 「計算各部份的偏微分：」 and 捲積, as seeds 000 and 002 write them."""
    out = _build(tmp_path, SGD, str(ROOT / "problems" / "hw1-3-conv-w11.yaml"),
                 "--format", "md", "--lang", "zh-TW")
    sgd = (out / "zh-TW" / "week1-sgd-step.md").read_text("utf-8")
    assert r"h(x_{1},x_{2}) = \sigma(z)" in sgd
    hw = (out / "zh-TW" / "hw1-3-conv-w11.md").read_text("utf-8")
    assert "### Step.3 計算偏微分\n\n計算各部份的偏微分：\n$$" in hw
    assert "捲積層送入激勵函數前的數值" in hw and "卷積" not in hw


def test_a_class_file_starts_every_student_on_a_new_page(tmp_path: Path) -> None:
    import shutil
    import subprocess

    import pytest

    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils missing: run scripts/system-deps.sh test")
    roster = tmp_path / "class.csv"
    roster.write_text("id,name\n" + "".join(f"s{i:03},N{i}\n" for i in range(1, 31)), "utf-8")
    out = _build(tmp_path / "o", str(ROOT / "problems" / "hw1-3-conv-w11-variants.yaml"),
                 "--roster", str(roster), "--combined", "--format", "pdf", "--lang", "en")
    folder = out / "en" / "hw1-3-conv-w11-variants"
    for kind in ("questions", "answers"):
        text = subprocess.run(["pdftotext", str(folder / f"{kind}.pdf"), "-"],
                              capture_output=True, text=True, check=True).stdout
        pages = [p for p in text.split("\f") if p.strip()]
        owners = [[f"s{i:03}" for i in range(1, 31) if f"student s{i:03}" in page]
                  for page in pages]
        # Every page belongs to exactly one student; each student's pages are consecutive.
        assert all(len(o) <= 1 for o in owners), owners
        firsts = [o[0] for o in owners if o]
        assert firsts == sorted(firsts) and len(set(firsts)) == 30, (kind, firsts)
        # A page that names a student names them at its top: the sheet starts the page.
        assert all(page.lstrip().startswith("HW 1-3") for page, o in zip(pages, owners,
                                                                          strict=True) if o)
