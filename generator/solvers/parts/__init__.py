"""Derivations shared by several kinds: backpropagation, cross-entropy forms, conv
touches, local partials, self-derivatives of functions, training steps, and the
numeric section of a problem with `values:`.

May import what `solvers/` may, but no kind module.
"""
