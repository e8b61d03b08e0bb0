"""Localized words, one YAML file per language, keyed like the step trace."""

from __future__ import annotations

from functools import cache
from typing import Any

import yaml
from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from generator import TEMPLATES as TEMPLATES  # re-exported: render, pandoc, scaffold use it
from generator.errors import TemplateError

LANGS = ("zh-TW", "en")
GROUPS = ("sections", "blocks", "items", "rules", "variants")


@cache
def messages(lang: str) -> dict[str, Any]:
    path = TEMPLATES / "messages" / f"{lang}.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TemplateError(f"{path}: cannot read messages: {exc.strerror}") from None
    if not isinstance(data, dict):
        raise TemplateError(f"{path}: messages must be a mapping")
    return data


def missing() -> list[str]:
    """Every (language, group, key) present in one language and absent in another."""
    keys = {lang: {(g, k) for g in GROUPS for k in messages(lang).get(g, {})} for lang in LANGS}
    union = set().union(*keys.values())
    return sorted(f"{lang}: {g}.{k}" for lang in LANGS for g, k in union - keys[lang])


_ENV = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


@cache
def _template(lang: str, group: str, key: str) -> Any:
    try:
        text = messages(lang)[group][key] if group else messages(lang)[key]
    except KeyError:
        raise TemplateError(f"no {lang} message for {group}.{key}") from None
    return _ENV.from_string(str(text))


def say(lang: str, group: str, key: str, params: dict[str, str]) -> str:
    """The sentence for `key` with its parameters filled in (LaTeX strings)."""
    return str(_template(lang, group, key).render(**params))
