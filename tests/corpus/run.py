"""``python -m tests.corpus.run RUNS.json``: run ``xinao-xl`` commands in this process, in a
process of their own, and report each as a JSON line on stdout.

Why a child process: what a hostile file does to a reader is measured on the process (peak
resident memory, `resource.getrusage`), and a reader that aborts (calamine does on an
allocation failure) must take down this child, not the test run. The address space is
capped (`AS_LIMIT`) so that a regression fails the test instead of swapping the machine.

RUNS.json: ``[{"case": name, "command": "validate", "argv": [...]}, ...]``. For each run
two lines: ``{"start": case, "command": ...}`` before (the last one names the culprit if
the process dies) and ``{"case", "command", "code", "out", "err", "rss_mb", "seconds"}`` after.
"""

from __future__ import annotations

import contextlib
import io
import json
import resource
import sys
import time
from pathlib import Path

AS_LIMIT = 4 << 30  # bytes of address space; the commands peak near 0.3 GB of it resident


def rss_mb() -> float:
    """Peak resident memory of this process so far (ru_maxrss is in KB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str]) -> int:
    runs = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard == resource.RLIM_INFINITY or hard > AS_LIMIT:
        resource.setrlimit(resource.RLIMIT_AS, (AS_LIMIT, hard))
    from xinao_xl.cli import main as cli

    real = sys.stdout
    real.write(json.dumps({"ready": True, "rss_mb": rss_mb()}) + "\n")
    for run in runs:
        real.write(json.dumps({"start": run["case"], "command": run["command"]}) + "\n")
        real.flush()
        out, err = io.StringIO(), io.StringIO()
        t0 = time.perf_counter()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli(run["argv"])
            except SystemExit as exc:  # argparse
                code = exc.code if isinstance(exc.code, int) else 2
        real.write(json.dumps({"case": run["case"], "command": run["command"], "code": code, "out": out.getvalue(),
                               "err": err.getvalue(), "rss_mb": rss_mb(), "seconds": time.perf_counter() - t0},
                              ensure_ascii=False) + "\n")
        real.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
