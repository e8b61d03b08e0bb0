"""Stage 4 — verification: every step checked against the previous one or the ground
truth (`verify.py`), and the results an author states under `expect:` (`expectations.py`).

May import `graph/`, `algebra/`, `spec/`, `errors`, `limits`.
"""
