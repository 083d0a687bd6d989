"""A second process beside the close (services/spawned.py): the value comes from it, anything
that goes wrong there is computed again in the caller, a cancelled process is gone, and a
close with the second process writes what a close without it writes.

The functions the second process runs are in spawn_targets.py (it runs them by name).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support.snapshot import snapshot, snapshot_diff
from xinao_xl.books.month_folder import MonthFolder
from xinao_xl.history.store import HistoryStore, company_name, default_path
from xinao_xl.services import close, spawned
from xinao_xl.services.spawned import SERIAL_ENV, Spawned

from . import hand_month as H
from .spawn_targets import PARENT

REPO = Path(__file__).resolve().parents[2]
ON_LINUX = sys.platform.startswith("linux")
T = "tests.services.spawn_targets:"


@pytest.fixture
def two_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A second process is wanted (the suite may run with XINAO_XL_SERIAL), and the targets
    know which process is the test's."""
    monkeypatch.delenv(SERIAL_ENV, raising=False)
    monkeypatch.setenv(PARENT, str(os.getpid()))
    monkeypatch.setattr(spawned, "cores", lambda: 2)


# --- when there is no second process ------------------------------------------------------------


def test_asked_to_run_serially_it_computes_in_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SERIAL_ENV, "1")
    with Spawned(T + "pid") as s:
        assert not s.started
        s.send()
        assert not s.sent and s.value() == os.getpid() and not s.in_child


def test_one_core_means_no_second_process(two_processes: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spawned, "cores", lambda: 1)
    with Spawned(T + "pid") as s:
        assert not s.started


def test_a_refused_start_leaves_the_work_to_the_caller(two_processes: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """No process to spare (a limit on processes, no memory): computed here, as with one core."""
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(subprocess, "Popen", refuse)
    with Spawned(T + "echo") as s:
        assert not s.started
        s.send("computed by the caller")
        assert s.value() == "computed by the caller" and not s.in_child


def test_value_before_send_is_a_programming_error() -> None:
    with Spawned(T + "pid", start=False) as s, pytest.raises(RuntimeError):
        s.value()


# --- with a second process ----------------------------------------------------------------------


def test_the_value_is_the_second_processs(two_processes: None) -> None:
    with Spawned(T + "pid") as s:
        assert s.started
        s.send()
        assert s.sent
        assert s.value() != os.getpid() and s.in_child
        if ON_LINUX:
            assert s.child_peak_mb is not None and s.child_peak_mb > 5  # an interpreter's worth at least


@pytest.mark.parametrize("target", ["fails_in_second", "killed_in_second", "unpicklable_in_second"])
def test_whatever_fails_there_is_computed_again_by_the_caller(two_processes: None, target: str) -> None:
    with Spawned(T + target) as s:
        s.send()
        assert s.value() == "computed by the caller" and not s.in_child


def test_a_module_that_does_not_import_there_is_computed_here(two_processes: None) -> None:
    with Spawned("tests.services.no_such_module:f") as s:
        s.send()
        with pytest.raises(ModuleNotFoundError):  # the caller's own import fails the same way
            s.value()


def test_an_exception_is_raised_by_the_caller_itself(two_processes: None) -> None:
    with Spawned(T + "raises") as s:
        s.send()
        with pytest.raises(KeyError, match="the same error, raised by the caller"):
            s.value()


def test_stray_output_there_does_not_spoil_the_value(two_processes: None) -> None:
    with Spawned(T + "prints") as s:
        s.send("值")
        assert s.value() == "值" and s.in_child


def test_large_arguments_and_values_travel_whole(two_processes: None) -> None:
    """8 MB each way: more than a pipe holds, in both directions."""
    big = os.urandom(8 << 20)
    with Spawned(T + "echo") as s:
        s.send(big)
        assert s.value() == big and s.in_child


def test_sending_does_not_wait_for_the_second_processs_imports(two_processes: None) -> None:
    """The arguments go while the process still imports (its module takes 1 s to import
    here): the close goes on validating instead of waiting on a full pipe (a pipe holds 64 KB
    on Linux, 4 KB on Windows; this sends 4 MB)."""
    data = b"x" * (4 << 20)
    with Spawned("tests.services.spawn_slow_import:size") as s:
        time.sleep(0.1)  # (the interpreter is up, its import under way)
        t0 = time.perf_counter()
        s.send(data)
        sent_in = time.perf_counter() - t0
        assert s.value() == len(data) and s.in_child
    assert sent_in < 0.5, sent_in


def test_leaving_early_kills_the_process(two_processes: None) -> None:
    t0 = time.perf_counter()
    with Spawned(T + "sleeps") as s:
        s.send(60)
        proc = s._proc
        assert proc is not None
    assert time.perf_counter() - t0 < 5
    assert proc.poll() is not None  # ended and waited for
    assert not s.started and not s.sent


def test_a_process_never_sent_anything_is_ended_by_cancel(two_processes: None) -> None:
    s = Spawned(T + "pid")
    proc = s._proc
    assert proc is not None
    s.cancel()
    assert proc.poll() is not None
    s.send()
    assert s.value() == os.getpid()  # (after a cancel, the caller computes)


def test_the_second_process_imports_from_the_callers_path_with_its_options(two_processes: None) -> None:
    """Its sys.path is the caller's (not the working folder first, nor a PYTHONPATH an
    embedded Python ignores), and it runs with the caller's interpreter options plus -P."""
    with Spawned(T + "path") as s:
        s.send()
        assert s.value() == sys.path and s.in_child
    with Spawned(T + "flags") as s:
        s.send()
        got = s.value()
        assert s.in_child and got == [sys.flags.dont_write_bytecode, sys.flags.optimize, 1]  # (1: -P, safe_path)


def test_a_module_changed_after_the_caller_loaded_the_package_is_not_trusted(two_processes: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new version installed while Excel kept the caller's process: the second process
    imports the new files, so its value may come from other code; the caller computes."""
    import xinao_xl

    monkeypatch.setattr(xinao_xl, "LOADED_AT", 0.0)  # every module file is newer than that
    with Spawned(T + "pid") as s:
        s.send()
        assert s.value() == os.getpid() and not s.in_child


def test_output_printed_before_the_second_process_sets_it_aside_neither_hangs_nor_spoils(two_processes: None,
                                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A sitecustomize or .pth file printing at start-up (here 200 KB, more than a pipe
    holds) while the caller sends 1 MB: the caller's write does not wait on it, and the
    value behind its marker is still read."""
    monkeypatch.setattr(spawned, "_BOOT", "import sys;sys.stdout.write('x'*200000);sys.stdout.flush();" + spawned._BOOT)
    data = b"y" * (1 << 20)
    t0 = time.perf_counter()
    with Spawned(T + "echo") as s:
        s.send(data)
        sent_in = time.perf_counter() - t0
        assert s.value() == data and s.in_child
    assert sent_in < 0.5, sent_in


def test_a_second_process_that_does_not_answer_in_time_is_killed(two_processes: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spawned, "TIMEOUT_S", 1.0)
    t0 = time.perf_counter()
    with Spawned(T + "sleeps_in_second") as s:
        s.send(60)
        proc = s._proc
        assert s.value() == "computed by the caller" and not s.in_child
    assert time.perf_counter() - t0 < 10
    assert proc is not None and proc.poll() is not None


def test_arguments_that_do_not_pickle_are_computed_from_here(two_processes: None) -> None:
    """(A function, a structure too deep to pickle): no process computes, the caller does."""
    fn = lambda: None  # noqa: E731
    with Spawned(T + "echo") as s:
        s.send(fn)
        assert not s.sent and s.value() is fn and not s.in_child
    deep: list = []
    for _ in range(200_000):
        deep = [deep]
    with Spawned(T + "pid") as s:
        s.send(deep)
        assert not s.sent


def test_the_caller_computes_from_the_bytes_it_sent(two_processes: None) -> None:
    """The fallback after a failure there starts from what was pickled at `send`, not from
    objects changed since (the second process computed from those bytes too)."""
    record = {"n": 1}
    with Spawned(T + "echo_failing_in_second") as s:
        s.send(record)
        record["n"] = 2
        assert s.value() == {"n": 1} and not s.in_child


def test_a_process_never_sent_anything_ends_when_its_input_closes(two_processes: None) -> None:
    """What ends it on Windows when its caller dies before sending: the closed pipe."""
    s = Spawned(T + "pid")
    proc = s._proc
    assert proc is not None and proc.stdin is not None
    proc.stdin.close()
    assert proc.wait(30) == 1
    s.cancel()


@pytest.mark.skipif(not ON_LINUX, reason="SIGALRM and /proc: Linux")
def test_an_interrupt_while_waiting_kills_the_process_instead_of_waiting() -> None:
    out = _python("""
        import json, signal, time
        from xinao_xl.services.spawned import Spawned
        def alarm(*args):
            raise KeyboardInterrupt
        signal.signal(signal.SIGALRM, alarm)
        s = Spawned("tests.services.spawn_targets:sleeps")
        s.send(30)
        proc = s._proc
        signal.setitimer(signal.ITIMER_REAL, 0.5)
        t0 = time.perf_counter()
        try:
            s.value()
        except KeyboardInterrupt:
            print(json.dumps([time.perf_counter() - t0 < 5, proc.poll() is not None]))
    """)
    assert out == [True, True]


@pytest.mark.skipif(not ON_LINUX, reason="PR_SET_PDEATHSIG and /proc: Linux (elsewhere the closed pipes end it)")
def test_a_killed_close_takes_its_second_process_with_it() -> None:
    """A close killed from outside (the ribbon's 取消, a closed window) leaves no process
    computing on."""
    code = textwrap.dedent("""
        import time
        from xinao_xl.services.spawned import Spawned
        s = Spawned("tests.services.spawn_targets:sleeps")
        s.send(60)
        print(s._proc.pid, flush=True)
        time.sleep(60)
    """)
    environ = {**os.environ, "PYTHONPATH": str(REPO)}
    environ.pop(SERIAL_ENV, None)
    with subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=environ) as parent:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        time.sleep(0.3)
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _alive(child):
        time.sleep(0.05)
    assert not _alive(child)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            return not any(row.startswith("State:") and "Z" in row.split()[1] for row in f)
    except FileNotFoundError:
        return False


def _python(code: str) -> Any:
    """Run `code` in a fresh interpreter (this checkout first on the path); its last line of
    output, as JSON."""
    environ = {**os.environ, "PYTHONPATH": str(REPO)}
    environ.pop(SERIAL_ENV, None)
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=environ, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the close ----------------------------------------------------------------------------------


def _outputs(root: Path) -> dict[str, Path]:
    mf = MonthFolder(root, H.MONTH)
    return {f"{p.parent.name}/{p.name}": p for folder in (mf.out_dir, mf.next().path) for p in sorted(folder.glob("*.xlsx"))}


def test_a_close_with_a_second_process_writes_what_one_without_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                      two_processes: None) -> None:
    """The same month closed four ways: without a second process, with one, with one that
    fails (the close builds its part itself), and with a 台账 over `BESIDE_MAX_CALLBACKS`
    (the second process is sent nothing: the memory of two). Every output and every
    next-month book is the same, cell by cell; so are the record's scores, carried items
    and the history store's rows."""
    ways = ("serial", "spawned", "fail-in-second", "too-large")
    roots = {how: tmp_path / how for how in ways}
    H.build(roots["serial"])
    HistoryStore(default_path(roots["serial"])).close()  # there already: its rows are made while the second process works
    for how in ways[1:]:
        shutil.copytree(roots["serial"], roots[how])
    runs = {}
    for how, root in roots.items():
        with monkeypatch.context() as m:
            if how == "serial":
                m.setenv(SERIAL_ENV, "1")
            if how == "fail-in-second":
                m.setattr(close, "BESIDE_TARGET", T + "build_beside_failing_in_second")
            if how == "too-large":  # (hand_month's 台账 has a few rows)
                m.setattr(close, "BESIDE_MAX_CALLBACKS", 1)
            result = close.close_month(H.MONTH, root, now=H.NOW)
        runs[how] = {"peak": result.timings.get("beside_peak_mb"), "used": result.timings.get("beside_in_child"), "carried": result.carried,
                     "history": result.history.counts if result.history else None}
    assert runs["serial"]["peak"] is None  # only a second process whose value is used reports its peak
    assert runs["spawned"]["used"] == 1.0 and runs["serial"]["used"] == 0.0  # (on every system)
    assert runs["fail-in-second"]["used"] == 0.0 and runs["too-large"]["used"] == 0.0
    if ON_LINUX:
        assert runs["spawned"]["peak"] > 0
    assert runs["fail-in-second"]["peak"] is None  # the second process sent no value
    assert runs["too-large"]["peak"] is None  # it was sent nothing
    for how in ways[1:]:
        assert runs[how]["carried"] == runs["serial"]["carried"] and runs[how]["history"] == runs["serial"]["history"], how
    serial = _outputs(roots["serial"])
    assert len(serial) == 9  # five outputs, four books of next month
    for how in ways[1:]:
        other = _outputs(roots[how])
        assert list(other) == list(serial)
        for name in serial:
            assert snapshot_diff(snapshot(serial[name]), snapshot(other[name])) == [], (how, name)
        records = [json.loads(MonthFolder(root, H.MONTH).record_path.read_text(encoding="utf-8")) for root in (roots["serial"], roots[how])]
        for key in ("得分", "inputs", "内容摘要", "注意"):
            assert records[0][key] == records[1][key], (how, key)
        assert records[0]["next_month"]["结转"] == records[1]["next_month"]["结转"]
        stores = [HistoryStore(default_path(root)) for root in (roots["serial"], roots[how])]
        try:
            assert stores[0].fingerprint(company_name(None)) == stores[1].fingerprint(company_name(None)), how
        finally:
            for st in stores:
                st.close()
