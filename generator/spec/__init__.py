"""Stage 1 — problem files as data: safe YAML with the line of every key (`source.py`),
pydantic models of every kind (`models.py`, with the layer macros in `layers.py` and
`vary:` in `vary.py`), and the generated YAML reference (`reference.py`).

May import `errors` and `limits` only: nothing here knows sympy.
"""
