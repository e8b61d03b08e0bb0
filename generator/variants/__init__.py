"""Stage 6 — one problem, other numbers: drawing a variant (`sampler.py`), solving it from
the solved template (`solution.py`, `lines.py`, `slots.py`; a kind solved in full by
substitution: `instances.py`, its lines and exact answers from per-class templates in
`line_templates.py`, `printed.py`, `answer_templates.py`), its answer-key entry (`key.py`)
and the stress run (`stress.py`).

May import `solvers/` and below; never `view/`, `formats/` or `build/`.
"""
