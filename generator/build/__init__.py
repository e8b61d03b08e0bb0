"""Stage 9 — files on disk: which outputs a build makes (`outputs.py`), variant sheets of a
class (`variants.py`), parallel jobs and their workers' lifeline (`jobs.py`, `lifeline.py`),
the no-op rebuild (`cache.py`), the all-or-nothing swap of the output folder and its lock
(`staging.py`, `lock.py`), operating-system errors and bounded reads (`filesystem.py`),
names that must work as file names everywhere (`names.py`), progress lines (`progress.py`)
and starters (`scaffold.py`).

May import every stage below; only `cli.py` imports it.
"""
