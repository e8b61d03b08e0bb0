"""Stage 6 — one problem, other numbers: drawing a variant (`sampler.py`), solving it from
the solved template (`solution.py`, `lines.py`, `slots.py`), its answer-key entry
(`key.py`) and the stress run (`stress.py`).

May import `solvers/` and below; never `view/`, `formats/` or `build/`.
"""
