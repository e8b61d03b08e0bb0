"""Stage 9 — files on disk: which outputs a build makes and their atomic writes
(`outputs.py`), variant sheets of a class (`variants.py`), parallel jobs (`jobs.py`), the
no-op rebuild (`cache.py`), progress lines (`progress.py`) and starters (`scaffold.py`).

May import every stage below; only `cli.py` imports it.
"""
