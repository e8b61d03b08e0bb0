"""Beside the view — the look of documents: where each template resolves from
(`templates.py`), the sentences in each language (`messages.py`), the sandboxed Jinja
environments (`jinja.py`), and the `Theme` of a run that binds them (`theme.py`, chosen and
checked by `selection.py`, passed down explicitly). Knows no problem, solution or kind.

May import `spec.source` (message files keep their lines), `errors`, `limits`.
"""
