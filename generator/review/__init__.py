"""Above `build/`, beside `preview` and `api`: `solgen review`, checking a person's derivation.

A submission (Markdown or LaTeX) is split into math (`document.py`), rows and chains of
relations (`chains.py`), read by the independent reader (`algebra/reader.py`), given meaning
by its own definitions or a problem file (`words.py`, `setup.py`, `meaning.py`), and each link
is checked by `check/verify.py` (`links.py`, `checker.py`); `report.py` writes the annotated
copy or JSON, `batch.py` a class folder. May import `build/` and every stage below it.
"""
