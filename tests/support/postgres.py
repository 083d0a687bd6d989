"""A PostgreSQL server for the history tests: the one in ``XINAO_XL_TEST_PG``, else a
throwaway cluster started here (initdb + pg_ctl on a temp dir, loopback only, trust auth).

Why start our own rather than use the packaged cluster: it needs no service manager, no
password and no state left from an earlier run, and it works the same for a developer and
for CI (`.ci/run` only installs the Debian packages). initdb refuses to run as root, so as
root the cluster is created and run as the ``postgres`` user the Debian package adds.

    with throwaway_cluster() as url:     # postgresql+psycopg://xinao@127.0.0.1:PORT/postgres
        ...
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

ENV_URL = "XINAO_XL_TEST_PG"
SUPERUSER = "xinao"


class NoServer(RuntimeError):
    """No PostgreSQL server can be had here (the message says why)."""


def find_bin() -> Path | None:
    """The directory with initdb and pg_ctl: the newest /usr/lib/postgresql/N/bin, else PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl:
        real = Path(pg_ctl).resolve()
        if (real.parent / "initdb").exists():
            return real.parent
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_user() -> list[str]:
    """The command prefix that runs the server tools as a non-root user."""
    if os.geteuid() != 0:
        return []
    try:
        import pwd

        pwd.getpwnam("postgres")
    except KeyError:
        raise NoServer("running as root and there is no 'postgres' user to run initdb as (install the postgresql package)") from None
    if shutil.which("runuser"):
        return ["runuser", "-u", "postgres", "--"]
    if shutil.which("setpriv"):
        import pwd

        pw = pwd.getpwnam("postgres")
        return ["setpriv", f"--reuid={pw.pw_uid}", f"--regid={pw.pw_gid}", "--clear-groups", "--"]
    raise NoServer("running as root and neither runuser nor setpriv is there to drop to the postgres user")


def _run(cmd: list[str], log: Path | None = None) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
        raise NoServer(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()[-1500:]} {tail}".strip())


@contextlib.contextmanager
def throwaway_cluster() -> Iterator[str]:
    """Start a private cluster on 127.0.0.1 and a free port; yield its URL; stop and delete it."""
    bindir = find_bin()
    if bindir is None:
        raise NoServer("PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin or pg_ctl on PATH; Debian: apt-get install postgresql)")
    prefix = _as_user()
    base = Path(tempfile.mkdtemp(prefix="xinao-pg-"))
    data, log = base / "data", base / "server.log"
    if prefix:
        import pwd

        pw = pwd.getpwnam("postgres")
        os.chown(base, pw.pw_uid, pw.pw_gid)
    started = False
    try:
        _run([*prefix, str(bindir / "initdb"), "-D", str(data), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8", "--no-sync", "--locale=C"])
        port = _free_port()
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {base} -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        _run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w", "-t", "60", "start"], log)
        started = True
        yield f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{port}/postgres"
    finally:
        if started:
            subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(base, ignore_errors=True)


@contextlib.contextmanager
def server() -> Iterator[str]:
    """``XINAO_XL_TEST_PG`` when set, else a throwaway cluster; raises `NoServer`."""
    given = os.environ.get(ENV_URL, "").strip()
    if given:
        yield given
        return
    with throwaway_cluster() as url:
        yield url
