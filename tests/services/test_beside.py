"""A second process beside the close (services/beside.py): the value comes from the child,
anything that goes wrong there is computed again in the caller, a cancelled child is gone,
and a close with the second process writes what a close without it writes.

The test processes of ``pytest -n`` run a thread of xdist's, so there `Beside` never forks
(a fork copies only the calling thread). What needs a fork runs in a fresh Python of its
own (`_python`), single-threaded as ``xinao-xl`` is.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.support.snapshot import snapshot, snapshot_diff
from xinao_xl.books.month_folder import MonthFolder
from xinao_xl.history.store import HistoryStore, company_name, default_path
from xinao_xl.services import beside
from xinao_xl.services.beside import SERIAL_ENV, Beside

from . import hand_month as H

REPO = Path(__file__).resolve().parents[2]
ON_LINUX = sys.platform.startswith("linux")


def _python(code: str, env: dict[str, str] | None = None) -> Any:
    """Run `code` in a fresh interpreter (this checkout first on the path); its last line of
    output, as JSON."""
    environ = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    environ.pop(SERIAL_ENV, None) if SERIAL_ENV not in (env or {}) else None
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=environ, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- when there is no second process ------------------------------------------------------------


def test_asked_to_run_serially_it_computes_in_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SERIAL_ENV, "1")
    calls: list[int] = []
    with Beside(lambda: calls.append(os.getpid()) or 41 + 1) as b:
        assert not b.forked and calls == []  # nothing computed until asked
        assert b.value() == 42 and not b.in_child
    assert calls == [os.getpid()]


def test_a_running_thread_means_no_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the forking thread lives on in a child: a lock another thread held would stay
    held there for ever. With a thread running (as here, and always under xdist) no fork."""
    monkeypatch.delenv(SERIAL_ENV, raising=False)
    stop = threading.Event()
    t = threading.Thread(target=stop.wait)
    t.start()
    try:
        assert threading.active_count() > 1 and not beside.can_fork()
        with Beside(lambda: os.getpid()) as b:
            assert not b.forked and b.value() == os.getpid()
    finally:
        stop.set()
        t.join()


# --- with a second process ----------------------------------------------------------------------

FORKS = """
    import json, os, signal, threading, time
    from xinao_xl.services.beside import Beside, can_fork

    parent = os.getpid()
    out = {"can_fork": can_fork()}

    b = Beside(os.getpid)                     # the value is the child's pid
    out["child_value"] = [b.forked, b.value() != parent, b.in_child]

    def fails_in_child():
        if os.getpid() != parent:
            raise ValueError("only in the child")
        return "computed by the caller"
    b = Beside(fails_in_child)
    out["raised_in_child"] = [b.forked, b.value(), b.in_child]

    def killed_in_child():
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return "computed by the caller"
    b = Beside(killed_in_child)
    out["killed_child"] = [b.forked, b.value(), b.in_child]

    def unpicklable():
        return (lambda: None) if os.getpid() != parent else "computed by the caller"
    b = Beside(unpicklable)
    out["unpicklable"] = [b.forked, b.value(), b.in_child]

    def raises():
        raise KeyError("the same error, raised by the caller")
    b = Beside(raises)
    try:
        b.value()
    except KeyError as exc:
        out["raises"] = [b.forked, str(exc)]

    t0 = time.perf_counter()
    with Beside(lambda: time.sleep(60)) as b:
        pid = b._pid
    out["cancelled"] = [b.forked, time.perf_counter() - t0 < 5]
    try:
        os.waitpid(pid, os.WNOHANG)
        out["cancelled"].append("not reaped")
    except ChildProcessError:
        out["cancelled"].append("reaped")

    big = b"x" * (8 << 20)                    # more than a pipe holds: the child waits for the reader
    b = Beside(lambda: big + b"!")
    out["big"] = [b.value() == big + b"!", b.in_child]

    stop = threading.Event()
    t = threading.Thread(target=stop.wait); t.start()
    out["with_a_thread"] = Beside(os.getpid).forked
    stop.set(); t.join()

    def alarm(*args):
        raise KeyboardInterrupt
    signal.signal(signal.SIGALRM, alarm)
    b = Beside(lambda: time.sleep(30))
    pid = b._pid
    signal.setitimer(signal.ITIMER_REAL, 0.3)
    t0 = time.perf_counter()
    try:
        b.value()
    except KeyboardInterrupt:
        out["interrupted"] = [time.perf_counter() - t0 < 5]
    try:
        os.waitpid(pid, os.WNOHANG)
        out["interrupted"].append("not reaped")
    except ChildProcessError:
        out["interrupted"].append("reaped")

    real_fork = os.fork
    def no_fork():
        raise OSError(11, "Resource temporarily unavailable")
    os.fork = no_fork
    fds = len(os.listdir("/proc/self/fd"))
    b = Beside(lambda: "computed by the caller")
    out["fork_refused"] = [b.forked, b.value(), len(os.listdir("/proc/self/fd")) == fds]
    os.fork = real_fork
    print(json.dumps(out))
"""


@pytest.mark.skipif(not ON_LINUX, reason="fork is used on Linux only (beside.py)")
def test_the_child_computes_and_whatever_fails_there_is_computed_again_by_the_caller() -> None:
    out = _python(FORKS)
    assert out["can_fork"] is True
    assert out["child_value"] == [True, True, True]
    assert out["raised_in_child"] == [True, "computed by the caller", False]
    assert out["killed_child"] == [True, "computed by the caller", False]
    assert out["unpicklable"] == [True, "computed by the caller", False]
    assert out["raises"] == [True, "'the same error, raised by the caller'"]
    assert out["cancelled"] == [True, True, "reaped"]
    assert out["big"] == [True, True]
    assert out["with_a_thread"] is False
    assert out["interrupted"] == [True, "reaped"]  # interrupted while waiting: the child killed, not waited for
    assert out["fork_refused"] == [False, "computed by the caller", True]  # no process to spare: as on Windows, no pipe left open


CLOSE = """
    import json, os, sys
    from pathlib import Path
    from xinao_xl.services import close
    from tests.services import hand_month as H

    parent = os.getpid()
    if sys.argv[-1] == "fail-in-child":
        real = close._made_beside
        def made(*args, **kwargs):
            if os.getpid() != parent:
                raise RuntimeError("the second process fails")
            return real(*args, **kwargs)
        close._made_beside = made
    if sys.argv[-1] == "too-large":  # a 台账 over the limit (hand_month's has a few rows)
        close.BESIDE_MAX_CALLBACKS = 1
    result = close.close_month(H.MONTH, Path(ROOT), now=H.NOW)
    print(json.dumps({"peak": result.timings.get("beside_peak_mb"), "carried": result.carried,
                      "history": result.history.counts if result.history else None}))
"""


def _outputs(root: Path) -> dict[str, Path]:
    mf = MonthFolder(root, H.MONTH)
    return {f"{p.parent.name}/{p.name}": p for folder in (mf.out_dir, mf.next().path) for p in sorted(folder.glob("*.xlsx"))}


def _close_in_python(root: Path, how: str) -> Any:
    code = CLOSE.replace("ROOT", repr(str(root)))
    env = {SERIAL_ENV: "1"} if how == "serial" else {}
    return _python(code.replace("sys.argv[-1]", repr(how)), env)


@pytest.mark.skipif(not ON_LINUX, reason="fork is used on Linux only (beside.py)")
def test_a_close_with_a_second_process_writes_what_one_without_writes(tmp_path: Path) -> None:
    """The same month closed four ways, each a fresh single-threaded Python: without a
    second process, with one, with one that fails (the close builds its part itself), and
    with a 台账 over `BESIDE_MAX_CALLBACKS` (no second process: the memory of two).
    Every output and every next-month book is the same, cell by cell; so are the record's
    scores, carried items and the history store's rows."""
    ways = ("serial", "forked", "fail-in-child", "too-large")
    roots = {how: tmp_path / how for how in ways}
    H.build(roots["serial"])
    HistoryStore(default_path(roots["serial"])).close()  # there already: its rows go in before the marker
    for how in ways[1:]:
        shutil.copytree(roots["serial"], roots[how])
    runs = {how: _close_in_python(root, how) for how, root in roots.items()}
    assert runs["serial"]["peak"] is None and runs["forked"]["peak"] > 0  # only a child reports its peak
    assert runs["fail-in-child"]["peak"] is None  # the child sent nothing back
    assert runs["too-large"]["peak"] is None  # no child
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


@pytest.mark.skipif(not ON_LINUX, reason="fork is used on Linux only (beside.py)")
def test_a_killed_close_takes_its_second_process_with_it() -> None:
    """The child holds a copy of the month lock's file handle while it lives: a close killed
    from outside (the ribbon's 取消, a closed window) must not leave it running on."""
    import signal
    import time

    code = textwrap.dedent("""
        import os, sys, time
        from xinao_xl.services.beside import Beside
        b = Beside(lambda: time.sleep(60))
        print(b._pid, flush=True)
        time.sleep(60)
    """)
    environ = {**os.environ, "PYTHONPATH": str(REPO)}
    environ.pop(SERIAL_ENV, None)
    with subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=environ) as close:
        assert close.stdout is not None
        child = int(close.stdout.readline())
        close.send_signal(signal.SIGKILL)
        close.wait(10)
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
