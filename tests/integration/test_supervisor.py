"""`yizheng run`'s supervisor after a crash: its children do not outlive it, and a port some other process
still holds is refused up front, naming the process, instead of a stale process answering the health check
for a child that could not bind."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import signal
import socket
import sys
import textwrap

import pytest

from eventstore.kafka_access import KafkaAccess
from yizheng.infra.ports import process_alive
from yizheng.supervisor import Supervisor, child_env
from yizheng.testing.wait import wait_until

# A parent that starts one child the way the supervisor does, prints the child's pid, then waits forever.
PARENT = textwrap.dedent("""
    import subprocess, sys, time
    from yizheng.supervisor import _stop_with_parent
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"], start_new_session=True,
                             preexec_fn=_stop_with_parent)
    print(child.pid, flush=True)
    time.sleep(600)
""")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
async def test_a_child_stops_when_its_supervisor_is_killed() -> None:
    parent = await asyncio.create_subprocess_exec(sys.executable, "-c", PARENT, stdout=asyncio.subprocess.PIPE,
                                                  env=dict(os.environ))
    assert parent.stdout is not None
    child_pid = int(await parent.stdout.readline())
    assert process_alive(child_pid)
    parent.send_signal(signal.SIGKILL)
    await parent.wait()

    def child_gone() -> bool:
        try:
            waited, _ = os.waitpid(child_pid, os.WNOHANG)  # not ours: raises ChildProcessError
        except ChildProcessError:
            waited = 0
        return waited == child_pid or not process_alive(child_pid)

    await wait_until(child_gone, timeout=10, message=f"child {child_pid} to stop after its parent was killed")


async def test_a_port_still_held_by_another_process_is_refused_naming_it(database_url: str,
                                                                        kafka_bootstrap: KafkaAccess) -> None:
    supervisor = Supervisor(child_env(database_url, kafka_bootstrap))
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        first = supervisor.children[0]
        first.spec = dataclasses.replace(first.spec, port=port)
        with pytest.raises(RuntimeError) as refused:
            await supervisor.start()
    message = str(refused.value)
    assert f":{port} ({first.spec.name}) is held by pid {os.getpid()}" in message
    assert "stop it first" in message
    assert all(c.process is None for c in supervisor.children), "nothing was started"
