"""Localized words, one YAML file per language, keyed like the step trace.

A course may reword sentences: a `messages/<lang>.yaml` in a user template folder is merged
key by key over the built-in file (the first folder wins a key), so it holds only the
sentences it changes. Its keys and the values each sentence uses are checked against the
built-in files, so a misspelt key is an error, not a sentence silently left as it was.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import StrictUndefined, meta
from jinja2.exceptions import TemplateError as JinjaError

from generator.errors import Location, TemplateError
from generator.spec.latex_field import MATH_HINT, prose_problem
from generator.spec.source import Source, read_source
from generator.theme.sandbox import BoundedEnvironment, render
from generator.theme.templates import BUILTIN, MESSAGES, TemplateSet

LANGS = ("zh-TW", "en")
GROUPS = ("sections", "blocks", "items", "rules", "variants")


@cache
def builtin_messages(lang: str) -> dict[str, Any]:
    path = BUILTIN / "messages" / f"{lang}.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TemplateError(f"{path}: cannot read messages: {exc.strerror}") from None
    if not isinstance(data, dict):
        raise TemplateError(f"{path}: messages must be a mapping")
    return data


def missing() -> list[str]:
    """Every (language, group, key) present in one language and absent in another."""
    keys = {lang: {(g, k) for g in GROUPS for k in builtin_messages(lang).get(g, {})}
            for lang in LANGS}
    union = set().union(*keys.values())
    return sorted(f"{lang}: {g}.{k}" for lang in LANGS for g, k in union - keys[lang])


_ENV = BoundedEnvironment(undefined=StrictUndefined, autoescape=False)  # issue 20


@dataclass
class Messages:
    """The sentences of one language, and where each user-supplied one was written."""

    data: dict[str, Any]
    origins: dict[tuple[str, str], Location] = field(default_factory=dict)


def _builtin_text(lang: str, group: str, key: str) -> str:
    data = builtin_messages(lang)
    return str((data.get(group, {}) if group else data).get(key, ""))


def _variables(text: str) -> set[str]:
    return set(meta.find_undeclared_variables(_ENV.parse(text)))


def _allowed(group: str, key: str) -> set[str]:
    """Values solgen passes to a sentence: those its built-in sentences use, in any language
    (a discussion question gets every language's text)."""
    return set().union(*(_variables(_builtin_text(lang, group, key)) for lang in LANGS))


def _fail(where: Location, message: str, hint: str) -> TemplateError:
    return TemplateError(message, where=where, hint=hint)


def _unknown(source: Source, keys: tuple[str, ...], known: list[str]) -> TemplateError:
    near = difflib.get_close_matches(keys[-1], known, n=1)
    hint = (f"did you mean {near[0]!r}? " if near else "") + (
        "`solgen templates copy messages/en.yaml DIR` shows every key")
    return _fail(source.at(keys), "unknown message key", hint)


def _sentence(source: Source, keys: tuple[str, ...], text: Any) -> str:
    group, key = (keys[0], keys[1]) if len(keys) == 2 else ("", keys[0])
    if not isinstance(text, str):
        raise _fail(source.at(keys), "a message must be a text",
                    'quote it: key: "your sentence"')
    unsafe = prose_problem(text)  # issue 20: math in a sentence is mathematics only
    if unsafe:
        raise _fail(source.at(keys), unsafe, MATH_HINT)
    try:
        used = _variables(text)
    except JinjaError as exc:
        raise _fail(source.at(keys), f"template syntax: {exc}",
                    "values are written {{ name }}; write {{ '{{' }} for literal braces") from None
    allowed = _allowed(group, key)
    if used - allowed:
        names = ", ".join(sorted(used - allowed))
        can = ", ".join(f"{{{{ {n} }}}}" for n in sorted(allowed)) or "none"
        raise _fail(source.at(keys), f"uses {names}, which solgen does not pass to this "
                    "sentence", f"values this sentence can use: {can}")
    return text


def _overlay(messages: Messages, path: Path) -> None:
    """Merge the user file `path` over `messages`, checking every key against the built-in."""
    source = read_source(path)
    if not isinstance(source.data, dict):
        raise _fail(Location(str(path), 1), "messages must be a mapping of keys to sentences",
                    "start from `solgen templates copy messages/en.yaml DIR`")
    base = messages.data
    for name, value in source.data.items():
        if name not in base:
            raise _unknown(source, (name,), list(base))
        if not isinstance(base[name], dict):
            base[name] = _sentence(source, (name,), value)
            messages.origins[("", name)] = source.at((name,))
            continue
        if not isinstance(value, dict):
            raise _fail(source.at((name,)), f"{name} must be a mapping of keys to sentences",
                        f"write it like the built-in file: {name}: {{key: \"sentence\"}}")
        for key, text in value.items():
            if key not in base[name]:
                raise _unknown(source, (name, key), list(base[name]))
            base[name][key] = _sentence(source, (name, key), text)
            messages.origins[(name, key)] = source.at((name, key))


@cache
def merged(lang: str, templates: TemplateSet) -> Messages:
    """The built-in sentences of `lang` with every user file merged over them."""
    base = builtin_messages(lang)
    messages = Messages({k: dict(v) if isinstance(v, dict) else v for k, v in base.items()})
    # The last folder first, so the first folder's sentence is the one that stays.
    for path in reversed(templates.overrides(f"{MESSAGES}{lang}.yaml")):
        _overlay(messages, path)
    return messages


def check_messages(templates: TemplateSet) -> None:
    """Read every user messages file of the set now (errors name file, line and key)."""
    for folder in templates.folders:
        for path in sorted((folder / MESSAGES).glob("*.yaml")):
            if path.stem not in LANGS:
                raise _fail(Location(str(path)), f"solgen has no language {path.stem!r}",
                            "message files are named " + ", ".join(f"{lg}.yaml" for lg in LANGS))
    for lang in LANGS:
        merged(lang, templates)


@cache
def _template(templates: TemplateSet, lang: str, group: str, key: str) -> Any:
    data = merged(lang, templates).data
    try:
        text = data[group][key] if group else data[key]
    except KeyError:
        raise TemplateError(f"no {lang} message for {group}.{key}") from None
    return _ENV.from_string(str(text))


@dataclass(frozen=True)
class Voice:
    """The sentences of one language of a template set: what the view says, bound once
    per language (made by `Theme.voice`)."""

    templates: TemplateSet
    lang: str
    seconds: float = 10.0  # the render budget (Theme.seconds)

    def say(self, group: str, key: str, params: Mapping[str, str] | None = None) -> str:
        """The sentence for `key` with its parameters filled in (LaTeX strings), rendered
        bounded in time, calls and size like every template (theme/sandbox.py)."""
        sentence = _template(self.templates, self.lang, group, key)
        try:
            return render(sentence, dict(params or {}), f"{group}.{key}", self.seconds)
        except (JinjaError, TemplateError) as exc:
            where = merged(self.lang, self.templates).origins.get((group, key))
            if where is None:
                raise
            # A TemplateError names the sentence as its place; the key's file:line is better.
            detail = exc.message if isinstance(exc, TemplateError) else str(exc)
            raise _fail(where, f"message: {detail}", "check the sentence against the built-in "
                        "one (`solgen templates copy messages/en.yaml DIR`)") from None
