"""Loopback port probes, and who holds a port (so 'port taken' errors can name the process)."""

from __future__ import annotations

import os
import socket
from pathlib import Path


def is_listening(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def can_bind(host: str, port: int) -> bool:
    """True if a server could bind `port` now. Not the same as nobody listening: the usual local ports sit in
    Linux's ephemeral range, so an outgoing connection (a Kafka client, a PostgreSQL session) may hold one."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers bind: TIME_WAIT is no obstacle
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def preferred_or_free(host: str, preferred: int) -> int:
    """The usual port if a server can bind it, else any free one."""
    return preferred if can_bind(host, preferred) else free_port(host)


def free_port(host: str = "127.0.0.1") -> int:
    """A port the kernel says is free right now (for test servers that pick their own port)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _listening_inodes(port: int) -> set[str]:
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            # fields: sl local_address rem_address st ... inode; state 0A is LISTEN
            if len(fields) > 9 and fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    return inodes


def port_owner(port: int) -> str | None:
    """'pid 123: postgres -D ...' for the process listening on `port`, if /proc lets us see it (Linux)."""
    inodes = _listening_inodes(port)
    if not inodes:
        return None
    targets = {f"socket:[{inode}]" for inode in inodes}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            fds = list((proc / "fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(fd) in targets:
                    return f"pid {proc.name}: {process_cmdline(int(proc.name))[:160]}"
            except OSError:
                continue
    return "a process this user cannot inspect"


def process_cmdline(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return " ".join(raw.replace(b"\0", b" ").decode(errors="replace").split())


def process_alive(pid: int) -> bool:
    """True if `pid` runs and is not a zombie (a zombie still answers kill(pid, 0))."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc (not Linux): trust kill()
    # the state letter follows the parenthesised command name, which may itself contain spaces
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
