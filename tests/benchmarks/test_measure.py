"""benchmarks/measure.py: a child process's wall time and CPU time, measured from outside."""

from __future__ import annotations

import sys

from benchmarks.measure import run

BURN = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.3:\n    pass"
SLEEP = "import time\ntime.sleep(0.3)"


def test_cpu_time_is_the_childs_computing_not_its_waiting() -> None:
    """A child computing for 0.3 s of CPU reports at least 0.25 s of CPU; a child sleeping
    0.3 s takes as long on the wall clock but reports under 0.2 s of CPU (its interpreter's
    start-up only). Wall time counts both."""
    burn, sleep = run([sys.executable, "-c", BURN]), run([sys.executable, "-c", SLEEP])
    assert burn.cpu_seconds >= 0.25 and burn.seconds >= 0.3
    assert sleep.seconds >= 0.3 and sleep.cpu_seconds < 0.2
