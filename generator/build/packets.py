"""A sheet's per-student packets, for `solgen build SHEET.yaml --roster F` / `--variants N`.

Layout (as for one problem's variants, build/variants.py, under the sheet's id):

    OUT/<lang>/<sheet>/<label>.question.<ext>   every part's question, the student's numbers
    OUT/<lang>/<sheet>/<label>.answer.<ext>     every part's verified solution
    OUT/<lang>/<sheet>/questions.<ext>          every packet, one student per page (--combined)
    OUT/<lang>/<sheet>/answers.<ext>            likewise for the answer sheets (--combined)
    OUT/<sheet>/answers.json, answers.csv       the class answer key across parts

The draw is joint (variants/packet.py): one data set per student across the parts. Each
varied part's variants are solved from its template and checked as a single problem's are;
a failing line stops the sheet.
"""

from __future__ import annotations

from pathlib import Path

from generator.build.outputs import Output
from generator.build.progress import Tick
from generator.build.variants import Request, class_files
from generator.errors import StepCheckError
from generator.formats.produce import FORMATS, produce_many
from generator.limits import time_limit
from generator.solvers.problem import Problem
from generator.solvers.sheet import Sheet
from generator.theme.theme import Theme
from generator.variants.packet import Packet, PacketSampler, numbered_packets, student_packets
from generator.variants.packet_key import packet_csv, packet_json
from generator.variants.solution import Solved, Template
from generator.view.document import Document
from generator.view.packets import Packets


def varies(sheet: Sheet) -> bool:
    """Does any part of the sheet have `vary:` (so it has packets to draw)?"""
    return bool(PacketSampler(sheet).parts)


class Drawn:
    """Every packet of one sheet, drawn and solved."""

    def __init__(self, sheet: Sheet, request: Request, progress: Tick | None = None) -> None:
        sampler = PacketSampler(sheet)
        self.sheet = sheet
        self.parts: dict[str, Problem] = {p.number: p.sampler.problem for p in sampler.parts}
        self.templates = {p.number: Template(p.sampler.problem, p.sampler)
                          for p in sampler.parts}
        self.packets: list[Packet] = (
            student_packets(sampler, request.seed, request.roster)
            if request.roster is not None else
            numbered_packets(sampler, request.seed, request.count or 0))
        self.solved: list[dict[str, Solved]] = []
        for done, packet in enumerate(self.packets, 1):
            self.solved.append(self._solve(packet, request.seconds))
            if progress is not None:
                progress(done, len(self.packets), f"solved packet {packet.label}")
        bad = [f"{self.parts[n].path}: {sheet.path} packet {s.variant.label} (seed "
               f"{s.variant.seed}): {f}" for one in self.solved for n, s in one.items()
               for f in s.failures]
        if bad:
            raise StepCheckError("\n".join(bad))

    def _solve(self, packet: Packet, seconds: float) -> dict[str, Solved]:
        with time_limit(seconds, f"{self.sheet.path}: packet {packet.label}"):
            return {n: self.templates[n].solve(v) for n, v in packet.parts.items()}

    def documents(self, theme: Theme, lang: str) -> tuple[Packets, list[Document],
                                                           list[Document]]:
        view = Packets(self.sheet, self.templates, theme.voice(lang))
        return (view, [view.question(k, s) for k, s in zip(self.packets, self.solved,
                                                           strict=True)],
                [view.answer(k, s) for k, s in zip(self.packets, self.solved, strict=True)])


def packet_outputs(sheet: Sheet, out: Path, langs: list[str], formats: list[str],
                   request: Request, theme: Theme, progress: Tick | None = None
                   ) -> list[Output]:
    """Every packet file of one sheet (a unit of a parallel build)."""
    drawn = Drawn(sheet, request, progress)
    sid = sheet.spec.id
    files = [Output(out / sid / "answers.json", packet_json(
                 sheet, drawn.parts, drawn.packets, drawn.solved, request.seed)),
             Output(out / sid / "answers.csv", packet_csv(
                 drawn.parts, drawn.packets, drawn.solved, request.bom))]
    kinds = [f for f in formats if f in FORMATS]  # LMS exports are one problem's questions
    labels = [p.label for p in drawn.packets]
    engine = request.pdf_engine
    for lang in langs:
        view, questions, answers = drawn.documents(theme, lang)
        folder = out / lang / sid
        for fmt in kinds:
            asked = produce_many(questions, fmt, [f"{x}.question" for x in labels], theme,
                                 engine)
            shown = produce_many(answers, fmt, [f"{x}.answer" for x in labels], theme, engine)
            for label, q, a in zip(labels, asked, shown, strict=True):
                files.append(Output(folder / f"{label}.question.{fmt}", q))
                files.append(Output(folder / f"{label}.answer.{fmt}", a))
            if request.combined:
                files += class_files(folder, fmt, view, questions, answers, request, theme)
    return files
