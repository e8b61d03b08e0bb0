"""Stage 7 — what a document shows: a verified solution (or a variant's question and
answer sheets) as the view model templates read (`model.py`, `sheets.py`).

May import `variants/`, `solvers/`, `check/`, `algebra/`, `theme/` and below.
"""
