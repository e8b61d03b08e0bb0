"""Beside the view — the look of documents: where each template resolves from
(`templates.py`), the sentences in each language (`messages.py`) and the sandboxed Jinja
environments (`jinja.py`). Knows no problem, solution or kind.

May import `spec.source` (message files keep their lines), `errors`, `limits`.
"""
