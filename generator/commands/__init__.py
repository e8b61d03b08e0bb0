"""The `solgen` commands, one module per group of them; `generator/cli.py` puts them
together under one click group and is the one place where errors become exit codes.

May import every stage (it sits just below `cli`).
"""
