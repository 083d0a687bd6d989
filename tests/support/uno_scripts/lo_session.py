"""LibreOffice for a script that `tests.support.uno_run.run_uno_script` runs.

Imported by the system ``python3`` (the one with LibreOffice's ``uno`` bridge, not our venv),
found through ``PYTHONPATH``; the runner puts the soffice path, a private profile and a unique
pipe name in the environment, so a script holds only what it does with the documents:

    with session() as (ctx, desktop):
        doc = load(desktop, path, prop("MacroExecutionMode", 4))

Nothing here may import from our package: this interpreter does not have it.
"""

import os
import subprocess
import time
from contextlib import contextmanager

import uno
from com.sun.star.beans import PropertyValue

CONNECT_TRIES = 240
CONNECT_PAUSE = 0.5  # seconds: up to two minutes for a first start on a busy machine
EXIT_WAIT = 60


def prop(name, value):
    """A ``PropertyValue``, the argument type of most UNO calls."""
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def load(desktop, path, *props):
    """The document at file `path`, opened hidden (plus `props`)."""
    return desktop.loadComponentFromURL(uno.systemPathToFileUrl(path), "_blank", 0, (prop("Hidden", True), *props))


def _connect(pipe):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(CONNECT_TRIES):
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except Exception:
            time.sleep(CONNECT_PAUSE)
    raise SystemExit("LibreOffice did not start")


@contextmanager
def session():
    """(component context, Desktop) of a headless LibreOffice started for this script alone;
    asked to quit on the way out, killed if it does not."""
    soffice, profile, pipe = os.environ["XINAO_SOFFICE"], os.environ["XINAO_LO_PROFILE"], os.environ["XINAO_LO_PIPE"]
    proc = subprocess.Popen([soffice, "--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
                             "-env:UserInstallation=" + profile, f"--accept=pipe,name={pipe};urp;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    desktop = None
    try:
        ctx = _connect(pipe)
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        yield ctx, desktop
    finally:
        if desktop is not None:
            try:
                desktop.terminate()
            except Exception:
                pass
        try:
            proc.wait(timeout=EXIT_WAIT)
        except subprocess.TimeoutExpired:
            proc.kill()
