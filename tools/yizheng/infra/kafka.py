"""A single-node Apache Kafka (KRaft, broker+controller in one JVM) from jars Maven resolves once
into `.yizheng/kafka/jars`, run detached with its data and logs under `.yizheng/kafka/`.

It authenticates every client: the broker port (loopback) is SASL_PLAINTEXT with SCRAM-SHA-512, and the
StandardAuthorizer refuses whatever no ACL allows. The super user `admin` (this checkout's tooling and
tests) is created when the storage is formatted; each platform process's user, its ACLs and the example
subscriber are applied on every `ensure` (`yizheng.infra.kafka_users`). Passwords are random, made once, kept
in `.yizheng/kafka/users.json` (0600). The KRaft controller listener (port + 1, loopback) stays PLAINTEXT:
controllers cannot authenticate with SCRAM, whose credentials live in the metadata they serve."""

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
from pathlib import Path

from eventstore.kafka_access import KafkaAccess
from runtime import settings
from yizheng.infra import kafka_users
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


def server_properties(layout: Layout, port: int, admin_password: str) -> dict[str, str]:
    host = settings.LOOPBACK
    mechanism = settings.LOCAL_KAFKA_MECHANISM
    return {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.voters": f"1@{host}:{port + 1}",
        "listeners": f"CLIENT://{host}:{port},CONTROLLER://{host}:{port + 1}",
        "advertised.listeners": f"CLIENT://{host}:{port}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "CLIENT",
        "listener.security.protocol.map": f"CLIENT:{settings.LOCAL_KAFKA_PROTOCOL},CONTROLLER:PLAINTEXT",
        "sasl.enabled.mechanisms": mechanism,
        "sasl.mechanism.inter.broker.protocol": mechanism,
        # the broker's own logins on its client listener (inter-broker traffic, none on one node) are admin's
        f"listener.name.client.{mechanism.lower()}.sasl.jaas.config":
            "org.apache.kafka.common.security.scram.ScramLoginModule required "
            f'username="{settings.LOCAL_KAFKA_ADMIN}" password="{admin_password}";',
        "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "allow.everyone.if.no.acl.found": "false",
        # admin: the tooling and tests. ANONYMOUS: the broker half of this JVM registering with its controller
        # over the PLAINTEXT controller listener, which listens on loopback only.
        "super.users": f"User:{settings.LOCAL_KAFKA_ADMIN};User:ANONYMOUS",
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


def formatted_cluster_id(layout: Layout) -> str | None:
    try:
        text = (layout.kafka_data / "meta.properties").read_text()
    except OSError:
        return None
    found = re.search(r"^cluster\.id=(\S+)$", text, re.MULTILINE)
    return found.group(1) if found else None


def _format_storage(java: str, layout: Layout, users: kafka_users.UsersFile, say: Say) -> None:
    formatted = formatted_cluster_id(layout)
    if formatted is not None and formatted == users.cluster_id:
        return
    if formatted is not None:
        # Formatted before this checkout secured its broker (or for other users): its metadata has no
        # `admin` we know the password of. Kafka is transport here; the event stores are the record.
        say(f"Kafka storage in {layout.kafka_data} predates its SCRAM users; re-formatting it "
            "(topics and consumer offsets of the old broker are dropped)")
        shutil.rmtree(layout.kafka_data)
    say(f"formatting Kafka storage in {layout.kafka_data}")
    layout.kafka_data.mkdir(parents=True, exist_ok=True)
    log = layout.kafka_logs / "format.log"
    cluster = _cluster_id()
    admin = f"name={settings.LOCAL_KAFKA_ADMIN},password={users.password(settings.LOCAL_KAFKA_ADMIN)}"
    # static controller.quorum.voters: no --standalone (that is for dynamic quorums); the super user's
    # SCRAM credential goes into the bootstrap metadata, so the broker authenticates it from the start.
    args = ["format", "-t", cluster, "-c", str(layout.kafka_properties),
            "--add-scram", f"{settings.LOCAL_KAFKA_MECHANISM}=[{admin}]"]
    with log.open("wb") as out:
        done = subprocess.run(
            _java_cmd(java, layout, "kafka.tools.StorageTool", *args),
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, timeout=180, check=False,
        )  # fmt: skip
    if done.returncode != 0:
        raise InfraError("formatting Kafka storage failed" + log_tail(log))
    users.cluster_id = cluster
    users.save()


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


def _properties_text(layout: Layout, port: int, users: kafka_users.UsersFile) -> str:
    return ("# written by `yizheng infra up` on every start; edits are overwritten\n"
            + "".join(f"{k}={v}\n" for k, v in
                      server_properties(layout, port, users.password(settings.LOCAL_KAFKA_ADMIN)).items()))


def _write_properties(layout: Layout, port: int, users: kafka_users.UsersFile) -> None:
    # it holds admin's password (the broker's own login): readable by this user only
    fd = os.open(layout.kafka_properties, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(_properties_text(layout, port, users))
    os.chmod(layout.kafka_properties, 0o600)


def _config_is_current(layout: Layout, port: int, users: kafka_users.UsersFile) -> bool:
    """Was the running broker started with the properties we would write now, on the storage its users are
    for? (False for a broker started by an older checkout without authentication.)"""
    try:
        written = layout.kafka_properties.read_text()
    except OSError:
        return False
    return written == _properties_text(layout, port, users) and formatted_cluster_id(layout) == users.cluster_id


def local_access(layout: Layout) -> KafkaAccess:
    """The local broker as its super user."""
    password = kafka_users.UsersFile.load(layout.kafka_users).users.get(settings.LOCAL_KAFKA_ADMIN)
    if password is None:
        raise ValueError(f"no password for the local Kafka's admin in {layout.kafka_users}: run `yizheng infra up`")
    return settings.local_kafka_access(settings.LOCAL_KAFKA_ADMIN, password)


def _wait_ready(access: KafkaAccess, proc: subprocess.Popen[bytes], layout: Layout) -> None:
    bootstrap = access.bootstrap
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        probe = probe_kafka(access)
        if probe:
            return
        logs = log_tail(layout.kafka_logs / "stdout.log", 15) + log_tail(layout.kafka_logs / "server.log")
        if proc.poll() is not None:
            raise InfraError(f"Kafka exited with code {proc.returncode} while starting" + logs)
        if time.monotonic() > deadline:
            raise InfraError(f"Kafka at {bootstrap} did not answer within {START_TIMEOUT:.0f}s: {probe.detail}{logs}")
        time.sleep(0.3)


def start(layout: Layout, say: Say) -> KafkaAccess:
    port = settings.kafka_port()
    bootstrap = settings.local_kafka_bootstrap()
    users = kafka_users.UsersFile.load(layout.kafka_users)
    java = find_java()
    ensure_jars(layout, say)
    for p in (port, port + 1):
        if is_listening(settings.LOOPBACK, p):
            raise InfraError(
                f"port {p} (Kafka {'broker' if p == port else 'controller'}) is taken by "
                f"{port_owner(p) or 'an unknown process'}; free it or set YIZHENG_KAFKA_PORT"
            )
    layout.kafka_logs.mkdir(parents=True, exist_ok=True)
    _write_properties(layout, port, users)
    _format_storage(java, layout, users, say)
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
    access = local_access(layout)
    _wait_ready(access, proc, layout)
    return access


def apply_users(layout: Layout, access: KafkaAccess) -> None:
    """The platform's users and ACLs on our broker (a diff: cheap when nothing changed)."""
    try:
        kafka_users.apply_platform(kafka_users.KafkaAdmin(access),
                                   kafka_users.UsersFile.load(layout.kafka_users))
    except kafka_users.KafkaUsersError as err:
        raise InfraError(f"setting up Kafka's users and ACLs failed: {err}") from None


def ensure(layout: Layout, say: Say) -> KafkaAccess:
    """KAFKA_BOOTSTRAP_SERVERS (with the KAFKA_* credentials) if set and answering; else our running broker
    (restarted if it runs an older configuration); else a Kafka already answering on the port (e.g. another
    checkout's, with KAFKA_USERNAME/KAFKA_PASSWORD); else start ours. Returns how to reach it as a super user."""
    external = settings.external_kafka_bootstrap()
    if external:
        try:
            access = settings.kafka_access()
        except ValueError as err:
            raise InfraError(str(err)) from None
        probe = probe_kafka(access, timeout=10.0)
        if not probe:
            raise InfraError(f"KAFKA_BOOTSTRAP_SERVERS={external} does not answer: {probe.detail}")
        say(f"Kafka: using KAFKA_BOOTSTRAP_SERVERS ({probe.detail})")
        return access
    bootstrap = settings.local_kafka_bootstrap()
    pid = running_pid(layout)
    users = kafka_users.UsersFile.load(layout.kafka_users)
    if pid is not None and not _config_is_current(layout, settings.kafka_port(), users):
        say(f"Kafka: our broker (pid {pid}) runs an older configuration (no SCRAM users/ACLs); restarting it")
        stop(layout, say)
        pid = None
    if pid is not None:
        if running_port(layout) not in (None, settings.kafka_port()):
            raise InfraError(
                f"our Kafka (pid {pid}) listens on port {running_port(layout)}, not YIZHENG_KAFKA_PORT="
                f"{settings.kafka_port()}; run `yizheng infra down` first to move it"
            )
        access = local_access(layout)
        deadline = time.monotonic() + START_TIMEOUT
        while not (probe := probe_kafka(access)):  # it may still be starting (another `up`)
            if time.monotonic() > deadline:
                raise InfraError(f"our Kafka (pid {pid}) does not answer: {probe.detail}")
            time.sleep(0.3)
        say(f"Kafka: already running (pid {pid}) at {bootstrap}")
        apply_users(layout, access)
        return access
    port = settings.kafka_port()
    if is_listening(settings.LOOPBACK, port):
        owner = port_owner(port) or "unknown process"
        _adopt_users_of_the_broker_on_the_port(layout, owner, say)
        try:
            # another checkout's broker: its users are in its own users file; KAFKA_USERNAME/PASSWORD name one
            access = settings.local_kafka_access()
        except ValueError as err:
            raise InfraError(f"port {port} is taken by {owner}, a Kafka this checkout has no credentials for "
                             f"({err}); free it or set YIZHENG_KAFKA_PORT / KAFKA_BOOTSTRAP_SERVERS") from None
        probe = probe_kafka(access)
        if not probe:
            raise InfraError(
                f"port {port} is taken by {owner}, which does not answer as Kafka to {access.username} "
                f"({probe.detail}); free it or set YIZHENG_KAFKA_PORT / KAFKA_BOOTSTRAP_SERVERS"
            )
        say(f"Kafka: port {port} already answers ({probe.detail}, {owner}); using it, not starting ours")
        return access
    access = start(layout, say)
    apply_users(layout, access)
    return access


def _adopt_users_of_the_broker_on_the_port(layout: Layout, owner: str, say: Say) -> None:
    """Another checkout's broker answers on our port (a CI clone beside a working copy, say): take its users
    file, beside the server.properties its command line names, so that every process of this checkout logs in
    as the platform's users there. Nothing happens when we have a users file already or cannot read theirs."""
    if layout.kafka_users.is_file():
        return
    found = re.match(r"pid (\d+)", owner)
    if not found:
        return
    cmdline = process_cmdline(int(found.group(1)))
    if MAIN_CLASS not in cmdline:
        return
    properties = next((Path(arg) for arg in cmdline.split() if arg.endswith("server.properties")), None)
    theirs = properties.parent / layout.kafka_users.name if properties else None
    if theirs is None or not theirs.is_file() or theirs.resolve() == layout.kafka_users.resolve():
        return
    try:
        content = theirs.read_bytes()
    except OSError:
        return
    layout.kafka_users.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(layout.kafka_users, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(content)
    say(f"Kafka: using the users of the broker already on the port ({theirs})")


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
    try:
        access = settings.kafka_access() if external else local_access(layout)
    except ValueError as err:
        return ComponentStatus("kafka", bootstrap, False, str(err))
    probe = probe_kafka(access)
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
