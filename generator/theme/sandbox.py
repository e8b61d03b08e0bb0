"""Templates run bounded, and every failure inside one is a TemplateError with file:line.

A template folder or a messages file comes from a stranger as often as a problem file does
(issue 20). Jinja's sandbox stops attribute access to Python internals but not work:
`{% for a in range(99999) %}{% for b in range(99999) %}…` runs for hours, `2 ** 10 ** 9`
for minutes in C, `"x" * 10 ** 10` takes all memory, and `1 / 0` ends in a traceback.
Here:
- `BoundedEnvironment` refuses `**` with a large exponent, `*` that would make a long
  string or list, integer arguments and format widths that ask for a huge string
  (`center(10**9)`, `"%999999999d"`), and counts every call the template makes;
- `render` runs a template under a wall-clock alarm (SIGALRM raising a BaseException,
  which nothing in a template can catch) and caps the text it writes;
- any exception from inside the template becomes `TemplateError("file:line: …")`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from types import TracebackType
from typing import Any

from jinja2 import Template
from jinja2.exceptions import SecurityError
from jinja2.exceptions import TemplateError as JinjaError
from jinja2.sandbox import SandboxedEnvironment

from generator.errors import SolgenError, TemplateError
from generator.limits import Alarm, alarm

SECONDS = 10.0  # the default budget; a run passes its --time-limit (Theme.seconds)
MAX_CHARS = 50_000_000  # text one template may write
MAX_CALLS = 1_000_000  # calls (functions, filters, methods) per rendering
MAX_EXPONENT = 1_000
MAX_REPEAT = 1_000_000  # length of a string or list made with `*`


# is_safe_attribute's answers by (type, name): Jinja's never depends on more.
_SAFE: dict[tuple[type, str], bool] = {}

# A width or precision of seven digits in a format (`"%999999999d"`, `"{:>999999999}"`)
# asks for a string of that size.
_HUGE_FORMAT = re.compile(r"\d{7,}")


def _sizes(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Refuse an integer argument that asks for a huge result (`center(10**9)`)."""
    for value in [*args, *kwargs.values()]:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_REPEAT:
            raise SecurityError(f"argument {value} is too large (at most {MAX_REPEAT})")


def _format(text: Any) -> None:
    if isinstance(text, str) and _HUGE_FORMAT.search(text):
        raise SecurityError("a format with a width or precision of seven digits or more")


def _bounded_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)  # keeps Jinja's pass_context/pass_environment marks
    def bounded(*args: Any, **kwargs: Any) -> Any:
        # The value filtered (after the context or environment Jinja may pass) is data;
        # the arguments after it are what can ask for size.
        _sizes(args[2 if hasattr(func, "jinja_pass_arg") else 1:], kwargs)
        if name == "format" and args:
            _format(args[-1] if not isinstance(args[0], str) else args[0])
        return func(*args, **kwargs)

    return bounded


class BoundedEnvironment(SandboxedEnvironment):
    """The sandbox, with arithmetic, formats and sizes that cannot blow up, and a count of
    calls."""

    intercepted_binops = frozenset(["*", "**", "%"])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.calls = 0
        self.filters = {n: _bounded_filter(n, f) for n, f in self.filters.items()}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        # Jinja's answer (2.x–3.1: a leading underscore, or `is_internal_attribute`,
        # isinstance tests on the object and the name) depends on the object's type and
        # the name alone; asked ≈ 40 times a sheet, so kept per pair. An object that
        # claims another class than its type is asked each time.
        kind = type(obj)
        if not isinstance(attr, str) or getattr(obj, "__class__", None) is not kind:
            return bool(super().is_safe_attribute(obj, attr, value))
        found = _SAFE.get((kind, attr))
        if found is None:
            found = _SAFE[kind, attr] = bool(super().is_safe_attribute(obj, attr, value))
        return found

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int) and abs(right) > MAX_EXPONENT:
            raise SecurityError(f"exponent {right} is too large (at most {MAX_EXPONENT})")
        if operator == "%":
            _format(left)
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if (isinstance(seq, str | list | tuple) and isinstance(times, int)
                        and len(seq) * times > MAX_REPEAT):
                    raise SecurityError(f"`*` would make {len(seq) * times} items "
                                        f"(at most {MAX_REPEAT})")
        return super().call_binop(context, operator, left, right)

    def call(self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        if self.calls > MAX_CALLS:
            raise SecurityError(f"the template made more than {MAX_CALLS} calls")
        # `"…".format(…)` reaches here as Jinja's wrapper around the bound method.
        method = getattr(__obj, "__wrapped__", __obj)
        owner = getattr(method, "__self__", None)
        if isinstance(owner, str | list) and getattr(method, "__name__", "") in (
                "format", "format_map"):
            _format(owner)
        elif isinstance(owner, str | list):  # "x".center(10**9), "x".zfill(10**9)
            _sizes(args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)


def render(template: Template, context: dict[str, Any], name: str,
           seconds: float = SECONDS) -> str:
    """`template` rendered with `context`, bounded in time (`seconds`, 0: no limit), calls
    and size."""
    env = template.environment
    if isinstance(env, BoundedEnvironment):
        env.calls = 0
    pieces: list[str] = []
    size = 0
    try:
        with alarm(seconds, unless_running=True):
            for piece in template.generate(**context):
                size += len(piece)
                if size > MAX_CHARS:
                    raise SecurityError(f"the template wrote more than {MAX_CHARS} characters")
                pieces.append(piece)
    except Alarm as rung:
        raise TemplateError(f"still running after {seconds:g} s",
                            where=where(rung.__traceback__, name),
                            hint="a loop that never ends, or one that is far too long; "
                            "the budget is --time-limit SECONDS") from None
    except SecurityError as exc:
        raise failure(exc, name) from None
    except (SolgenError, JinjaError):
        raise  # the caller words Jinja's own errors (generator/theme/jinja.py)
    except Exception as exc:  # a template's own failure, whatever Python raised for it
        raise failure(exc, name) from None
    return "".join(pieces)


def where(tb: TracebackType | None, name: str) -> str:
    """`file:line` of the innermost template frame (Jinja gives each template line a frame
    named after the template file), or `template NAME` when there is none."""
    found = f"template {name}"
    while tb is not None:
        code = tb.tb_frame.f_code.co_filename
        if not code.endswith(".py") and not code.startswith("<"):
            # A traceback Jinja did not rewrite (the alarm's) has the compiled module's
            # line; the template it came from maps it back to the template's own line.
            compiled = tb.tb_frame.f_globals.get("__jinja_template__")
            line = (compiled.get_corresponding_lineno(tb.tb_lineno) if compiled is not None
                    else tb.tb_lineno)
            found = f"{code}:{line}"
        tb = tb.tb_next
    return found


def failure(exc: BaseException, name: str) -> TemplateError:
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    if not isinstance(exc, SecurityError) and type(exc).__module__ == "builtins":
        message = f"{type(exc).__name__}: {message}"
    hint = ("templates run in a sandbox with bounds on time, calls and size"
            if isinstance(exc, SecurityError) else "see docs/templates.md")
    return TemplateError(message, where=where(exc.__traceback__, name), hint=hint)
