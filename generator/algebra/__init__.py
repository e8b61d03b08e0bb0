"""Algebra: turning text into sympy expressions and sympy expressions back into text.

This package holds the pieces that know about notation but not about problems: the
independent LaTeX reader (`reader`, with its tokenizer `latex_tokens`) that reads the lines
solgen prints and the lines people write, and — as the reorganisation of issue 13 moves
them here — the printer, the function definitions and the expression parser.
"""
