"""Stage 7 — what a document shows: a verified solution (or a variant's question and
answer sheets) as the typed view model templates read (`document.py`: the types;
`model.py`, `sheets.py`: building them).

May import `variants/`, `solvers/`, `check/`, `algebra/`, `theme/` and below.
"""
