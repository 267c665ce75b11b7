"""The Kubernetes manifests (deploy/k8s) as an operator applies them: each overlay is built with kustomize
and the objects it yields are checked for the properties that keep the platform safe and scalable.

kustomize comes from, in order: the pinned copy in .yizheng/tools/bin; `go install` of that version (first
use on a machine: about a minute); a `kustomize` on PATH; `kubectl kustomize`. With none of these, a small
built-in renderer covering exactly the kustomize features deploy/k8s uses builds the overlays instead (it
refuses any other feature), and a warning says so; when a real kustomize is present, a test checks that
the built-in renderer agrees with it."""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from contracts import kafka_acl, platform, topics
from contracts.kafka_acl import Acl
from eventstore.audit_anchor import AUDIT_TOPIC
from eventstore.install import MAINTENANCE_ROLE
from eventstore.kafka_access import KafkaAccess
from gateway.config import GatewayConfig
from runtime import settings
from yizheng.infra.kafka_users import platform_acls, platform_processes, publishing_services
from yizheng.serve import definitions, processes
from yizheng.testing.platform import platform_topics

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
OVERLAYS = ("dev", "production")
NAMESPACE = "yizheng"
KUSTOMIZE_VERSION = "v5.8.2"  # needs Go >= 1.26 to build; v5.8.3 needs 1.27
KUSTOMIZE_MODULE = "sigs.k8s.io/kustomize/kustomize/v5"
TOOLS_BIN = ROOT / ".yizheng" / "tools" / "bin"
INSTALL_TIMEOUT_S = 240

# The processes and what each serves (tools/yizheng/serve.py): services have a command API with /readyz.
PROCESSES = {name: "/readyz" if spec.is_service else "/healthz" for name, spec in processes().items()}
TOPICS = platform_topics()
IMAGE = "yizheng"
IMAGE_TAGS = {"dev": "dev", "production": "0.1.0"}
RUN_AS_USER = 10001
SERVICE_DB_SECRET = "yizheng-pg-service"  # made by the operator (deploy/k8s/README.md), as yizheng-auth
AUDIT_SECRET = {"name": "yizheng-audit", "key": "signing-key"}
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "IngressClass"}

Obj = dict[str, Any]


# ---- building the overlays -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Renderer:
    name: str
    build: Callable[[Path], list[Obj]]


def _run_build(argv: list[str]) -> list[Obj]:
    out = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    if out.returncode != 0:
        raise AssertionError(f"{' '.join(argv)} failed:\n{out.stderr}")
    return [d for d in yaml.safe_load_all(out.stdout) if d]


def _version_of(binary: str) -> str | None:
    try:
        out = subprocess.run([binary, "version"], capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def _go() -> str | None:
    found = shutil.which("go")
    if found:
        return found
    fallback = Path("/usr/local/go/bin/go")
    return str(fallback) if fallback.is_file() else None


def _pinned_kustomize() -> str | None:
    """The pinned kustomize under .yizheng/tools/bin, installed with `go install` if it is missing."""
    binary = TOOLS_BIN / "kustomize"
    if binary.is_file() and _version_of(str(binary)) == KUSTOMIZE_VERSION:
        return str(binary)
    go = _go()
    if go is None:
        return None
    TOOLS_BIN.mkdir(parents=True, exist_ok=True)
    # GOTOOLCHAIN=local: build with this machine's Go, never fetch another toolchain.
    env = {**os.environ, "GOBIN": str(TOOLS_BIN), "GOTOOLCHAIN": "local", "CGO_ENABLED": "0"}
    try:
        out = subprocess.run([go, "install", f"{KUSTOMIZE_MODULE}@{KUSTOMIZE_VERSION}"], env=env,
                             capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        warnings.warn(f"go install {KUSTOMIZE_MODULE}@{KUSTOMIZE_VERSION} timed out", stacklevel=2)
        return None
    if out.returncode != 0 or _version_of(str(binary)) != KUSTOMIZE_VERSION:
        warnings.warn(f"go install {KUSTOMIZE_MODULE}@{KUSTOMIZE_VERSION} failed: {out.stderr[-2000:]}",
                      stacklevel=2)
        return None
    return str(binary)


def find_kustomize() -> Renderer | None:
    pinned = _pinned_kustomize()
    if pinned:
        return Renderer(f"kustomize {KUSTOMIZE_VERSION}", lambda d: _run_build([pinned, "build", str(d)]))
    on_path = shutil.which("kustomize")
    if on_path:
        return Renderer(f"kustomize {_version_of(on_path)}", lambda d: _run_build([on_path, "build", str(d)]))
    kubectl = shutil.which("kubectl")
    if kubectl and _version_of(kubectl) is not None:
        return Renderer("kubectl kustomize", lambda d: _run_build([kubectl, "kustomize", str(d)]))
    return None


@pytest.fixture(scope="module")
def kustomize() -> Renderer | None:
    return find_kustomize()


@pytest.fixture(scope="module")
def renderer(kustomize: Renderer | None) -> Renderer:
    if kustomize is not None:
        return kustomize
    warnings.warn("no kustomize, go or kubectl here: building deploy/k8s with the test's own renderer",
                  stacklevel=2)
    return Renderer("built-in renderer", build_fallback)


@pytest.fixture(scope="module")
def built(renderer: Renderer) -> dict[str, list[Obj]]:
    return {overlay: renderer.build(K8S / "overlays" / overlay) for overlay in OVERLAYS}


@pytest.fixture(params=OVERLAYS)
def overlay(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def objs(built: dict[str, list[Obj]], overlay: str) -> list[Obj]:
    return built[overlay]


# ---- helpers over built objects ------------------------------------------------------------------------

def of_kind(objs: list[Obj], kind: str) -> list[Obj]:
    return [o for o in objs if o["kind"] == kind]


def named(objs: list[Obj], kind: str, name: str) -> Obj:
    found = [o for o in of_kind(objs, kind) if o["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} {name}, found {len(found)}"
    return found[0]


def pod_labels(deployment: Obj) -> dict[str, str]:
    return dict(deployment["spec"]["template"]["metadata"].get("labels") or {})


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def all_containers(deployment: Obj) -> Iterator[Obj]:
    pod = deployment["spec"]["template"]["spec"]
    yield from pod.get("initContainers") or []
    yield from pod["containers"]


def main_container(deployment: Obj) -> Obj:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1, f"{deployment['metadata']['name']}: one container per process"
    return containers[0]


def config_map_data(objs: list[Obj]) -> dict[str, str]:
    maps = [o for o in of_kind(objs, "ConfigMap") if o["metadata"]["name"].startswith("yizheng-config")]
    assert len(maps) == 1
    return dict(maps[0]["data"])


def topics_by_name(objs: list[Obj]) -> dict[str, Obj]:
    return {t["spec"].get("topicName", t["metadata"]["name"]): t for t in of_kind(objs, "KafkaTopic")}


def autoscalers_of(objs: list[Obj], deployment: str) -> list[Obj]:
    return [o for o in of_kind(objs, "HorizontalPodAutoscaler") + of_kind(objs, "ScaledObject")
            if o["spec"]["scaleTargetRef"]["name"] == deployment
            and o["spec"]["scaleTargetRef"].get("kind", "Deployment") == "Deployment"]


def min_replicas(objs: list[Obj], deployment: Obj) -> int:
    scalers = autoscalers_of(objs, deployment["metadata"]["name"])
    if scalers:
        spec = scalers[0]["spec"]
        return int(spec.get("minReplicas", spec.get("minReplicaCount", 1)))
    return int(deployment["spec"].get("replicas", 1))


# ---- the properties ------------------------------------------------------------------------------------

def test_overlays_build(built: dict[str, list[Obj]], renderer: Renderer) -> None:
    for overlay, objs in built.items():
        kinds = {o["kind"] for o in objs}
        assert {"Namespace", "Deployment", "Service", "PodDisruptionBudget", "ConfigMap", "Kafka",
                "KafkaNodePool", "KafkaTopic", "Cluster"} <= kinds, (overlay, renderer.name, kinds)
        assert {d["metadata"]["name"] for d in of_kind(objs, "Deployment")} == set(PROCESSES), overlay


def test_everything_lands_in_the_namespace(objs: list[Obj]) -> None:
    for o in objs:
        if o["kind"] in CLUSTER_SCOPED:
            continue
        assert o["metadata"].get("namespace") == NAMESPACE, f"{o['kind']} {o['metadata']['name']}"
    assert named(objs, "Namespace", NAMESPACE)


def test_deployments_run_the_process_hardened(objs: list[Obj], overlay: str) -> None:
    for d in of_kind(objs, "Deployment"):
        name = d["metadata"]["name"]
        pod = d["spec"]["template"]["spec"]
        main = main_container(d)
        assert main["command"] + main["args"] == ["yizheng", "serve", name, "--host", "0.0.0.0", "--port", "8080"]
        assert main["image"] == f"{IMAGE}:{IMAGE_TAGS[overlay]}", name
        assert {p["name"]: p["containerPort"] for p in main["ports"]} == {"http": 8080}, name

        # Probes: started, alive, ready, each an HTTP GET on the process's own port.
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            assert main.get(probe, {}).get("httpGet", {}).get("port") in ("http", 8080), f"{name}: {probe}"
        assert main["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert main["startupProbe"]["httpGet"]["path"] == "/healthz"
        assert main["readinessProbe"]["httpGet"]["path"] == PROCESSES[name], name

        # The schema is installed before the process starts.
        init = pod.get("initContainers") or []
        assert [c["command"] + c["args"] for c in init] == [["yizheng", "migrate", name]], name
        assert all(c["image"] == main["image"] for c in init), name

        # Non-root, read-only root filesystem with a writable /tmp, no privileges, no API token.
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["runAsUser"] == RUN_AS_USER, name
        assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", name
        assert pod.get("automountServiceAccountToken") is False, name
        tmp_volumes = {v["name"] for v in pod["volumes"] if "emptyDir" in v}
        for c in all_containers(d):
            sc = c["securityContext"]
            assert sc["readOnlyRootFilesystem"] is True, (name, c["name"])
            assert sc["allowPrivilegeEscalation"] is False, (name, c["name"])
            assert sc["capabilities"]["drop"] == ["ALL"], (name, c["name"])
            assert any(m["mountPath"] == "/tmp" and m["name"] in tmp_volumes for m in c["volumeMounts"]), \
                (name, c["name"])
            requests, limits = c["resources"]["requests"], c["resources"]["limits"]
            assert requests.get("cpu") and requests.get("memory"), (name, c["name"])
            assert limits.get("memory"), (name, c["name"])

        # Spread over nodes and zones, counting only this Deployment's pods.
        spread = pod["topologySpreadConstraints"]
        assert {c["topologyKey"] for c in spread} >= {"kubernetes.io/hostname", "topology.kubernetes.io/zone"}
        for c in spread:
            assert selects(c["labelSelector"]["matchLabels"], pod_labels(d)), name

        # A rolling update never drops below the current capacity.
        assert d["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0, name
        assert selects(d["spec"]["selector"]["matchLabels"], pod_labels(d)), name
        assert pod_labels(d).get("app.kubernetes.io/part-of") == "yizheng", name


def test_settings_and_secrets_reach_every_process(objs: list[Obj], overlay: str) -> None:
    data = config_map_data(objs)
    assert data["YIZHENG_ENV"] == ("development" if overlay == "dev" else "production")
    kafka = named(objs, "Kafka", "yizheng")["metadata"]["name"]
    # Strimzi's bootstrap Service, the `tls` listener; SCRAM over TLS, the cluster CA mounted from its Secret.
    assert data["KAFKA_BOOTSTRAP_SERVERS"] == f"{kafka}-kafka-bootstrap:9093"
    assert (data["KAFKA_SECURITY_PROTOCOL"], data["KAFKA_SASL_MECHANISM"]) == ("SASL_SSL", "SCRAM-SHA-512")
    ca_dir = data["KAFKA_SSL_CAFILE"].rsplit("/", 1)[0]
    assert "KAFKA_USERNAME" not in data and "KAFKA_PASSWORD" not in data, "each process logs in as itself"
    for service in platform.SERVICES:
        url = data[f"YIZHENG_{service.upper()}_URL"]
        svc = named(objs, "Service", service)
        assert url == f"http://{service}:{svc['spec']['ports'][0]['port']}"
    if overlay == "production":
        assert data["YIZHENG_JWKS_URL"].startswith("https://")
    else:
        assert "YIZHENG_JWKS_URL" not in data

    pg_app_secret = f"{of_kind(objs, 'Cluster')[0]['metadata']['name']}-app"
    config_name = next(o["metadata"]["name"] for o in of_kind(objs, "ConfigMap"))
    for d in of_kind(objs, "Deployment"):
        for c in all_containers(d):
            assert {"configMapRef": {"name": config_name}} in c["envFrom"], (d["metadata"]["name"], c["name"])
            env = {e["name"]: e for e in c.get("env", [])}
            # The services and the gateway run as the non-owner role (test_the_services_may_only_insert_events);
            # migrate, which creates the tables and the views, as the owner.
            secret = pg_app_secret if c["name"] == "migrate" else SERVICE_DB_SECRET
            assert env["DATABASE_URL"]["valueFrom"]["secretKeyRef"] == {"name": secret, "key": "uri"}, \
                (d["metadata"]["name"], c["name"])
            for e in env.values():
                if re.search("SECRET|PASSWORD|TOKEN|DATABASE_URL", e["name"]):
                    assert "value" not in e, f"{e['name']} must come from a Secret"
        env = {e["name"]: e for e in main_container(d)["env"]}
        assert env["YIZHENG_JWT_SECRET"]["valueFrom"]["secretKeyRef"] == {"name": "yizheng-auth",
                                                                          "key": "jwt-secret"}
        # Kafka as the process's own KafkaUser, with the password the user operator keeps in its Secret.
        name = d["metadata"]["name"]
        assert env["KAFKA_USERNAME"]["value"] == name
        assert env["KAFKA_PASSWORD"]["valueFrom"]["secretKeyRef"] == {"name": name, "key": "password"}
        assert named(objs, "KafkaUser", name)
        volumes = {v["name"]: v for v in d["spec"]["template"]["spec"]["volumes"]}
        [ca] = [m for m in main_container(d)["volumeMounts"] if m["mountPath"] == ca_dir]
        assert volumes[ca["name"]]["secret"]["secretName"] == f"{kafka}-cluster-ca-cert", name


def test_services_select_a_deployment(objs: list[Obj]) -> None:
    deployments = of_kind(objs, "Deployment")
    for svc in of_kind(objs, "Service"):
        matches = [d for d in deployments if selects(svc["spec"]["selector"], pod_labels(d))]
        assert len(matches) == 1, f"Service {svc['metadata']['name']} selects {len(matches)} Deployments"
        ports = {p["name"] for c in all_containers(matches[0]) for p in c.get("ports", [])}
        for port in svc["spec"]["ports"]:
            assert port["targetPort"] in ports, svc["metadata"]["name"]


def test_each_deployment_has_a_disruption_budget(objs: list[Obj]) -> None:
    pdbs = of_kind(objs, "PodDisruptionBudget")
    for d in of_kind(objs, "Deployment"):
        covering = [p for p in pdbs if selects(p["spec"]["selector"]["matchLabels"], pod_labels(d))]
        assert len(covering) == 1, d["metadata"]["name"]
        # maxUnavailable, so a one-replica install can still drain a node.
        assert covering[0]["spec"].get("maxUnavailable") == 1


def test_kafka_runs_kraft_with_node_pools(objs: list[Obj], overlay: str) -> None:
    kafka = named(objs, "Kafka", "yizheng")
    annotations = kafka["metadata"]["annotations"]
    assert annotations["strimzi.io/kraft"] == "enabled"
    assert annotations["strimzi.io/node-pools"] == "enabled"
    assert "zookeeper" not in kafka["spec"]
    assert "topicOperator" in kafka["spec"]["entityOperator"]
    assert kafka["spec"]["kafka"]["config"]["auto.create.topics.enable"] is False
    pools = [p for p in of_kind(objs, "KafkaNodePool") if p["metadata"]["labels"]["strimzi.io/cluster"] == "yizheng"]
    assert {r for p in pools for r in p["spec"]["roles"]} == {"broker", "controller"}
    nodes = sum(int(p["spec"]["replicas"]) for p in pools if "broker" in p["spec"]["roles"])
    assert nodes == (3 if overlay == "production" else 1)
    config = kafka["spec"]["kafka"]["config"]
    assert config["default.replication.factor"] == config["offsets.topic.replication.factor"] == nodes
    # Every client logs in, over TLS, and may do only what its KafkaUser's ACLs allow.
    assert kafka["spec"]["kafka"]["authorization"]["type"] == "simple"
    assert "userOperator" in kafka["spec"]["entityOperator"]
    listeners = {listener["name"]: listener for listener in kafka["spec"]["kafka"]["listeners"]}
    for listener in listeners.values():
        assert listener["tls"] is True and listener["authentication"]["type"] == "scram-sha-512", listener
    assert (listeners["tls"]["type"], listeners["tls"]["port"]) == ("internal", 9093)
    assert listeners["external"]["type"] in ("loadbalancer", "nodeport", "ingress", "route")
    assert config["min.insync.replicas"] == (2 if nodes >= 3 else 1)


def test_a_topic_and_its_dlq_for_every_public_topic(objs: list[Obj], overlay: str) -> None:
    by_name = topics_by_name(objs)
    # The audit topic too: the anchorers publish to it, and with auto-create off a missing one loses the copy.
    expected = set(TOPICS) | {topics.dlq(t) for t in TOPICS} | {AUDIT_TOPIC}
    assert set(by_name) == expected
    replicas = 3 if overlay == "production" else 1
    brokers = sum(int(p["spec"]["replicas"]) for p in of_kind(objs, "KafkaNodePool"))
    for name, t in by_name.items():
        spec = t["spec"]
        assert t["metadata"]["labels"]["strimzi.io/cluster"] == "yizheng", name
        assert spec["replicas"] == replicas <= brokers, name
        assert int(spec["config"]["min.insync.replicas"]) == (2 if replicas == 3 else 1), name
        assert spec["config"]["cleanup.policy"] == "delete", name  # never compact: keys are stream ids
    for name in [*TOPICS, AUDIT_TOPIC]:
        config = by_name[name]["spec"]["config"]
        # The log subscribers replay from, and the anchors `yizheng verify` compares against: kept forever.
        assert int(config["retention.ms"]) == -1, name
        assert int(config["retention.bytes"]) == -1, name
    for name in TOPICS:
        assert by_name[name]["spec"]["partitions"] >= 6, name


def test_postgres_cluster(objs: list[Obj], overlay: str) -> None:
    clusters = of_kind(objs, "Cluster")
    assert len(clusters) == 1
    spec = clusters[0]["spec"]
    assert spec["bootstrap"]["initdb"]["database"] == "yizheng"
    assert spec["instances"] == (3 if overlay == "production" else 1)
    if overlay == "production":
        assert spec["postgresql"]["synchronous"]["number"] >= 1


def process_environment(objs: list[Obj], deployment: Obj) -> dict[str, str]:
    """The environment a Deployment's main process starts with: the ConfigMap, then its own `env` (a value from a
    Secret stands in as `<secret name/key>`; a Secret that is missing fails the pod, not the settings)."""
    env = config_map_data(objs)
    for e in main_container(deployment).get("env", []):
        ref = e.get("valueFrom", {}).get("secretKeyRef")
        env[e["name"]] = f"<{ref['name']}/{ref['key']}>" if ref else str(e["value"])
    return env


def test_every_service_starts_in_production_and_keeps_its_anchors(
        objs: list[Obj], overlay: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A service host signs its store's head every YIZHENG_AUDIT_ANCHOR_SECONDS (default 300 s), so in
    production settings.audit_signing_key() must find the key, or build_service raises; the anchors go to
    YIZHENG_AUDIT_DIR, which must survive the pod, and to the audit topic, which must exist."""
    volumes_ok = 0
    for service in platform.SERVICES:  # the platform's one declaration of its services (contracts/platform.py)
        d = named(objs, "Deployment", service)
        env = process_environment(objs, d)
        monkeypatch.setattr("os.environ", env)
        assert settings.environment() == ("development" if overlay == "dev" else "production")
        assert settings.audit_anchor_seconds(), f"{service}: anchoring is on"
        settings.audit_signing_key()  # raises in production without YIZHENG_AUDIT_SIGNING_KEY
        main = {e["name"]: e for e in main_container(d)["env"]}
        assert main["YIZHENG_AUDIT_SIGNING_KEY"]["valueFrom"]["secretKeyRef"] == AUDIT_SECRET, service
        # The anchors' directory is a volume every replica of the service shares and that outlives its pods.
        audit_dir = str(settings.audit_dir())
        [mount] = [m for m in main_container(d)["volumeMounts"] if m["mountPath"] == audit_dir]
        assert not mount.get("readOnly"), service
        volume = next(v for v in d["spec"]["template"]["spec"]["volumes"] if v["name"] == mount["name"])
        claim = named(objs, "PersistentVolumeClaim", volume["persistentVolumeClaim"]["claimName"])
        modes = claim["spec"]["accessModes"]
        assert modes == (["ReadWriteMany"] if overlay == "production" else ["ReadWriteOnce"]), (service, modes)
        volumes_ok += 1
    assert volumes_ok == len(platform.SERVICES)
    audit = topics_by_name(objs)[AUDIT_TOPIC]["spec"]["config"]
    assert (int(audit["retention.ms"]), int(audit["retention.bytes"])) == (-1, -1)


def test_public_topics_are_created_writable_and_kept(objs: list[Obj], monkeypatch: pytest.MonkeyPatch) -> None:
    """The public relay makes `<svc>.public.<committee>` itself (no KafkaTopic): its replicas and config come from
    the settings, and an acks=all write needs min.insync.replicas in-sync copies, so a topic with fewer replicas
    than the broker's min.insync.replicas would refuse every write."""
    broker = named(objs, "Kafka", "yizheng")["spec"]["kafka"]["config"]
    nodes = sum(int(p["spec"]["replicas"]) for p in of_kind(objs, "KafkaNodePool"))
    for service in platform.SERVICES:
        monkeypatch.setattr("os.environ", process_environment(objs, named(objs, "Deployment", service)))
        replicas, config = settings.public_topic_replicas(), settings.public_topic_config()
        assert replicas == int(broker["default.replication.factor"]) <= nodes, service
        assert int(config["min.insync.replicas"]) == int(broker["min.insync.replicas"]) <= replicas, service
        assert (int(config["retention.ms"]), config["cleanup.policy"]) == (-1, "delete"), service


def test_the_services_may_only_insert_events(objs: list[Obj], monkeypatch: pytest.MonkeyPatch) -> None:
    """Migrate creates the tables as the owner; the services and the gateway connect as YIZHENG_DB_APP_ROLE,
    which owns nothing (an owner may DISABLE TRIGGER on any service's events), so install revokes its UPDATE,
    DELETE and TRUNCATE on the events tables."""
    [cluster] = of_kind(objs, "Cluster")
    spec = cluster["spec"]
    initdb = spec["bootstrap"]["initdb"]
    owner = initdb["owner"]
    roles = {r["name"]: r for r in spec["managed"]["roles"]}
    app_roles = set()
    for service in (*platform.SERVICES, kafka_acl.GATEWAY):
        d = named(objs, "Deployment", service)
        monkeypatch.setattr("os.environ", process_environment(objs, d))
        app_role = settings.database_app_role()
        assert app_role and app_role != owner, f"{service}: YIZHENG_DB_APP_ROLE names a role that is not the owner"
        app_roles.add(app_role)
        role = roles[app_role]
        assert role["ensure"] == "present" and role["login"] is True, app_role
        assert not role.get("superuser") and not role.get("createrole") and not role.get("createdb"), app_role
        assert role.get("inRoles", []) == [] and role.get("inherit") is False, f"{app_role} must not act as {owner}"
        main = {e["name"]: e for e in main_container(d)["env"]}
        assert main["DATABASE_URL"]["valueFrom"]["secretKeyRef"] == {"name": role["passwordSecret"]["name"],
                                                                     "key": "uri"}, service
        # Migrate installs as the owner, and knows the role to revoke from (it reads the same ConfigMap).
        [migrate] = d["spec"]["template"]["spec"]["initContainers"]
        migrate_env = {e["name"]: e for e in migrate["env"]}
        assert migrate_env["DATABASE_URL"]["valueFrom"]["secretKeyRef"]["name"] == f"{cluster['metadata']['name']}-app"
        assert "YIZHENG_DB_APP_ROLE" not in migrate_env, "the ConfigMap's, as the service's"
    # The role exists before the first migrate, with privileges on what the owner creates, and so does the
    # maintenance role the append-only trigger lets through (the owner may not create roles).
    for app_role in app_roles:
        assert f"CREATE ROLE {app_role} LOGIN NOINHERIT" in initdb["postInitSQL"]
        granted = " ".join(initdb["postInitApplicationSQL"])
        for grant in ("USAGE ON SCHEMAS", "SELECT, INSERT, UPDATE, DELETE ON TABLES",
                      "USAGE, SELECT, UPDATE ON SEQUENCES"):
            assert f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} GRANT {grant} TO {app_role}" in granted, grant
    assert f"CREATE ROLE {MAINTENANCE_ROLE} NOLOGIN" in initdb["postInitSQL"]
    assert roles[MAINTENANCE_ROLE]["login"] is False


def test_production_runs_every_http_process_at_least_twice(built: dict[str, list[Obj]]) -> None:
    objs = built["production"]
    for d in of_kind(objs, "Deployment"):
        assert min_replicas(objs, d) >= 2, d["metadata"]["name"]


def test_autoscalers(objs: list[Obj]) -> None:
    deployments = {d["metadata"]["name"]: d for d in of_kind(objs, "Deployment")}
    by_topic = topics_by_name(objs)
    for name, d in deployments.items():
        scalers = autoscalers_of(objs, name)
        assert len(scalers) <= 1, f"{name}: two autoscalers fight over one Deployment"
        if scalers:
            assert "replicas" not in d["spec"], f"{name}: the autoscaler owns the replica count"
    for so in of_kind(objs, "ScaledObject"):
        spec = so["spec"]
        assert spec["scaleTargetRef"]["name"] in deployments
        assert 2 <= spec["minReplicaCount"] <= spec["maxReplicaCount"]
        kafka_triggers = [t for t in spec["triggers"] if t["type"] == "kafka"]
        assert kafka_triggers, so["metadata"]["name"]
        for trigger in kafka_triggers:
            meta = trigger["metadata"]
            topic = meta["topic"]
            assert topic in by_topic, topic
            # Consumer replicas are bounded by partitions: past them a replica owns nothing.
            assert spec["maxReplicaCount"] <= by_topic[topic]["spec"]["partitions"], (so["metadata"]["name"], topic)
            assert meta["allowIdleConsumers"] == "false"
            assert meta["consumerGroup"]
            assert meta["bootstrapServers"] == f"yizheng-kafka-bootstrap.{NAMESPACE}.svc:9093"
            # KEDA logs in as the Deployment's own KafkaUser: its username, its password, the cluster CA.
            assert (meta["sasl"], meta["tls"]) == ("scram_sha512", "enable"), so["metadata"]["name"]
            target = spec["scaleTargetRef"]["name"]
            auth = named(objs, "TriggerAuthentication", trigger["authenticationRef"]["name"])["spec"]
            assert auth["env"] == [{"parameter": "username", "name": "KAFKA_USERNAME", "containerName": target}]
            assert {(r["parameter"], r["name"], r["key"]) for r in auth["secretTargetRef"]} == {
                ("password", target, "password"), ("ca", "yizheng-cluster-ca-cert", "ca.crt")}
    gateway_topics = {t["metadata"]["topic"] for so in of_kind(objs, "ScaledObject")
                      if so["spec"]["scaleTargetRef"]["name"] == "gateway"
                      for t in so["spec"]["triggers"] if t["type"] == "kafka"}
    gateway = GatewayConfig(dsn="", kafka_bootstrap=KafkaAccess("unused:9092"))
    assert gateway_topics in (set(), set(gateway.topics)), "the gateway projects every public topic"
    # Lag is measured on the groups and topics the code really consumes.
    consumed = {"gateway": ({gateway.consumer_group}, set(gateway.topics))}
    for declared in definitions():
        if declared.consumers:
            consumed[declared.name] = ({f"{declared.name}-{c.name}" for c in declared.consumers},
                                       set(declared.consumed_topics))
    for so in of_kind(objs, "ScaledObject"):
        target = so["spec"]["scaleTargetRef"]["name"]
        kafka = [t["metadata"] for t in so["spec"]["triggers"] if t["type"] == "kafka"]
        if target in consumed:
            group, wanted = consumed[target]
            assert {m["consumerGroup"] for m in kafka} == group, target
            assert {m["topic"] for m in kafka} == wanted, target
    for hpa in of_kind(objs, "HorizontalPodAutoscaler"):
        assert hpa["spec"]["scaleTargetRef"]["name"] in deployments
        assert 2 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]


def _acls(user: Obj) -> set[Acl]:
    """A KafkaUser's ACLs in the scheme's terms (contracts.kafka_acl)."""
    assert user["spec"]["authentication"]["type"] == "scram-sha-512", user["metadata"]["name"]
    assert user["spec"]["authorization"]["type"] == "simple", user["metadata"]["name"]
    pattern = {"literal": kafka_acl.LITERAL, "prefix": kafka_acl.PREFIXED}
    found: set[Acl] = set()
    for rule in user["spec"]["authorization"]["acls"]:
        assert rule.get("type", "allow") == "allow" and rule.get("host", "*") == "*", rule
        resource = rule["resource"]
        found |= {Acl(resource["type"], pattern[resource.get("patternType", "literal")], resource["name"], op)
                  for op in rule["operations"]}
    return found


def test_each_process_logs_in_as_a_kafka_user_with_the_local_acls(objs: list[Obj]) -> None:
    users = {u["metadata"]["name"]: u for u in of_kind(objs, "KafkaUser")}
    for u in users.values():
        assert u["metadata"]["labels"]["strimzi.io/cluster"] == "yizheng", u["metadata"]["name"]
    # The same scheme the local broker applies, from the same declarations (contracts/platform.py,
    # services/<svc>/service.py): a service listed without its KafkaUser, or with other ACLs, fails here.
    for name, wanted in platform_acls().items():
        assert name in users, f"{name} has no KafkaUser (deploy/k8s/base/kafka/users.yaml)"
        assert _acls(users[name]) == set(wanted), f"{name}: the KafkaUser's ACLs differ from contracts/kafka_acl.py"
    outsiders = {n: u for n, u in users.items() if n not in platform_processes()}
    assert outsiders, "an example outside subscriber"
    for name, user in outsiders.items():
        reads = {a.name for a in _acls(user) if a.resource == kafka_acl.TOPIC}
        committees = {t.rsplit(".", 1)[1] for t in reads}
        assert len(committees) == 1, f"{name} reads more than one committee: {sorted(reads)}"
        assert _acls(user) == set(kafka_acl.subscriber_acls(name, committees.pop(), publishing_services())), name


def test_network_policies(built: dict[str, list[Obj]]) -> None:
    assert not of_kind(built["dev"], "NetworkPolicy")
    objs = built["production"]
    policies = {p["metadata"]["name"]: p for p in of_kind(objs, "NetworkPolicy")}
    deny = policies["default-deny-ingress"]["spec"]
    assert deny["podSelector"] == {} and deny["policyTypes"] == ["Ingress"] and not deny.get("ingress")
    for d in of_kind(objs, "Deployment"):
        labels = pod_labels(d)
        egress = [p for p in policies.values() if "Egress" in p["spec"]["policyTypes"]
                  and selects(p["spec"]["podSelector"].get("matchLabels", {}), labels)]
        assert egress, f"{d['metadata']['name']} has no egress policy (it would reach everything)"
        ingress = [p for p in policies.values() if "Ingress" in p["spec"]["policyTypes"] and p["spec"].get("ingress")
                   and selects(p["spec"]["podSelector"].get("matchLabels", {}), labels)]
        assert ingress, f"{d['metadata']['name']} is unreachable"
    # Only the gateway reaches the services' command APIs.
    services = policies["services-ingress"]["spec"]["ingress"]
    assert [peer["podSelector"]["matchLabels"] for rule in services for peer in rule["from"]] == \
        [{"app.kubernetes.io/name": "gateway"}]
    kafka = named(objs, "Kafka", "yizheng")
    listeners = {listener["name"]: listener for listener in kafka["spec"]["kafka"]["listeners"]}
    internal = listeners["tls"].get("networkPolicyPeers")
    assert internal, "the platform's Kafka listener is open to every pod"
    assert {"app.kubernetes.io/part-of": "yizheng"} in [p.get("podSelector", {}).get("matchLabels") for p in internal]
    external = listeners["external"].get("networkPolicyPeers")
    assert external, "outside subscribers are not admitted to the listener meant for them"
    assert all(set(p) == {"ipBlock"} for p in external), "the external listener is for outside systems only"
    kafka_egress = {port["port"] for rule in policies["platform-egress"]["spec"]["egress"] for port in rule["ports"]
                    if any("strimzi.io/cluster" in peer.get("podSelector", {}).get("matchLabels", {})
                           for peer in rule.get("to", []))}
    assert kafka_egress == {listeners["tls"]["port"]}, "the platform reaches Kafka on its own listener only"


def test_no_secret_material_is_committed(built: dict[str, list[Obj]]) -> None:
    for overlay, objs in built.items():
        for s in of_kind(objs, "Secret"):
            assert not s.get("data") and not s.get("stringData"), f"{overlay}: Secret {s['metadata']['name']}"
    for path in K8S.rglob("*.y*ml"):
        for doc in yaml.safe_load_all(path.read_text()):
            if isinstance(doc, dict):
                assert doc.get("kind") != "Secret", path
                assert "secretGenerator" not in doc, path


def test_image_matches_the_manifests() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim|^ARG PYTHON_IMAGE=python:3\.11-slim", dockerfile, re.M)
    assert "uv sync --frozen --no-dev" in dockerfile
    assert re.search(rf"^USER {RUN_AS_USER}(:{RUN_AS_USER})?$", dockerfile, re.M), "the uid the pods run as"
    assert re.search(r'^ENTRYPOINT \["yizheng"\]$', dockerfile, re.M)
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".venv", ".yizheng", ".git"} <= ignored


def test_built_in_renderer_agrees_with_kustomize(kustomize: Renderer | None) -> None:
    if kustomize is None:
        pytest.skip("no kustomize to compare with: the built-in renderer built the overlays")
    for overlay in OVERLAYS:
        path = K8S / "overlays" / overlay
        assert _normalised(build_fallback(path)) == _normalised(kustomize.build(path)), overlay


def _normalised(objs: list[Obj]) -> list[Obj]:
    """Objects sorted by kind and name, without the ConfigMap name hash (only kustomize adds it)."""
    text = yaml.safe_dump_all(objs)
    text = re.sub(r"\byizheng-config-[a-z0-9]{10}\b", "yizheng-config", text)
    docs = [d for d in yaml.safe_load_all(text) if d]
    return sorted(docs, key=lambda o: (o["kind"], o["metadata"]["name"]))


# ---- the built-in renderer -----------------------------------------------------------------------------
# Exactly the kustomize features deploy/k8s uses, in kustomize's order: resources, components, generators,
# then patches, namespace, labels, images, replicas. Anything else is refused, never ignored.

_KUSTOMIZATION_KEYS = {"apiVersion", "kind", "namespace", "resources", "components", "configMapGenerator",
                       "patches", "labels", "images", "replicas"}
_BUILT_IN_GROUPS = {"", "apps", "batch", "policy", "autoscaling", "networking.k8s.io"}


def build_fallback(directory: Path) -> list[Obj]:
    return _build(directory, [])


def _load_kustomization(directory: Path) -> Obj:
    k: Obj = yaml.safe_load((directory / "kustomization.yaml").read_text())
    unknown = set(k) - _KUSTOMIZATION_KEYS
    if unknown:
        raise NotImplementedError(f"{directory}: the built-in renderer does not support {sorted(unknown)}")
    return k


def _build(directory: Path, objs: list[Obj]) -> list[Obj]:
    k = _load_kustomization(directory)
    objs = list(objs)
    for entry in k.get("resources", []):
        path = directory / entry
        if path.is_dir():
            objs += _build(path, [])
        else:
            objs += [d for d in yaml.safe_load_all(path.read_text()) if d]
    for entry in k.get("components", []):
        objs = _build(directory / entry, objs)
    for generator in k.get("configMapGenerator", []):
        data = dict(literal.split("=", 1) for literal in generator.get("literals", []))
        if generator.get("behavior") == "merge":
            target = next(o for o in objs if o["kind"] == "ConfigMap" and o["metadata"]["name"] == generator["name"])
            target["data"].update(data)
        else:
            objs.append({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": generator["name"]},
                         "data": data})
    for patch in k.get("patches", []):
        text = (directory / patch["path"]).read_text() if "path" in patch else patch["patch"]
        docs = [d for d in yaml.safe_load_all(text) if d]
        if len(docs) == 1 and isinstance(docs[0], list):
            for o in objs:
                if _matches(o, patch.get("target")):
                    _json6902(o, docs[0])
        else:
            for doc in docs:
                for o in objs:
                    if _matches(o, patch.get("target")) and _same_object(o, doc):
                        _strategic_merge(o, doc, _group(o) in _BUILT_IN_GROUPS)
    if "namespace" in k:
        for o in objs:
            if o["kind"] not in CLUSTER_SCOPED:
                o["metadata"]["namespace"] = k["namespace"]
    for label in k.get("labels", []):
        if label.get("includeSelectors"):
            raise NotImplementedError("labels.includeSelectors")
        for o in objs:
            o["metadata"].setdefault("labels", {}).update(label["pairs"])
            template = o.get("spec", {}).get("template")
            if label.get("includeTemplates") and isinstance(template, dict):
                template.setdefault("metadata", {}).setdefault("labels", {}).update(label["pairs"])
    for image in k.get("images", []):
        for o in objs:
            for c in _pod_containers(o):
                if re.split(r"[:@]", c["image"], maxsplit=1)[0] == image["name"]:
                    tag = f":{image['newTag']}" if "newTag" in image else ""
                    c["image"] = image.get("newName", image["name"]) + tag
    for replica in k.get("replicas", []):
        for o in objs:
            if o["kind"] == "Deployment" and o["metadata"]["name"] == replica["name"]:
                o["spec"]["replicas"] = replica["count"]
    return objs


def _group(o: Obj) -> str:
    api = str(o["apiVersion"])
    return api.split("/")[0] if "/" in api else ""


def _matches(o: Obj, target: Obj | None) -> bool:
    if not target:
        return True
    if set(target) - {"group", "version", "kind", "name"}:
        raise NotImplementedError(f"patch target {target}")
    return (target.get("group", _group(o)) == _group(o) and target.get("kind", o["kind"]) == o["kind"]
            and target.get("name", o["metadata"]["name"]) == o["metadata"]["name"])


def _same_object(o: Obj, patch: Obj) -> bool:
    return bool(o["kind"] == patch["kind"] and o["metadata"]["name"] == patch["metadata"]["name"]
                and _group(o) == _group(patch))


def _strategic_merge(base: Obj, patch: Obj, by_name: bool) -> None:
    for key, value in patch.items():
        if value is None:
            base.pop(key, None)
        elif isinstance(value, dict) and isinstance(base.get(key), dict):
            _strategic_merge(base[key], value, by_name)
        elif (by_name and isinstance(value, list) and isinstance(base.get(key), list)
              and all(isinstance(i, dict) and "name" in i for i in [*value, *base[key]])):
            existing = {i["name"]: i for i in base[key]}
            for item in value:
                if item["name"] in existing:
                    _strategic_merge(existing[item["name"]], item, by_name)
                else:
                    base[key].append(copy.deepcopy(item))
        else:
            base[key] = copy.deepcopy(value)


def _json6902(o: Obj, ops: list[Obj]) -> None:
    for op in ops:
        *parents, last = [p.replace("~1", "/").replace("~0", "~") for p in op["path"].lstrip("/").split("/")]
        node: Any = o
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        value = copy.deepcopy(op.get("value"))
        if isinstance(node, list):
            index = len(node) if last == "-" else int(last)
            if op["op"] == "add":
                node.insert(index, value)
            elif op["op"] == "replace":
                node[index] = value
            elif op["op"] == "remove":
                del node[index]
            else:
                raise NotImplementedError(f"JSON patch op {op['op']}")
        elif op["op"] == "add":
            node[last] = value
        elif op["op"] == "replace":
            if last not in node:
                raise KeyError(f"replace {op['path']}: no such value")
            node[last] = value
        elif op["op"] == "remove":
            del node[last]
        else:
            raise NotImplementedError(f"JSON patch op {op['op']}")


def _pod_containers(o: Obj) -> Iterator[Obj]:
    pod = o.get("spec", {}).get("template", {}).get("spec") if o["kind"] in ("Deployment", "Job") else None
    if pod:
        yield from pod.get("initContainers") or []
        yield from pod.get("containers") or []
