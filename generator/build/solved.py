"""Solved problems kept on disk, so a rebuild of a class does not solve and verify again.

`solgen build` of a problem that did not change (its bytes, its displayed name, solgen's
own code: `cache.code_digest`) loads the verified `Problem` it pickled last time (~2 ms)
instead of solving it (~0.1 s for the SGD step, seconds for a convolution). The files are
in the user's own cache folder, not beside the outputs: a pickle runs code when loaded,
so it is read only from a folder that only its owner can write (made 0700, checked
before each read). SOLGEN_CACHE_DIR names another folder; SOLGEN_CACHE_DIR=off turns
the cache off. A file that cannot be read back is ignored and written again.

sympy's own pickling rebuilds each expression by evaluating it, which folds what the
solver wrote unevaluated (`0.5 − 1 + 1·2` would come back as `1.5`), so expressions are
pickled as their class and arguments and rebuilt unevaluated; and a problem is kept only
when it loads back equal to itself (sympy's equality is structural).
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sympy
from sympy.core.operations import AssocOp

from generator.build.cache import code_digest

if TYPE_CHECKING:
    from generator.solvers.problem import Problem

ENV = "SOLGEN_CACHE_DIR"


def folder() -> Path | None:
    """Where solved problems are kept; None when the cache is off or not private."""
    named = os.environ.get(ENV)
    if named == "off":
        return None
    base = Path(named) if named else Path(os.environ.get("XDG_CACHE_HOME") or
                                          Path.home() / ".cache") / "solgen"
    place = base / "solved"
    try:
        place.mkdir(parents=True, exist_ok=True, mode=0o700)
        info = place.stat()
    except OSError:
        return None
    if info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return None  # someone else could plant a pickle here: solve instead
    return place


def key(path: Path, display: str) -> str:
    h = hashlib.sha256(f"{code_digest()}\n{path.resolve()}\n{display}\n".encode())
    h.update(path.read_bytes())
    return h.hexdigest()


def prepared(path: Path, display: str, solve: Callable[[], Problem]) -> Problem:
    """The problem at `path` as `solve()` makes it, from the cache when it holds it."""
    place = folder()
    if place is None:
        return solve()
    file = place / f"{key(path, display)}.pickle"
    try:
        problem: Problem = pickle.loads(file.read_bytes())
        return problem
    except Exception:  # missing, cut short, or of another solgen: solve
        pass
    problem = solve()
    try:
        data = _dumps(problem)
        if pickle.loads(data) != problem:  # sympy's == is structural: 1·2 ≠ 2
            return problem  # would not come back as it was: not kept
        with tempfile.NamedTemporaryFile(dir=place, delete=False, suffix=".tmp") as tmp:
            tmp.write(data)
        os.replace(tmp.name, file)
    except Exception:  # a cache that cannot be written only costs the next build a solve
        pass
    return problem


class _Unevaluated(pickle.Pickler):
    """Pickles a compound sympy expression as (class, arguments), rebuilt by `_rebuild`."""

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, sympy.Basic) and obj.args and not obj.is_Atom:
            return _rebuild, (obj.func, obj.args)
        return NotImplemented


def _rebuild(func: Any, args: tuple[Any, ...]) -> Any:
    if isinstance(func, type) and issubclass(func, AssocOp):
        rebuilt: Any = func._from_args(args)  # type: ignore[attr-defined]  # sympy untyped
        return rebuilt  # a sum or product exactly as it was built
    try:
        return func(*args, evaluate=False)
    except TypeError:  # solgen's notation classes take no `evaluate`: they never fold
        return func(*args)


def _dumps(problem: Problem) -> bytes:
    buffer = io.BytesIO()
    _Unevaluated(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(problem)
    return buffer.getvalue()
