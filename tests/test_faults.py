"""Builds that are interrupted, crowded, starved of disk or handed a bad record.

Each run of the real `solgen` (a child process in its own session, tagged through its
environment so every process it started can be found in /proc) ends in one of two states:
the output folder is the previous build, byte for byte, or the new build, byte for byte;
never a mixture, never a process left behind, never a traceback. Slow: `make test-all`.
"""

from __future__ import annotations

import errno
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT

from generator.build import staging
from generator.build.cache import RECORD
from generator.cli import main

SOLGEN = str(Path(sys.executable).parent / "solgen")
PROBLEMS = ("week1-sgd-step-variants.yaml", "week1-sgd-step.yaml")
# Variant sheets of two languages: a few seconds of solving and writing, every phase visible.
ARGS = ("--variants", "12", "--format", "md", "--format", "json", "--jobs", "2")


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def tagged(tag: str) -> list[int]:
    """Processes whose environment carries `tag`: everything a tagged build started."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if f"SOLGEN_FAULT_TAG={tag}".encode() in (entry / "environ").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def gone(tag: str, within: float) -> bool:
    deadline = time.monotonic() + within
    while tagged(tag):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def start(folder: Path, out: Path, seed: int, *extra: str) -> tuple[subprocess.Popen[bytes], str]:
    tag = uuid.uuid4().hex
    env = {**os.environ, "SOLGEN_FAULT_TAG": tag}
    proc = subprocess.Popen([SOLGEN, "build", str(folder), "--out", str(out), "--seed",
                             str(seed), *ARGS, *extra], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
                            start_new_session=True)
    return proc, tag


def holding(out: Path, proc: subprocess.Popen[bytes]) -> None:
    """Wait until `proc` holds OUT's lock (it writes its pid into the lock file once it has
    it): a fixed sleep lost the race on a loaded machine, letting the second build in first."""
    from generator.build.lock import lock_path

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if lock_path(out).read_text().split()[:1] == [str(proc.pid)]:
                return
        except (OSError, IndexError):
            pass
        time.sleep(0.02)
    raise AssertionError(f"build {proc.pid} never took the lock of {out}")


def finish(proc: subprocess.Popen[bytes]) -> tuple[int, str]:
    out, _ = proc.communicate(timeout=300)
    return proc.returncode, out.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """The problems, and the complete output of seeds 1 and 2 built undisturbed."""
    base = tmp_path_factory.mktemp("course")
    folder = base / "problems"
    folder.mkdir()
    for name in PROBLEMS:
        shutil.copy(ROOT / "problems" / name, folder)
    built: dict[int, dict[str, bytes]] = {}
    seconds = 0.0
    for seed in (1, 2):
        began = time.monotonic()
        code, text = finish(start(folder, base / f"seed{seed}", seed)[0])
        seconds = max(seconds, time.monotonic() - began)
        assert code == 0, text
        built[seed] = tree(base / f"seed{seed}")
    assert built[1] != built[2]
    yield {"folder": folder, "built": built, "seconds": seconds}


def fresh(course: dict[str, object], tmp_path: Path, seed: int = 1) -> Path:
    """An output folder holding the complete build of `seed` (copied, times and all)."""
    out = tmp_path / "out"
    shutil.copytree(Path(str(course["folder"])).parent / f"seed{seed}", out)
    return out


def assert_whole(out: Path, course: dict[str, object]) -> int:
    """OUT is exactly one complete build; returns its seed."""
    built: dict[int, dict[str, bytes]] = course["built"]  # type: ignore[assignment]
    now = tree(out)
    matches = [seed for seed, files in built.items() if files == now]
    assert matches, (f"a mixture: {len(now)} files, differing from seed 1 in "
                     f"{sum(now.get(k) != v for k, v in built[1].items())} and from seed 2 in "
                     f"{sum(now.get(k) != v for k, v in built[2].items())}")
    return matches[0]


def beside(out: Path) -> set[str]:
    return {p.name for p in out.parent.iterdir()} - {out.name}


@pytest.mark.slow
@pytest.mark.parametrize("how", ["SIGINT", "SIGTERM", "SIGKILL", "SIGINT group",
                                 "SIGTERM group", "SIGKILL group"])
def test_a_stopped_build_leaves_one_whole_build_and_no_process(
        how: str, course: dict[str, object], tmp_path: Path) -> None:
    rng = random.Random(f"faults {how}")  # reproducible: the same kill times every run
    folder = Path(str(course["folder"]))
    name, *group = how.split()
    signum = signal.Signals[name]
    for round_ in range(4):
        out = fresh(course, tmp_path / f"r{round_}")
        proc, tag = start(folder, out, 2)
        time.sleep(rng.uniform(0.2, float(course["seconds"])))  # type: ignore[arg-type]
        stopped = time.monotonic()
        if group:
            os.killpg(proc.pid, signum)
        else:
            os.kill(proc.pid, signum)
        code, text = finish(proc)
        took = time.monotonic() - stopped  # the main process has exited, workers killed
        assert gone(tag, 2.0), f"processes left behind after {how}: {tagged(tag)}"
        seed = assert_whole(out, course)
        if code == 0 or (code == -signum and seed == 2):
            # Finished before the signal arrived, or after the new build was swapped in and
            # the stop handlers were gone (the process then ends by the signal, as any does).
            assert seed == 2, text
            continue
        assert "Traceback" not in text, text
        if signum != signal.SIGKILL:
            assert took <= 2.0, f"{how} took {took:.2f} s to stop"
            assert code == 1, text
            assert f"stopped by {name}" in text, text
            assert not (beside(out) - {".out.solgen-lock", ".out.solgen-times.json"}), \
                "a stopped build left its staging folder"
        # The next build cleans up whatever was left and writes the new build, whole.
        code, text = finish(start(folder, out, 2)[0])
        assert code == 0, text
        assert assert_whole(out, course) == 2
        assert beside(out) == {".out.solgen-lock", ".out.solgen-times.json"}


@pytest.mark.slow
def test_two_builds_at_once_one_waits_or_fails_clearly(course: dict[str, object],
                                                       tmp_path: Path) -> None:
    folder = Path(str(course["folder"]))
    out = fresh(course, tmp_path)
    first, _ = start(folder, out, 2, "--force")
    holding(out, first)
    second, _ = start(folder, out, 1, "--force")
    (one, text_one), (two, text_two) = finish(first), finish(second)
    assert one == 0, text_one
    assert two == 1, text_two
    assert "another solgen build is writing this folder (process" in text_two, text_two
    assert "Traceback" not in text_two
    assert assert_whole(out, course) == 2
    # With --wait both succeed, one after the other; the folder is the later one, whole,
    # and the record is true: the other seed is never "up to date".
    first, _ = start(folder, out, 1, "--force")
    holding(out, first)
    second, _ = start(folder, out, 2, "--force", "--wait", "120")
    assert finish(first)[0] == 0
    code, text = finish(second)
    assert code == 0, text
    assert assert_whole(out, course) == 2
    code, text = finish(start(folder, out, 1)[0])
    assert code == 0 and "nothing changed" not in text, text
    assert assert_whole(out, course) == 1
    code, text = finish(start(folder, out, 1)[0])
    assert "nothing changed: 56 files" in text, text


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 400 KB tmpfs (root only): a real full disk."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs",
                                            str(disk)], capture_output=True).returncode != 0:
        pytest.skip("mounting a tmpfs needs root")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


@pytest.mark.slow
def test_a_full_disk_is_an_error_and_keeps_the_previous_build(
        course: dict[str, object], small_disk: Path) -> None:
    folder = Path(str(course["folder"]))
    out = small_disk / "out"
    shutil.copytree(folder.parent / "seed1", out)
    code, text = finish(start(folder, out, 2, "--variants", "400")[0])
    assert code == 1, text
    assert "the disk is full" in text and "Traceback" not in text, text
    assert f"{out}" in text
    assert tree(out) == course["built"][1]  # type: ignore[index]
    assert beside(out) == {".out.solgen-lock"}  # the staging folder was removed


@pytest.mark.slow
def test_a_read_only_output_is_an_error(course: dict[str, object], small_disk: Path) -> None:
    folder = Path(str(course["folder"]))
    out = small_disk / "out"
    out.mkdir()
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    code, text = finish(start(folder, out, 2)[0])
    assert code == 1, text
    assert "the file system is read-only" in text and "Traceback" not in text, text
    assert "hint: choose an --out folder on a writable disk" in text


def cli_build(folder: Path, out: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["build", str(folder), "--out", str(out), "--format",
                                       "md", "--lang", "en", *extra])
    return result.exit_code, result.output


def test_a_full_disk_midway_leaves_the_previous_build(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """ENOSPC simulated at the third file written (works without root)."""
    folder = tmp_path / "problems"
    folder.mkdir()
    shutil.copy(ROOT / "problems" / "week1-sgd-step-variants.yaml", folder)
    out = tmp_path / "out"
    assert cli_build(folder, out, "--variants", "3")[0] == 0
    before = tree(out)
    real, calls = staging._create, []

    def filling(path: Path, data: bytes) -> None:
        calls.append(path)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real(path, data)

    monkeypatch.setattr(staging, "_create", filling)
    code, text = cli_build(folder, out, "--variants", "3", "--seed", "5")
    assert code == 1
    # `in`, not startswith: on a loaded machine progress lines come first (after 1 s).
    # A class's sheets are written as they are made (issue 16), so the third file written
    # is a sheet of the second variant.
    assert (f"{out}/en/week1-sgd-step-variants/v002.question.md: cannot write: "
            "the disk is full\n  hint: free some space") in text, text
    assert "problem files failed" not in text  # the build stopped, not the problem
    assert tree(out) == before
    assert not (tmp_path / ".out.solgen-staging").exists()


@pytest.mark.parametrize("record", [
    b'{"version": 2, "fingerprint": 3, "files": []}',  # JSON of the wrong shape
    b'{"version": 2, "fingerprint": "x", "files": {"../../etc/passwd": '
    b'{"sha256": "' + b"0" * 64 + b'", "size": 1}}}',  # a name outside OUT
    b"[" * 100_000,  # nested beyond the parser
    b"\xff\xfe not json",
    None,  # a directory
])
def test_a_bad_record_is_ignored_with_a_note(tmp_path: Path, record: bytes | None) -> None:
    folder = tmp_path / "problems"
    folder.mkdir()
    shutil.copy(ROOT / "problems" / "week1-sgd-step.yaml", folder)
    out = tmp_path / "out"
    assert cli_build(folder, out)[0] == 0
    good = tree(out)
    (out / RECORD).unlink()
    if record is None:
        (out / RECORD).mkdir()
    else:
        (out / RECORD).write_bytes(record)
    code, text = cli_build(folder, out)
    assert code == 0, text
    assert f"note: ignoring {out}/{RECORD} (" in text
    assert "building everything again" in text
    assert tree(out) == good
    assert "nothing changed: 1 file" in cli_build(folder, out)[1]


def test_outputs_honour_the_umask(tmp_path: Path) -> None:
    folder = tmp_path / "problems"
    folder.mkdir()
    shutil.copy(ROOT / "problems" / "week1-sgd-step.yaml", folder)
    previous = os.umask(0o022)
    try:
        assert cli_build(folder, tmp_path / "out")[0] == 0
        os.umask(0o027)
        assert cli_build(folder, tmp_path / "out2")[0] == 0
    finally:
        os.umask(previous)
    modes = {p.stat().st_mode & 0o777 for p in (tmp_path / "out").rglob("*")}
    assert modes == {0o644, 0o755}
    modes = {p.stat().st_mode & 0o777 for p in (tmp_path / "out2").rglob("*")}
    assert modes == {0o640, 0o750}


def test_an_output_inside_a_file_is_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "problems"
    folder.mkdir()
    shutil.copy(ROOT / "problems" / "week1-sgd-step.yaml", folder)
    (tmp_path / "file").write_text("not a folder", encoding="utf-8")
    code, text = cli_build(folder, tmp_path / "file" / "out")
    assert code == 1
    assert text == (f"{tmp_path / 'file' / '.out.solgen-lock'}: cannot create the build lock: "
                    "a file stands where a folder is needed\n  hint: remove or rename that "
                    "file, or choose another path\n")


def test_leftovers_of_a_stopped_build_are_cleared_by_the_next(tmp_path: Path) -> None:
    folder = tmp_path / "problems"
    folder.mkdir()
    shutil.copy(ROOT / "problems" / "week1-sgd-step.yaml", folder)
    out = tmp_path / "out"
    assert cli_build(folder, out)[0] == 0
    good = tree(out)
    # Stopped between the two renames of a system without an atomic exchange: OUT is gone,
    # the previous build is aside, a half-made staging folder is beside it.
    out.rename(tmp_path / ".out.solgen-old")
    (tmp_path / ".out.solgen-staging" / "en").mkdir(parents=True)
    (tmp_path / ".out.solgen-staging" / "en" / "week1-sgd-step.md").write_text("half")
    code, text = cli_build(folder, out)
    assert code == 0, text
    assert "nothing changed: 1 file" in text  # the previous build, put back whole
    assert tree(out) == good
    assert beside(out) == {"problems", ".out.solgen-lock", ".out.solgen-times.json"}


def test_a_variant_folder_holds_one_builds_sheets(tmp_path: Path) -> None:
    folder = tmp_path / "problems"
    folder.mkdir()
    shutil.copy(ROOT / "problems" / "week1-sgd-step-variants.yaml", folder)
    out, pid = tmp_path / "out", "week1-sgd-step-variants"
    assert cli_build(folder, out, "--variants", "3", "--seed", "1")[0] == 0
    (out / "en" / "notes.txt").write_text("mine", encoding="utf-8")  # not solgen's: kept
    assert cli_build(folder, out, "--variants", "2", "--seed", "2")[0] == 0
    fresh = tmp_path / "fresh"
    assert cli_build(folder, fresh, "--variants", "2", "--seed", "2")[0] == 0
    assert sorted(p.name for p in (out / "en" / pid).iterdir()) == [
        "v001.answer.md", "v001.question.md", "v002.answer.md", "v002.question.md"]
    assert {k: v for k, v in tree(out).items() if k != "en/notes.txt"} == tree(fresh)
    assert (out / "en" / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_a_mount_point_inside_the_output_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "problems"
    folder.mkdir()
    shutil.copy(ROOT / "problems" / "week1-sgd-step.yaml", folder)
    out = tmp_path / "out"
    (out / "disk").mkdir(parents=True)
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs",
                                            str(out / "disk")], capture_output=True).returncode:
        pytest.skip("mounting a tmpfs needs root")
    try:
        code, text = cli_build(folder, out)
    finally:
        subprocess.run(["umount", "-l", str(out / "disk")], check=False)
    assert code == 1
    assert text == (f"{out}: {out / 'disk'} is a mount point inside the output folder\n"
                    "  hint: solgen replaces the output folder as a whole; choose an --out "
                    "folder with no mount point inside\n")
    assert beside(out) == {"problems", ".out.solgen-lock"}
