"""Issue 15 leftovers: numbers printed as the file writes its data, training tables rounded
once per column, and the closing note kept with the block before it in typst PDFs."""

from __future__ import annotations

import re
import shutil
import subprocess
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import mpmath
import pytest
from click.testing import CliRunner
from conftest import ROOT

from generator.cli import main
from generator.formats.pdf import typst_pdf
from generator.theme.theme import Theme

PROBLEMS = ROOT / "problems"


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("decimals")
    names = ("attention-head", "rnn-bptt", "dropout-mask", "minibatch-sgd")
    result = CliRunner().invoke(main, ["build", *[str(PROBLEMS / f"{n}.yaml") for n in names],
                                       "--format", "md", "--lang", "en", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return {n: (out / "en" / f"{n}.md").read_text("utf-8") for n in names}


def test_a_terminating_result_of_decimal_data_prints_as_a_decimal(pages: dict[str, str]
                                                                   ) -> None:
    page = pages["attention-head"]
    assert ("k_{2} &= 1 \\cdot (-0.5) \\\\\n&= -0.5 \\\\\n" in page)
    assert ("v_{2} &= (-1) \\cdot (-0.5) \\\\\n&= 0.5 \\\\\n" in page)
    # …and where later lines use the node: s₂ = k₂·q, e^{s₂}, a₂·v₂.
    assert "s_{2} &= (-0.5) \\cdot 1 \\\\\n&= -0.5 \\\\\n" in page
    assert "a_{2} &= \\frac{e^{-0.5}}{e^{1} + e^{-0.5} + e^{2}} \\\\\n" in page
    assert "o &= a_{1} \\cdot (-1) + a_{2} \\cdot 0.5 + a_{3} \\cdot (-2) \\\\\n" in page
    assert "\\frac{1}{2}" not in page[page.index("### Step 4."):]


def test_a_short_node_and_a_power_of_a_number_read_as_written(pages: dict[str, str]) -> None:
    page = pages["rnn-bptt"]
    assert "a_{1} &= 0 + 0.5 \\cdot 0.5 + 1 \\cdot 0.5 \\\\\n&= 0.75 \\\\\n" in page
    assert "h_{1} &= \\tanh(0.75) \\\\\n" in page
    assert "a_{2} &= 0 + \\tanh(0.75) \\cdot 0.5 + 1 \\cdot 0.5 \\\\\n" in page
    # 0.5·0.5², not `0.5 0.5²`, which reads as one number 0.50.5².
    assert "+ 0.5 \\cdot {0.5}^{2} (1 - \\tanh^{2}(0.75))" in page
    assert "\\frac{3}{4}" not in page


def test_a_constant_written_as_a_decimal_prints_as_one(pages: dict[str, str]) -> None:
    page = pages["dropout-mask"]
    assert "d_{1} &= \\frac{1 \\cdot 0.5}{1 - 0.5} \\\\\n&= 1 \\\\\n" in page
    assert "\\hat{y} &= 0.2 \\cdot 1 + (-0.4) \\cdot 0 + 0.3 \\cdot 4 \\\\\n&= 1.4\n" in page
    # Step 1 states the constant as the file writes it, not as 1/2.
    assert "+ $p=0.5$ is a constant\n" in page and "frac{1}{2}" not in page


def test_an_exact_answer_ends_with_its_value_not_a_rounded_decimal(pages: dict[str, str]
                                                                   ) -> None:
    # ∂L/∂w = −2(y − ŷ)·d with y = 1, ŷ = 1.4: d₁ = 1 gives 0.8 and d₂ = 0 gives 0, exactly.
    page = pages["dropout-mask"]
    assert "&= - 2 (1 - 1.4) \\cdot 1 \\\\\n&= 0.8\n" in page
    assert "&= - 2 (1 - 1.4) \\cdot 0 \\\\\n&= 0\n" in page
    assert "0.800000" not in page and "0.000000" not in page


def _momentum_run() -> list[list[mpmath.mpf]]:
    """minibatch-sgd.yaml by hand at 50 digits: logistic regression, BCE, μ = 0.9, η = 0.5."""
    data = [(1, 2, 1), (-1, mpmath.mpf("0.5"), 0), (2, -1, 1), (0, 1, 0)]
    theta = [mpmath.mpf("0.5"), mpmath.mpf("-0.25"), mpmath.mpf(0)]
    velocity = [mpmath.mpf(0)] * 3
    thetas = [theta]
    for batch in ([3, 1], [4, 2]):
        grad = [mpmath.mpf(0)] * 3
        for k in batch:
            x1, x2, y = data[k - 1]
            p = 1 / (1 + mpmath.exp(-(theta[0] * x1 + theta[1] * x2 + theta[2])))
            grad = [g + (p - y) * x / len(batch) for g, x in zip(grad, (x1, x2, 1),
                                                                strict=True)]
        velocity = [mpmath.mpf("0.9") * v + g for v, g in zip(velocity, grad, strict=True)]
        theta = [t - mpmath.mpf("0.5") * v for t, v in zip(theta, velocity, strict=True)]
        thetas.append(theta)
    return thetas


def test_training_table_cells_are_rounded_once_to_their_column(pages: dict[str, str]) -> None:
    page = pages["minibatch-sgd"]
    table = page[page.index("| step | batch |"):]
    rows = [line for line in table.splitlines() if re.match(r"\| \$\d\$ \|", line)]
    assert rows[2] == ("| $2$ | $( 4, \\  2)$ | $1.03860$ | $-0.058351$ | $0.120949$ "
                       "| $0.363572$ |")
    with mpmath.workdps(50):
        thetas = _momentum_run()
        for row, theta in zip(rows, thetas, strict=True):
            cells = [c.strip(" $") for c in row.split("|")[3:6]]
            for cell, value in zip(cells, theta, strict=True):
                places = len(cell.split(".")[1])
                exact = Decimal(mpmath.nstr(value, 45, strip_zeros=False))
                assert cell == str(exact.quantize(Decimal(1).scaleb(-places),
                                                  ROUND_HALF_EVEN)), (cell, value)
    # One column, one number of decimals (w₂: −0.250000, −0.055675, −0.058351).
    columns = list(zip(*[[c.strip(" $") for c in r.split("|")[3:7]] for r in rows],
                       strict=True))
    assert all(len({len(c.split(".")[1]) for c in col}) == 1 for col in columns)


def test_a_zero_in_a_training_line_prints_as_the_seeds_write_it(pages: dict[str, str]) -> None:
    page = pages["minibatch-sgd"]
    assert "v_{w_{1}}^{(1)} &= 0.9 \\cdot 0 + \\bar{g}_{w_{1}}^{(1)} \\\\\n" in page
    assert "b^{(1)} &= 0 - 0.5 v_{b}^{(1)} \\\\\n" in page
    assert "w_{2}^{(1)} &= -0.25 - 0.5 v_{w_{2}}^{(1)} \\\\\n" in page
    # No zero as 0.0 (0.00535, a number with its decimals, is no zero).
    assert not re.search(r"(?<![0-9.])0\.0(?![0-9])", page)


def _page_texts(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return [p for p in text.split("\f") if p.strip()]


CLOSING = "本解答每一步皆經電腦驗算。"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing")
def test_the_closing_note_never_starts_a_page_alone(tmp_path: Path) -> None:
    """rnn-bptt zh-TW used to end on a page holding only the closing note; so did a page
    filled to the brim by displays, whichever number of them that takes."""
    out = tmp_path / "rnn"
    result = CliRunner().invoke(main, ["build", str(PROBLEMS / "rnn-bptt.yaml"), "--format",
                                       "pdf", "--lang", "zh-TW", "--out", str(out)])
    assert result.exit_code == 0, result.output
    last = _page_texts(out / "zh-TW" / "rnn-bptt.pdf")[-1]
    # The sheet ends with the time sum's closing sentence (梯度消失), on the note's page.
    assert CLOSING in last and "（梯度消失）" in last
    display = "由定義：\n$$\n\\begin{aligned}\na &= b + c \\\\\n&= d\n\\end{aligned}\n$$\n\n"
    for filler in range(10, 15):  # 12 displays orphaned it
        markdown = (f"---\ntitle: T\nlang: zh-TW\n---\n\n# T\n\n{display * filler}"
                    f"---\n\n{CLOSING}\n")
        pdf = tmp_path / f"{filler}.pdf"
        pdf.write_bytes(typst_pdf(markdown, "zh-TW", Theme()))
        pages = _page_texts(pdf)
        closing = next(p for p in pages if CLOSING in p)
        assert "由定義：" in closing, (filler, len(pages))
