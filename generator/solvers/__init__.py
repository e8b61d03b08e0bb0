"""Stage 5 — one module per problem kind, and what the kinds share.

Each kind module (gradient, sgd, derivatives, identity, discussion, training) owns its
solver, its checks and its variant hooks, declared as `KIND` with the types of
`kind.py`; `registry.py` finds a spec's kind (modules load on first use, so a build only
imports the kinds it meets). `parts/` holds derivations several kinds share; `problem.py`
takes a file through spec → graph → verified solution, `sheet.py` assembles sheets.

May import `check/`, `graph/`, `theme/`, `algebra/`, `spec/`, `errors`, `limits`.
"""
