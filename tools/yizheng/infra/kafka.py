"""A single-node Apache Kafka (KRaft, broker+controller in one JVM) from jars Maven resolves once
into `.yizheng/kafka/jars`, run detached with its data and logs under `.yizheng/kafka/`."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Callable

from runtime import settings
from yizheng.infra.errors import InfraError, log_tail
from yizheng.infra.model import ComponentStatus
from yizheng.infra.paths import Layout
from yizheng.infra.ports import is_listening, port_owner, process_alive, process_cmdline
from yizheng.infra.probes import probe_kafka

MAIN_CLASS = "kafka.Kafka"
JVM_OPTS = ["-Xms256m", "-Xmx768m", "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true"]
START_TIMEOUT = 120.0
STOP_TIMEOUT = 60.0
MIN_JAVA = 17  # Kafka 4.x brokers need Java 17

Say = Callable[[str], None]

# Children we spawned in this process: holding them keeps Popen from warning "still running" when
# garbage-collected, and lets the subprocess module reap them if they exit while we live.
_spawned: list[subprocess.Popen[bytes]] = []


def server_properties(layout: Layout, port: int) -> dict[str, str]:
    host = settings.LOOPBACK
    return {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.voters": f"1@{host}:{port + 1}",
        "listeners": f"PLAINTEXT://{host}:{port},CONTROLLER://{host}:{port + 1}",
        "advertised.listeners": f"PLAINTEXT://{host}:{port}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs": str(layout.kafka_data),
        "num.partitions": "3",
        "auto.create.topics.enable": "true",
        # one node: every internal topic must make do with one replica
        "offsets.topic.replication.factor": "1",
        "offsets.topic.num.partitions": "10",  # default 50 makes the first group join on a new broker slow
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "group.initial.rebalance.delay.ms": "0",  # tests join groups constantly; don't wait 3 s each time
    }


# --- jars -------------------------------------------------------------------------------------------


def _pom_hash(layout: Layout) -> str:
    return hashlib.sha256(layout.kafka_pom.read_bytes()).hexdigest()


def jars_ready(layout: Layout) -> bool:
    try:
        return layout.kafka_jars_marker.read_text().strip() == _pom_hash(layout)
    except OSError:
        return False


def ensure_jars(layout: Layout, say: Say) -> None:
    """Resolve the broker's jars with Maven unless a complete copy for this pom is already there."""
    if jars_ready(layout):
        return
    mvn = shutil.which("mvn")
    if mvn is None:
        raise InfraError(
            "no `mvn` on PATH: Maven is needed once to fetch the Kafka jars from Maven Central "
            "(e.g. `apt-get install maven`), or set KAFKA_BOOTSTRAP_SERVERS to use an existing Kafka"
        )
    layout.kafka_logs.mkdir(parents=True, exist_ok=True)
    partial = layout.kafka_dir / "jars.partial"
    shutil.rmtree(partial, ignore_errors=True)
    log = layout.kafka_logs / "mvn.log"
    say("downloading Apache Kafka jars with Maven (first run only)...")
    with log.open("wb") as out:
        try:
            done = subprocess.run(
                [mvn, "-q", "-B", "-Dstyle.color=never", "dependency:copy-dependencies", f"-DoutputDirectory={partial}",
                 "-DincludeScope=runtime", "-f", str(layout.kafka_pom)],
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, timeout=1200, check=False,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            raise InfraError("Maven timed out downloading the Kafka jars" + log_tail(log)) from None
    if done.returncode != 0 or not list(partial.glob("kafka_2.13-*.jar")):
        raise InfraError("Maven could not download the Kafka jars" + log_tail(log))
    (partial / layout.kafka_jars_marker.name).write_text(_pom_hash(layout) + "\n")
    # swap in whole: a crash mid-download never leaves a half-filled jars dir that looks complete
    shutil.rmtree(layout.kafka_jars, ignore_errors=True)
    partial.rename(layout.kafka_jars)


# --- java -------------------------------------------------------------------------------------------


def find_java() -> str:
    java = shutil.which("java")
    if java is None:
        raise InfraError(
            f"no `java` on PATH: Kafka needs Java {MIN_JAVA}+ (e.g. `apt-get install openjdk-17-jre-headless`), "
            "or set KAFKA_BOOTSTRAP_SERVERS to use an existing Kafka"
        )
    done = subprocess.run([java, "-version"], capture_output=True, text=True, check=False, timeout=60)
    found = re.search(r'version "(\d+)(?:\.(\d+))?', done.stderr + done.stdout)
    if found:
        major = int(found.group(1))
        if major == 1 and found.group(2):  # "1.8.0_392" style
            major = int(found.group(2))
        if major < MIN_JAVA:
            raise InfraError(f"{java} is Java {major}; Kafka 4 needs Java {MIN_JAVA} or newer")
    return java


def _java_cmd(java: str, layout: Layout, main: str, *args: str) -> list[str]:
    return [
        java, *JVM_OPTS,
        f"-Dlog4j2.configurationFile={layout.kafka_log4j}",
        f"-Dkafka.logs.dir={layout.kafka_logs}",
        "-cp", f"{layout.kafka_jars}/*", main, *args,
    ]  # fmt: skip


def _cluster_id() -> str:
    # What `kafka.tools.StorageTool random-uuid` prints (url-safe base64 of 16 random bytes), without
    # paying a JVM start for it; Kafka avoids ids that start with '-' (they read as options).
    while True:
        cid = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cid.startswith("-"):
            return cid


def _format_storage(java: str, layout: Layout, say: Say) -> None:
    if (layout.kafka_data / "meta.properties").is_file():
        return
    say(f"formatting Kafka storage in {layout.kafka_data}")
    layout.kafka_data.mkdir(parents=True, exist_ok=True)
    log = layout.kafka_logs / "format.log"
    # static controller.quorum.voters: no --standalone (that is for dynamic quorums)
    args = ["format", "-t", _cluster_id(), "-c", str(layout.kafka_properties)]
    with log.open("wb") as out:
        done = subprocess.run(
            _java_cmd(java, layout, "kafka.tools.StorageTool", *args),
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, timeout=180, check=False,
        )  # fmt: skip
    if done.returncode != 0:
        raise InfraError("formatting Kafka storage failed" + log_tail(log))


# --- process ----------------------------------------------------------------------------------------


def running_pid(layout: Layout) -> int | None:
    """The broker's pid from our pid file, if that process is alive and is our broker."""
    try:
        pid = int(layout.kafka_pid.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    cmdline = process_cmdline(pid)
    if process_alive(pid) and MAIN_CLASS in cmdline and str(layout.kafka_properties) in cmdline:
        return pid
    return None


def running_port(layout: Layout) -> int | None:
    """The broker port recorded beside the pid when our broker was started."""
    try:
        return int(layout.kafka_pid.read_text().split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _write_properties(layout: Layout, port: int) -> None:
    layout.kafka_properties.write_text(
        "# written by `yizheng infra up` on every start; edits are overwritten\n"
        + "".join(f"{k}={v}\n" for k, v in server_properties(layout, port).items())
    )


def _wait_ready(bootstrap: str, proc: subprocess.Popen[bytes], layout: Layout) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        probe = probe_kafka(bootstrap)
        if probe:
            return
        logs = log_tail(layout.kafka_logs / "stdout.log", 15) + log_tail(layout.kafka_logs / "server.log")
        if proc.poll() is not None:
            raise InfraError(f"Kafka exited with code {proc.returncode} while starting" + logs)
        if time.monotonic() > deadline:
            raise InfraError(f"Kafka at {bootstrap} did not answer within {START_TIMEOUT:.0f}s: {probe.detail}{logs}")
        time.sleep(0.3)


def start(layout: Layout, say: Say) -> str:
    port = settings.kafka_port()
    bootstrap = settings.local_kafka_bootstrap()
    java = find_java()
    ensure_jars(layout, say)
    for p in (port, port + 1):
        if is_listening(settings.LOOPBACK, p):
            raise InfraError(
                f"port {p} (Kafka {'broker' if p == port else 'controller'}) is taken by "
                f"{port_owner(p) or 'an unknown process'}; free it or set YIZHENG_KAFKA_PORT"
            )
    layout.kafka_logs.mkdir(parents=True, exist_ok=True)
    _write_properties(layout, port)
    _format_storage(java, layout, say)
    say(f"starting Kafka on {bootstrap} (controller on port {port + 1})")
    stdout_log = layout.kafka_logs / "stdout.log"
    with stdout_log.open("ab") as out:
        out.write(f"\n=== started {time.strftime('%Y-%m-%d %H:%M:%S')} ===\n".encode())
        out.flush()
        proc = subprocess.Popen(
            _java_cmd(java, layout, MAIN_CLASS, str(layout.kafka_properties)),
            cwd=layout.kafka_dir, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,  # own session: survives the CLI and its terminal's Ctrl-C
        )  # fmt: skip
    _spawned.append(proc)
    layout.kafka_pid.write_text(f"{proc.pid}\n{port}\n")
    _wait_ready(bootstrap, proc, layout)
    return bootstrap


def ensure(layout: Layout, say: Say) -> str:
    """KAFKA_BOOTSTRAP_SERVERS if set and answering; else our running broker; else a Kafka already
    answering on the port (e.g. another checkout's); else start ours. Returns the bootstrap address."""
    external = settings.external_kafka_bootstrap()
    if external:
        probe = probe_kafka(external, timeout=10.0)
        if not probe:
            raise InfraError(f"KAFKA_BOOTSTRAP_SERVERS={external} does not answer: {probe.detail}")
        say(f"Kafka: using KAFKA_BOOTSTRAP_SERVERS ({probe.detail})")
        return external
    bootstrap = settings.local_kafka_bootstrap()
    pid = running_pid(layout)
    if pid is not None:
        if running_port(layout) not in (None, settings.kafka_port()):
            raise InfraError(
                f"our Kafka (pid {pid}) listens on port {running_port(layout)}, not YIZHENG_KAFKA_PORT="
                f"{settings.kafka_port()}; run `yizheng infra down` first to move it"
            )
        deadline = time.monotonic() + START_TIMEOUT
        while not (probe := probe_kafka(bootstrap)):  # it may still be starting (another `up`)
            if time.monotonic() > deadline:
                raise InfraError(f"our Kafka (pid {pid}) does not answer: {probe.detail}")
            time.sleep(0.3)
        say(f"Kafka: already running (pid {pid}) at {bootstrap}")
        return bootstrap
    port = settings.kafka_port()
    if is_listening(settings.LOOPBACK, port):
        probe = probe_kafka(bootstrap)
        owner = port_owner(port) or "unknown process"
        if not probe:
            raise InfraError(
                f"port {port} is taken by {owner}, which does not answer as Kafka ({probe.detail}); "
                "free it or set YIZHENG_KAFKA_PORT / KAFKA_BOOTSTRAP_SERVERS"
            )
        say(f"Kafka: port {port} already answers ({probe.detail}, {owner}); using it, not starting ours")
        return bootstrap
    return start(layout, say)


def _signal_group(pid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pid, sig)  # the JVM leads its own session/group
    except ProcessLookupError:
        pass
    except PermissionError:
        os.kill(pid, sig)


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while process_alive(pid):
        for proc in _spawned:
            if proc.pid == pid:
                proc.poll()  # reap our own child so it doesn't linger as a zombie
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def stop(layout: Layout, say: Say) -> None:
    pid = running_pid(layout)
    if pid is None:
        say("Kafka: not running (from this checkout)")
        layout.kafka_pid.unlink(missing_ok=True)
        return
    say(f"stopping Kafka (pid {pid})")
    _signal_group(pid, signal.SIGTERM)
    if not _wait_gone(pid, STOP_TIMEOUT):
        say(f"Kafka did not stop within {STOP_TIMEOUT:.0f}s; killing it")
        _signal_group(pid, signal.SIGKILL)
        _wait_gone(pid, 10.0)
    layout.kafka_pid.unlink(missing_ok=True)


def status(layout: Layout) -> ComponentStatus:
    external = settings.external_kafka_bootstrap()
    bootstrap = external or settings.local_kafka_bootstrap()
    probe = probe_kafka(bootstrap)
    if external:
        origin = "KAFKA_BOOTSTRAP_SERVERS"
    elif (pid := running_pid(layout)) is not None:
        origin = f"pid {pid}, data {layout.kafka_data}"
    elif probe:
        origin = "not started by this checkout"
    else:
        origin = "not running"
    detail = origin if origin == "not running" else f"{probe.detail}; {origin}"
    return ComponentStatus("kafka", bootstrap, probe.ok, detail)
