"""User template folders: listing, copying out, extending a built-in, rewording a sentence,
errors with file and line, the sandbox, the build cache, and which folder wins."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner, Result
from conftest import ROOT

from generator.cli import main
from generator.theme.templates import BUILTIN, TemplateSet, builtin_names

PROBLEM = ROOT / "problems" / "week1-sgd-step.yaml"
HEADER = "*Course: Machine Learning 2025*"
EXTENDS = ('{% extends "default:markdown/document.md.j2" %}\n'
           "{% block header %}\n{{ super() }}\n" + HEADER + "\n{% endblock %}\n")


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def build(out: Path, *extra: str, problems: Path = PROBLEM, lang: str = "en") -> Result:
    return invoke("build", str(problems), "--out", str(out), "--format", "md",
                  "--lang", lang, *extra)


def folder(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def default_markdown(tmp_path: Path, lang: str) -> str:
    result = build(tmp_path / "default", lang=lang)
    assert result.exit_code == 0, result.output
    return (tmp_path / "default" / lang / "week1-sgd-step.md").read_text(encoding="utf-8")


def test_list_shows_builtins_and_a_shadowing_user_file(tmp_path: Path) -> None:
    user = folder(tmp_path / "course", {"markdown/document.md.j2": EXTENDS,
                                        "messages/zh-TW.yaml": "blocks: {therefore: 所以}\n"})
    result = invoke("templates", "list", "--templates", str(user))
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line.split(None, 1)[1] for line in result.output.splitlines()}
    assert set(lines) == set(builtin_names())
    assert lines["markdown/document.md.j2"] == f"{user}/markdown/document.md.j2 (shadows built-in)"
    assert lines["messages/zh-TW.yaml"] == f"{user}/messages/zh-TW.yaml (merged over built-in)"
    assert lines["latex/document.tex.j2"] == "built-in"
    assert lines["scaffold/gradient.yaml"] == "built-in (starter for solgen new)"


def test_copy_writes_the_builtin_bytes_and_refuses_to_overwrite(tmp_path: Path) -> None:
    name = "latex/document.tex.j2"
    result = invoke("templates", "copy", name, str(tmp_path))
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote {tmp_path / name}\n"
    assert (tmp_path / name).read_bytes() == (BUILTIN / name).read_bytes()
    (tmp_path / name).write_text("mine", encoding="utf-8")
    again = invoke("templates", "copy", name, str(tmp_path))
    assert again.exit_code == 1 and "exists already" in again.output
    assert (tmp_path / name).read_text(encoding="utf-8") == "mine"
    forced = invoke("templates", "copy", name, str(tmp_path), "--force")
    assert forced.exit_code == 0
    assert (tmp_path / name).read_bytes() == (BUILTIN / name).read_bytes()
    unknown = invoke("templates", "copy", "markdown/doc.md.j2", str(tmp_path))
    assert unknown.exit_code == 1
    assert "no built-in template named 'markdown/doc.md.j2'" in unknown.output
    assert "markdown/document.md.j2" in unknown.output


def test_a_user_template_extends_the_default_one(tmp_path: Path) -> None:
    user = folder(tmp_path / "course", {"markdown/document.md.j2": EXTENDS})
    default = default_markdown(tmp_path, "en")
    result = build(tmp_path / "out", "--templates", str(user))
    assert result.exit_code == 0, result.output
    made = (tmp_path / "out" / "en" / "week1-sgd-step.md").read_text(encoding="utf-8")
    title = "# One SGD step (substitute, do not simplify)\n"
    assert default.count(title) == 1
    assert made == default.replace(title, f"{title}\n{HEADER}\n")


def test_a_message_override_changes_one_sentence(tmp_path: Path) -> None:
    # Only `therefore` is given: every other sentence still comes from the built-in file.
    user = folder(tmp_path / "course", {"messages/zh-TW.yaml": "blocks:\n  therefore: 所以\n"})
    default = default_markdown(tmp_path, "zh-TW")
    result = build(tmp_path / "out", "--templates", str(user), lang="zh-TW")
    assert result.exit_code == 0, result.output
    made = (tmp_path / "out" / "zh-TW" / "week1-sgd-step.md").read_text(encoding="utf-8")
    assert default.count("\n因此\n") == 1
    assert made == default.replace("\n因此\n", "\n所以\n")
    english = build(tmp_path / "en", "--templates", str(user))
    assert english.exit_code == 0
    assert (tmp_path / "en" / "en" / "week1-sgd-step.md").read_text(encoding="utf-8") == (
        default_markdown(tmp_path / "again", "en"))


def test_an_unknown_message_key_names_file_line_and_key(tmp_path: Path) -> None:
    user = folder(tmp_path / "course", {"messages/en.yaml": "rules:\n  chain_rule: chain\n"
                                        "blocks:\n  therefor: So\n"})
    result = build(tmp_path / "out", "--templates", str(user))
    assert result.exit_code == 1
    assert result.output.startswith(f"{user}/messages/en.yaml:4: blocks.therefor: unknown "
                                    "message key\n  hint: did you mean 'therefore'?")
    assert not (tmp_path / "out").exists()


def test_a_message_may_use_only_the_values_solgen_passes(tmp_path: Path) -> None:
    user = folder(tmp_path / "course", {"messages/en.yaml": (
        'sections:\n  gradient_formula: "Step 2. The gradient of ${{ parm }}$"\n')})
    result = invoke("show", str(PROBLEM), "--lang", "en", "--templates", str(user))
    assert result.exit_code == 1
    assert result.output == (
        f"{user}/messages/en.yaml:2: sections.gradient_formula: uses parm, which solgen "
        "does not pass to this sentence\n  hint: values this sentence can use: {{ param }}, "
        "{{ step }}\n")


def test_a_broken_user_template_names_its_file_and_line(tmp_path: Path) -> None:
    user = folder(tmp_path / "course", {"markdown/document.md.j2": (
        '{% extends "default:markdown/document.md.j2" %}\n{% block header %}\n'
        "{{ title }\n{% endblock %}\n")})
    result = build(tmp_path / "out", "--templates", str(user))
    assert result.exit_code == 1
    assert result.output.startswith(f"{user}/markdown/document.md.j2:3: ")
    assert "hint: Jinja syntax" in result.output
    assert not (tmp_path / "out").exists()


def test_a_runtime_error_names_the_template_line(tmp_path: Path) -> None:
    user = folder(tmp_path / "course", {"markdown/document.md.j2": (
        '{% extends "default:markdown/document.md.j2" %}\n{% block header %}\n'
        "# {{ title }}\n{{ course.name }}\n{% endblock %}\n")})
    result = build(tmp_path / "out", "--templates", str(user))
    assert result.exit_code == 1
    assert result.output == (f"{user}/markdown/document.md.j2:4: 'course' is undefined\n"
                             "  hint: a document template receives title, lang, sections and "
                             "verified (docs/templates.md)\n"
                             "1 of 1 problem files failed; nothing was written.\n")
    assert not (tmp_path / "out").exists()


def test_attribute_access_escape_is_refused(tmp_path: Path) -> None:
    user = folder(tmp_path / "course", {"markdown/document.md.j2": (
        "# {{ title }}\n{{ ''.__class__.__mro__ }}\n")})
    result = build(tmp_path / "out", "--templates", str(user))
    assert result.exit_code == 1
    assert result.output.startswith(f"{user}/markdown/document.md.j2:2: access to attribute "
                                    "'__class__' of 'str' object is unsafe.\n  hint: templates "
                                    "run in a sandbox")
    assert "object" not in result.output.split("hint")[1]
    assert not (tmp_path / "out").exists()


def test_editing_a_user_template_rebuilds(tmp_path: Path) -> None:
    problems = tmp_path / "problems"
    problems.mkdir()
    shutil.copy(PROBLEM, problems)
    user = folder(tmp_path / "course", {"markdown/document.md.j2": EXTENDS})
    out = tmp_path / "out"
    assert "(1 written)" in build(out, "--templates", str(user), problems=problems).output
    assert "nothing changed" in build(out, "--templates", str(user), problems=problems).output
    (user / "markdown" / "document.md.j2").write_text(EXTENDS.replace("2025", "2026"),
                                                      encoding="utf-8")
    again = build(out, "--templates", str(user), problems=problems)
    assert "(1 written)" in again.output, again.output
    assert "2026" in (out / "en" / "week1-sgd-step.md").read_text(encoding="utf-8")
    # Without the folder the output is the default one again: that is a change too.
    assert "(1 written)" in build(out, problems=problems).output


def test_the_first_folder_wins(tmp_path: Path) -> None:
    first = folder(tmp_path / "first", {
        "markdown/document.md.j2": EXTENDS.replace("2025", "first"),
        "messages/en.yaml": "blocks:\n  therefore: Thus\n"})
    second = folder(tmp_path / "second", {
        "markdown/document.md.j2": EXTENDS.replace("2025", "second"),
        "messages/en.yaml": "blocks:\n  therefore: So\n  sgd_model: 'The model:'\n"})
    assert TemplateSet((first, second)).resolve("markdown/document.md.j2") == (
        first / "markdown" / "document.md.j2")
    result = build(tmp_path / "out", "--templates", str(first), "--templates", str(second))
    assert result.exit_code == 0, result.output
    made = (tmp_path / "out" / "en" / "week1-sgd-step.md").read_text(encoding="utf-8")
    default = default_markdown(tmp_path, "en")
    title = "# One SGD step (substitute, do not simplify)\n"
    # Messages merge key by key: `therefore` from the first folder, `sgd_model` from the second.
    assert made == (default.replace(title, f"{title}\n*Course: Machine Learning first*\n")
                    .replace("\nHence\n", "\nThus\n").replace("\nModel:\n", "\nThe model:\n"))


def test_pandoc_templates_resolve_through_the_theme(tmp_path: Path) -> None:
    style = (BUILTIN / "html" / "math-style.html").read_text(encoding="utf-8")
    user = folder(tmp_path / "course", {
        "html/math-style.html": style.replace("<style>", "<style>\n  /* course style */")})
    result = invoke("build", str(PROBLEM), "--out", str(tmp_path / "out"), "--format", "html",
                    "--lang", "en", "--templates", str(user))
    assert result.exit_code == 0, result.output
    assert "/* course style */" in (tmp_path / "out" / "en" / "week1-sgd-step.html").read_text(
        encoding="utf-8")


def test_folders_and_languages_that_do_not_exist(tmp_path: Path) -> None:
    missing = invoke("templates", "list", "--templates", str(tmp_path / "nowhere"))
    assert missing.exit_code == 2 and "does not exist" in missing.output
    user = folder(tmp_path / "course", {"messages/fr.yaml": "blocks: {therefore: Donc}\n"})
    result = invoke("show", str(PROBLEM), "--templates", str(user))
    assert result.exit_code == 1
    assert result.output == (f"{user}/messages/fr.yaml: solgen has no language 'fr'\n"
                             "  hint: message files are named zh-TW.yaml, en.yaml\n")


def test_a_course_starter_for_solgen_new(tmp_path: Path) -> None:
    """A folder's scaffold/NAME.yaml is a starter of its own for `solgen new NAME`."""
    text = (BUILTIN / "scaffold" / "sgd_step.yaml").read_text(encoding="utf-8")
    course = folder(tmp_path / "course", {
        "scaffold/neuron-hw.yaml": "# ML 2026 homework starter\n" + text})
    listed = CliRunner().invoke(main, ["templates", "list", "--templates", str(course)])
    rows = [" ".join(row.split()) for row in listed.output.splitlines()]
    assert (f"scaffold/neuron-hw.yaml {course}/scaffold/neuron-hw.yaml "
            "(starter for solgen new)") in rows
    made = CliRunner().invoke(main, ["new", "neuron-hw", "week3", "--dir", str(tmp_path / "p"),
                                     "--templates", str(course)])
    assert made.exit_code == 0, made.output
    written = (tmp_path / "p" / "week3.yaml").read_text(encoding="utf-8")
    assert written.startswith("# ML 2026 homework starter\n")
    assert written == "# ML 2026 homework starter\n" + text.replace("__ID__", "week3").replace(
        "__FILE__", str(tmp_path / "p" / "week3.yaml"))
    checked = CliRunner().invoke(main, ["check", str(tmp_path / "p" / "week3.yaml")])
    assert checked.exit_code == 0, checked.output
    # Without the folder the course's starter is unknown.
    missing = CliRunner().invoke(main, ["new", "neuron-hw", "x", "--dir", str(tmp_path / "p")])
    assert missing.exit_code == 1 and "no starter for kind 'neuron-hw'" in missing.output


def test_a_course_example_for_solgen_new(tmp_path: Path) -> None:
    """A folder's scaffold/KIND/NAME.yaml is a worked example: `--example NAME`."""
    text = (BUILTIN / "scaffold" / "gradient" / "rnn.yaml").read_text(encoding="utf-8")
    course = folder(tmp_path / "course", {"scaffold/gradient/elman.yaml": "# ours\n" + text})
    made = CliRunner().invoke(main, ["new", "gradient", "w9", "--example", "elman", "--dir",
                                     str(tmp_path / "p"), "--templates", str(course)])
    assert made.exit_code == 0, made.output
    assert (tmp_path / "p" / "w9.yaml").read_text(encoding="utf-8").startswith("# ours\n# A ")
    missing = CliRunner().invoke(main, ["new", "gradient", "x", "--example", "elman"])
    assert missing.exit_code == 1 and "no example 'elman' of kind gradient" in missing.output
