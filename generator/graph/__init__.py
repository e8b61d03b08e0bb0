"""Stage 3 — the computation graph: scalar nodes over leaves, paths loss → parameter.

`model.py` is the graph as data, `compiler.py` builds it from a spec (written nodes,
`for:` families from `families.py` with the index grammar of `indices.py`) and calls the
layer macros in `layers/`, which see only the `Builder` protocol of `builder.py`.
`values.py` reads `values:` (numbers for leaves). May import `spec/`, `algebra/`,
`errors`, `limits`; nothing above.
"""
