"""The fork that hostile tests run in (isolation.py) stops what in-process limits cannot."""

from __future__ import annotations

import gc
import signal
import time
from pathlib import Path

import pytest
from isolation import run_isolated

# Itself isolated: these tests fork again from a one-thread child, whatever ran before.
pytestmark = pytest.mark.isolated


def test_memory_past_the_cap_is_a_memory_error_in_the_child() -> None:
    with pytest.raises(MemoryError):
        run_isolated(lambda: bytearray(1024**3), headroom=256 * 1024**2)


def hog_that_swallows_the_alarm() -> None:
    """The 24 GB run: a one-shot alarm raised inside a gc callback is lost ("Exception
    ignored in …"), and the work goes on; here it goes on forever."""
    def ring(signum: int, frame: object) -> None:
        raise TimeoutError("alarm")

    def callback(phase: str, info: dict[str, int]) -> None:
        time.sleep(0.3)  # the alarm rings in here, and gc swallows the exception

    signal.signal(signal.SIGALRM, ring)
    gc.callbacks.append(callback)
    signal.setitimer(signal.ITIMER_REAL, 0.1)
    while True:
        gc.collect()


def test_a_swallowed_alarm_is_still_stopped_by_the_hard_kill() -> None:
    started = time.monotonic()
    with pytest.raises(pytest.fail.Exception, match=r"killed after 3 s"):
        run_isolated(hog_that_swallows_the_alarm, timeout=3)
    assert time.monotonic() - started < 30


def test_the_kill_takes_the_childs_own_children_too(tmp_path: Path) -> None:
    pid_file = tmp_path / "grandchild"

    def spawn_and_hang() -> None:
        import subprocess

        child = subprocess.Popen(["sleep", "300"])
        pid_file.write_text(str(child.pid))
        time.sleep(300)

    with pytest.raises(pytest.fail.Exception, match="killed after"):
        run_isolated(spawn_and_hang, timeout=3)
    grandchild = int(pid_file.read_text())
    for _ in range(50):  # the kernel reaps it a moment after the kill
        if not _alive(grandchild):
            break
        time.sleep(0.1)
    assert not _alive(grandchild)


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_a_failed_assertion_comes_back_with_its_message() -> None:
    def fails() -> None:
        assert 1 + 1 == 3, "arithmetic"

    with pytest.raises(AssertionError, match="arithmetic"):
        run_isolated(fails)


def test_a_skip_in_the_child_is_a_skip() -> None:
    with pytest.raises(pytest.skip.Exception, match="no tool"):
        run_isolated(lambda: pytest.skip("no tool"))


def test_a_passing_body_passes_and_sees_the_parents_state() -> None:
    seen = {"value": 41}
    run_isolated(lambda: None if seen["value"] + 1 == 42 else pytest.fail("lost state"))


def test_a_threaded_parent_is_refused_not_forked() -> None:
    """A fork copies one thread: a fixture's server thread would stay behind, and what it
    counts would never reach the test (which would then pass without looking)."""
    import threading

    stop = threading.Event()
    server = threading.Thread(target=stop.wait)
    server.start()
    try:
        with pytest.raises(pytest.fail.Exception, match=r"cannot fork safely: .* 2 threads"):
            run_isolated(lambda: None)
    finally:
        stop.set()
        server.join()
