"""Stage 2 — mathematics without a problem: text → sympy (`expr.py`, the only parser of
author text), the activation functions defined once for sympy, mpmath and LaTeX
(`functions.py`), the one LaTeX printer (`printing.py`), the mpmath evaluators
(`evaluator.py`, `numbers.py`), display-only objects (`notation.py`), the step trace
(`trace.py`) and text helpers for sentences and Markdown math.

May import `spec/`, `errors`, `limits`.
"""
