"""Issue 15 (Deliver 6): a sheet's per-student packets from a roster.

tests/fixtures/packet/homework.yaml: (1) ∂L/∂w₁ of one sigmoid neuron, (2) one SGD step of
the same neuron, both varying x1, x2, y, b, w1, w2 the same way, (3) a discussion without
vary:. One build of a class of 30 is shared by the tests that read its files.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import sympy
from click.testing import CliRunner
from conftest import ROOT

from generator.cli import main

FOLDER = ROOT / "tests" / "fixtures" / "packet"
SHEET = FOLDER / "homework.yaml"
SHARED = ("b", "w1", "w2", "x1", "x2", "y")
CLASS = [(f"s{i:03}", f"Student {i}") for i in range(1, 31)]


def _build(out: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["build", *args, "--out", str(out)])
    return result.exit_code, result.output


def _roster(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.write_text("id,name\n" + "".join(f"{i},{n}\n" for i, n in rows), "utf-8")
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("packets")
    out = tmp / "out"
    code, text = _build(out, str(SHEET), "--roster", str(_roster(tmp / "class.csv", CLASS)),
                        "--seed", "2024", "--combined", "--lang", "en", "--format", "md",
                        "--format", "pdf")
    assert code == 0, text
    return out


def _key(out: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((out / "neuron-homework" / "answers.json")
                                        .read_text("utf-8"))
    return loaded


def test_one_packet_per_student_with_the_same_data_in_every_part(built: Path) -> None:
    key = _key(built)
    assert key["parts"] == {"1": "neuron-gradient", "2": "neuron-step"}
    assert [v["student"] for v in key["variants"]] == [s for s, _ in CLASS]
    folder = built / "en" / "neuron-homework"
    for sid, _ in CLASS:
        assert (folder / f"{sid}.question.pdf").is_file()
        assert (folder / f"{sid}.answer.md").is_file()
    draws = set()
    for entry in key["variants"]:
        one, two = entry["parts"]["1"]["values"], entry["parts"]["2"]["values"]
        assert {n: one[n] for n in SHARED} == {n: two[n] for n in SHARED} == entry["values"]
        draws.add(tuple(entry["values"][n] for n in SHARED))
    assert len(draws) == 30  # every student their own data


def test_the_parts_answers_agree_with_an_independent_computation(built: Path) -> None:
    """∂L/∂w₁ of part (1) by sympy diff; part (2)'s w₁¹ = w₁ − 0.1·∂L/∂w₁ of the same data."""
    x1, x2, y, b, w1, w2 = sympy.symbols("x1 x2 y b w1 w2")
    loss = (y - 1 / (1 + sympy.exp(-(b + w1 * x1 + w2 * x2)))) ** 2
    grad = sympy.diff(loss, w1)
    for entry in _key(built)["variants"]:
        point = {sympy.Symbol(n): sympy.Rational(v) for n, v in entry["values"].items()}
        exact = grad.subs(point).evalf(40)
        part1 = entry["parts"]["1"]["answers"]["Derivative(L, w1)"]["decimal"]
        assert abs(sympy.Float(part1, 40) - exact) <= sympy.Float("5e-7"), entry["student"]
        step = (point[w1] - sympy.Rational(1, 10) * grad.subs(point)).evalf(40)
        part2 = entry["parts"]["2"]["answers"]["w1^(1)"]["decimal"]
        assert abs(sympy.Float(part2, 40) - step) <= sympy.Float("5e-7"), entry["student"]


def test_a_packet_names_its_student_and_states_each_part_with_their_numbers(built: Path
                                                                           ) -> None:
    entry = _key(built)["variants"][0]
    v = entry["values"]
    page = (built / "en" / "neuron-homework" / "s001.question.md").read_text("utf-8")
    code = f"{entry['seed']:016x}"[:6]  # the first hex digits of the packet's seed
    assert ("# One-neuron homework — student s001\n\nName: Student 1 · Student ID: s001 · "
            f"Variant: {code}\n") in page
    assert page.index("## (1) The gradient of one neuron") < page.index(
        "## (2) One SGD step (with numbers)") < page.index("## (3) Discussion")
    assert f"$x_1 = {v['x1']},\\quad x_2 = {v['x2']},\\quad y = {v['y']}" in page
    assert f"$(x_{{1}},x_{{2}},y)=({v['x1']},{v['x2']},{v['y']})$" in page
    # The discussion asks on the question sheet and answers only on the answer sheet.
    assert "**Question 1.** Why is the gradient small" in page
    assert "Model answer" not in page
    answer = (built / "en" / "neuron-homework" / "s001.answer.md").read_text("utf-8")
    assert "*Model answer.*" in answer and answer.count("\\approx") >= 2


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return text.split("\f")[:-1]  # pdftotext ends every page with a form feed


def _count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    return int(next(line.split()[1] for line in info.splitlines()
                    if line.startswith("Pages:")))


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing")
def test_the_class_file_gives_every_student_their_own_pages(built: Path) -> None:
    folder = built / "en" / "neuron-homework"
    for kind in ("question", "answer"):
        combined = folder / f"{kind}s.pdf"
        pages = _pages(combined)
        assert len(pages) == _count(combined)
        owners = [[s for s, _ in CLASS if f"student {s}" in page] for page in pages]
        assert all(len(o) <= 1 for o in owners), owners
        starts = [i for i, o in enumerate(owners) if o]
        assert [owners[i][0] for i in starts] == [s for s, _ in CLASS]
        # Each student's range is as long as their own file: a new page per student.
        lengths = [b - a for a, b in zip(starts, [*starts[1:], len(pages)], strict=True)]
        assert lengths == [_count(folder / f"{s}.{kind}.pdf") for s, _ in CLASS]
        assert all(pages[i].lstrip().startswith("One-neuron homework — student")
                   for i in starts[1:])
        assert all(f"Name: Student {n} · Student ID: s{n:03}" in pages[i]
                   for n, i in enumerate(starts, 1))


def test_packets_are_seeded_by_the_student_id() -> None:
    """A student's packet does not depend on who else is in the roster, nor on their order."""
    from generator.build.outputs import prepare_one
    from generator.variants.packet import PacketSampler, student_packets

    sheet = prepare_one(SHEET, 60, {})
    sampler = PacketSampler(sheet)  # type: ignore[arg-type]
    two = student_packets(sampler, 7, [("a1", ""), ("b2", "")])
    three = student_packets(sampler, 7, [("c3", ""), ("b2", ""), ("a1", "")])

    def drawn(packet: Any) -> dict[str, Any]:
        return {n: v.drawn.drawn for n, v in packet.parts.items()}

    assert drawn(two[0]) == drawn(three[2]) and drawn(two[1]) == drawn(three[1])
    assert drawn(two[0]) != drawn(two[1])


def test_a_name_two_parts_draw_differently_is_refused(tmp_path: Path) -> None:
    for name in ("homework.yaml", "neuron-gradient.yaml", "notes.yaml"):
        shutil.copy(FOLDER / name, tmp_path / name)
    step = (FOLDER / "neuron-step.yaml").read_text("utf-8")
    step = step.replace("w1: {int: [-2, 2]}", "w1: {int: [-3, 3]}")
    (tmp_path / "neuron-step.yaml").write_text(step, "utf-8")
    line = step.splitlines().index("  w1: {int: [-3, 3]}") + 1
    out = tmp_path / "out"
    code, text = _build(out, str(tmp_path / "homework.yaml"), "--variants", "3",
                        "--format", "md")
    assert code == 1
    assert f"neuron-step.yaml:{line}: vary.w1: 'w1' is drawn differently in " in text
    assert "hint: a name several parts vary is drawn once per student" in text
    assert not out.exists()


def test_a_roster_name_is_plain_text_in_the_header(tmp_path: Path) -> None:
    roster = _roster(tmp_path / "r.csv", [("x1", "$\\input{/etc/passwd}$ **Zoë** O'Neil")])
    code, text = _build(tmp_path / "out", str(SHEET), "--roster", str(roster), "--lang", "en",
                        "--format", "md")
    assert code == 0, text
    page = (tmp_path / "out" / "en" / "neuron-homework" / "x1.question.md").read_text("utf-8")
    assert "Name: input etc passwd Zoë O'Neil · Student ID: x1 · " in page
