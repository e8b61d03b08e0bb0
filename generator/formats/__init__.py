"""Stage 8 — a view model to bytes: Markdown and LaTeX through templates (`text.py`),
PDF (`pdf.py`, typst or xelatex, `fonts.py`), HTML and DOCX through pandoc (`pandoc.py`;
a class's HTML sheets share conversions, `skeleton.py`; its typst sources share
formulas, `typst_formulas.py`, and writes, `typst_skeleton.py`; formulas by KaTeX, `katex.py`,
in one long-lived node, `katex_child.py`), Moodle XML (`moodle.py`) and the JSON answer
key (`answer_key.py`); `produce.py` picks one.

May import `view/` and below.
"""
