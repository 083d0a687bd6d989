"""What a piece of code imports, in a fresh interpreter: start-up is what a command or a
ribbon click pays before any work (issue 16), and a module imported once in the test run
stays imported, so only a new process can tell."""

from __future__ import annotations

import json
import subprocess
import sys

# Libraries that take a tenth of a second or more each to import (pandas: half a second).
HEAVY = ("pandas", "numpy", "openpyxl", "sqlalchemy", "xlwings", "python_calamine", "chinese_calendar", "defusedxml", "psycopg")


def heavy_imports(code: str) -> set[str]:
    """The `HEAVY` libraries loaded after running `code` in a new interpreter."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    return set(json.loads(done.stdout.strip().splitlines()[-1]))
