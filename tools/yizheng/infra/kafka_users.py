"""Kafka's users and what each may do: the platform's principals (one per service, the gateway), derived from
the services' declarations through `contracts.kafka_acl`, and outside subscribers (`yizheng subscribers`).

Users and ACLs are written to a running broker with librdkafka's admin client (confluent-kafka: SCRAM
credentials and ACLs, which aiokafka's admin client cannot alter), as a super user. Applying is a diff: the
ACLs a principal has and the scheme does not give are deleted, the missing ones created, so the broker follows
the declarations when they change."""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Iterable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import (
    AclBinding,
    AclBindingFilter,
    AclOperation,
    AclPermissionType,
    AdminClient,
    NewTopic,
    ResourcePatternType,
    ResourceType,
    ScramCredentialInfo,
    ScramMechanism,
    UserScramCredentialDeletion,
    UserScramCredentialUpsertion,
)

from contracts import kafka_acl, platform
from contracts.kafka_acl import GATEWAY, Acl
from eventstore.audit_anchor import AUDIT_TOPIC
from eventstore.kafka_access import KafkaAccess
from runtime import settings

SCRAM_ITERATIONS = 8192  # Kafka's default for SCRAM-SHA-512 credentials
ADMIN_TIMEOUT = 30.0
# The outside subscriber the local broker is started with, reading the demo county's public topics.
EXAMPLE_SUBSCRIBER = "example-subscriber"
EXAMPLE_COMMITTEE = "demo-county"
# A subscriber's name is a Kafka principal and the start of its groups' names: letters, digits and dashes.
SUBSCRIBER_NAME_PATTERN = r"^[a-z][a-z0-9-]{1,62}$"
_SUBSCRIBER_NAME = re.compile(SUBSCRIBER_NAME_PATTERN)


class KafkaUsersError(RuntimeError):
    """A user or its ACLs could not be written (broker refused, name not allowed)."""


def new_password() -> str:
    return secrets.token_hex(24)  # hex: safe inside JAAS quotes and StorageTool's `name=...,password=...`


# --- the scheme, from the declarations -------------------------------------------------------------------


def platform_processes() -> list[str]:
    return [*platform.SERVICES, GATEWAY]


def publishing_services() -> list[str]:
    """Services with at least one public event type (`contracts/<svc>/public.py`): notify publishes none."""
    from contracts import catalog
    from contracts.public import PUBLIC

    catalog.load_all()
    return PUBLIC.publishing_services()


def platform_acls(prefix: str = "") -> dict[str, frozenset[Acl]]:
    """Each platform process's ACLs: a service's from its contract's topic and its consumers' topics
    (`ServiceDefinition.consumed_topics`), the gateway's from every internal topic."""
    from yizheng.serve import definition

    acls = {name: kafka_acl.service_acls(name, internal_topic=definition(name).contract.topic,
                                         consumed=definition(name).consumed_topics, also_writes=[AUDIT_TOPIC],
                                         prefix=prefix)
            for name in platform.SERVICES}
    acls[GATEWAY] = kafka_acl.gateway_acls(platform.published_topics(), prefix=prefix)
    return acls


def platform_topics() -> list[str]:
    """Every topic the platform publishes or consumes (unprefixed)."""
    from yizheng.serve import definitions

    consumed = [t for d in definitions() for t in d.consumed_topics]
    return sorted({*platform.published_topics(), *consumed})


def check_subscriber_name(name: str) -> None:
    if not _SUBSCRIBER_NAME.match(name):
        raise KafkaUsersError(f"subscriber name {name!r} does not match {SUBSCRIBER_NAME_PATTERN}")
    if name in (settings.LOCAL_KAFKA_ADMIN, *platform_processes()):
        raise KafkaUsersError(f"{name!r} is a platform principal, not a subscriber name")


# --- the local users file ---------------------------------------------------------------------------------


@dataclass
class UsersFile:
    """`.yizheng/kafka/users.json` (0600): the passwords of the local broker's users and the cluster they were
    created in (a data directory formatted for another cluster, or before users existed, is re-formatted)."""

    path: Path
    cluster_id: str | None = None
    users: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> UsersFile:
        try:
            raw = json.loads(path.read_text())
            users = {str(k): str(v) for k, v in dict(raw.get("users", {})).items()}
            return cls(path, raw.get("cluster_id"), users)
        except (OSError, ValueError, TypeError, AttributeError):
            return cls(path)

    def password(self, user: str) -> str:
        """The user's password, made (and kept) on first use."""
        if user not in self.users:
            self.users[user] = new_password()
            self.save()
        return self.users[user]

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump({"cluster_id": self.cluster_id, "mechanism": settings.LOCAL_KAFKA_MECHANISM,
                       "users": self.users}, out, indent=2, sort_keys=True)
        os.chmod(partial, 0o600)
        partial.replace(self.path)


# --- the broker ------------------------------------------------------------------------------------------

_RESOURCE = {kafka_acl.TOPIC: ResourceType.TOPIC, kafka_acl.GROUP: ResourceType.GROUP}
_PATTERN = {kafka_acl.LITERAL: ResourcePatternType.LITERAL, kafka_acl.PREFIXED: ResourcePatternType.PREFIXED}
_OPERATION = {kafka_acl.READ: AclOperation.READ, kafka_acl.WRITE: AclOperation.WRITE,
              kafka_acl.CREATE: AclOperation.CREATE, kafka_acl.DESCRIBE: AclOperation.DESCRIBE}


def principal(user: str) -> str:
    return f"User:{user}"


def _binding(user: str, acl: Acl) -> AclBinding:
    return AclBinding(_RESOURCE[acl.resource], acl.name, _PATTERN[acl.pattern], principal(user), "*",
                      _OPERATION[acl.operation], AclPermissionType.ALLOW)


def _acl(binding: AclBinding) -> Acl | None:
    """The scheme's view of a binding on the broker (None: a kind the scheme never writes)."""
    resource = next((k for k, v in _RESOURCE.items() if v == binding.restype), None)
    pattern = next((k for k, v in _PATTERN.items() if v == binding.resource_pattern_type), None)
    operation = next((k for k, v in _OPERATION.items() if v == binding.operation), None)
    if None in (resource, pattern, operation) or binding.permission_type != AclPermissionType.ALLOW:
        return None
    assert resource is not None and pattern is not None and operation is not None
    return Acl(resource, pattern, binding.name, operation)


def _wait(futures: Mapping[Any, Any], what: str) -> None:
    failed = []
    for key, future in futures.items():
        try:
            future.result(timeout=ADMIN_TIMEOUT)
        except KafkaException as err:
            failed.append(f"{key}: {err.args[0] if err.args else err}")
    if failed:
        raise KafkaUsersError(f"{what}: " + "; ".join(failed))


class KafkaAdmin:
    """Users and ACLs on a running broker, as a super user (`admin` locally)."""

    def __init__(self, access: KafkaAccess) -> None:
        self.access = access
        # log_level 4: librdkafka's warnings and errors, not its notices about queues purged on close
        self.client = AdminClient({**access.librdkafka_config(), "socket.timeout.ms": int(ADMIN_TIMEOUT * 1000),
                                   "log_level": 4})

    def create_topics(self, names: Iterable[str], partitions: int = 3) -> None:
        """Create the topics that do not exist yet (one replica: the local broker is one node)."""
        existing = set(self.client.list_topics(timeout=ADMIN_TIMEOUT).topics)
        wanted = [NewTopic(n, partitions, 1) for n in names if n not in existing]
        if wanted:
            futures = self.client.create_topics(wanted, request_timeout=ADMIN_TIMEOUT)
            for name, future in futures.items():
                try:
                    future.result(timeout=ADMIN_TIMEOUT)
                except KafkaException as err:
                    if err.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:  # another `up` made it meanwhile
                        raise KafkaUsersError(f"creating the topic {name}: {err}") from None

    def users(self) -> set[str]:
        try:
            every: Future[dict[str, Any]] = self.client.describe_user_scram_credentials()  # type: ignore[assignment]
            described = every.result(timeout=ADMIN_TIMEOUT)
        except KafkaException as err:
            raise KafkaUsersError(f"listing SCRAM users failed: {err}") from None
        return set(described)

    def upsert_user(self, user: str, password: str) -> None:
        info = ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS)
        _wait(self.client.alter_user_scram_credentials([UserScramCredentialUpsertion(user, info, password.encode())]),
              f"creating the SCRAM user {user}")

    def delete_user(self, user: str) -> None:
        deletion = UserScramCredentialDeletion(user, ScramMechanism.SCRAM_SHA_512)
        _wait(self.client.alter_user_scram_credentials([deletion]), f"deleting the SCRAM user {user}")

    def bindings(self, user: str | None = None) -> list[AclBinding]:
        # None matches any name, principal or host (the stubs say str; librdkafka takes NULL)
        query = AclBindingFilter(ResourceType.ANY, None, ResourcePatternType.ANY,  # type: ignore[arg-type]
                                 principal(user) if user else None, None,  # type: ignore[arg-type]
                                 AclOperation.ANY, AclPermissionType.ANY)
        try:
            return list(self.client.describe_acls(query).result(timeout=ADMIN_TIMEOUT))
        except KafkaException as err:
            raise KafkaUsersError(f"listing ACLs failed: {err}") from None

    def acls(self, user: str) -> set[Acl]:
        return {acl for b in self.bindings(user) if (acl := _acl(b)) is not None}

    def set_acls(self, user: str, wanted: Iterable[Acl]) -> None:
        """Make the user's ACLs exactly `wanted` (extra ones deleted, missing ones created)."""
        wanted = set(wanted)
        present = self.bindings(user)
        extra = [b for b in present if _acl(b) not in wanted]
        missing = wanted - {acl for b in present if (acl := _acl(b)) is not None}
        if extra:
            _wait(self.client.delete_acls([_filter(b) for b in extra]), f"deleting ACLs of {user}")
        if missing:
            _wait(self.client.create_acls([_binding(user, a) for a in sorted(missing)]), f"creating ACLs of {user}")


def _filter(binding: AclBinding) -> AclBindingFilter:
    return AclBindingFilter(binding.restype, binding.name, binding.resource_pattern_type, binding.principal,
                            binding.host, binding.operation, binding.permission_type)


def apply_platform(admin: KafkaAdmin, passwords: UsersFile) -> None:
    """The platform's topics, every platform process's SCRAM user (password from the users file) with exactly
    its scheme's ACLs, and the example subscriber of the demo county. The topics are made here, as Strimzi's
    KafkaTopics make them in a cluster: a consumer may read another service's topic, not create it, and a
    broker answers a consumer asking for a missing topic it may not create with an authorization error."""
    admin.create_topics(platform_topics())
    existing = admin.users()
    for name, acls in platform_acls().items():
        if name not in existing:
            admin.upsert_user(name, passwords.password(name))
        admin.set_acls(name, acls)
    if EXAMPLE_SUBSCRIBER not in existing:
        admin.upsert_user(EXAMPLE_SUBSCRIBER, passwords.password(EXAMPLE_SUBSCRIBER))
    admin.set_acls(EXAMPLE_SUBSCRIBER,
                   kafka_acl.subscriber_acls(EXAMPLE_SUBSCRIBER, EXAMPLE_COMMITTEE, publishing_services()))


# --- outside subscribers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Subscriber:
    name: str
    committee_id: str
    topics: list[str]
    group_prefix: str
    access: KafkaAccess  # where and as whom it connects (the password is new: shown once)

    def settings(self) -> dict[str, Any]:
        """What an outside system is configured with: `connection` is a librdkafka client's configuration as is
        (the Java client's property names are the same, with sasl.jaas.config for the username and password)."""
        return {"name": self.name, "committee": self.committee_id, "topics": self.topics,
                "group_prefix": self.group_prefix, "connection": self.access.librdkafka_config()}


def add_subscriber(admin: KafkaAdmin, name: str, committee_id: str, services: Iterable[str] | None = None, *,
                   bootstrap: str | None = None, prefix: str = "") -> Subscriber:
    """A SCRAM user (new random password) reading one committee's public topics, with groups `<name>.*`."""
    check_subscriber_name(name)
    publishing = publishing_services()
    chosen = sorted(set(services)) if services else publishing
    unknown = [s for s in chosen if s not in publishing]
    if unknown:
        raise KafkaUsersError(f"services {unknown} publish no public topics; choose from {publishing}")
    try:
        acls = kafka_acl.subscriber_acls(name, committee_id, chosen, prefix=prefix)
    except ValueError as err:
        raise KafkaUsersError(str(err)) from None
    password = new_password()
    admin.upsert_user(name, password)
    admin.set_acls(name, acls)
    access = admin.access.as_user(name, password)
    if bootstrap:
        access = KafkaAccess(bootstrap, access.security_protocol, access.sasl_mechanism, name, password,
                             access.ssl_cafile)
    return Subscriber(name, committee_id, kafka_acl.subscriber_topics(committee_id, chosen, prefix=prefix),
                      prefix + kafka_acl.subscriber_group_prefix(name), access)


def list_subscribers(admin: KafkaAdmin) -> dict[str, list[str]]:
    """Every user that is not a platform principal, with the topics it may read."""
    platform_users = {settings.LOCAL_KAFKA_ADMIN, *platform_processes()}
    readable: dict[str, list[str]] = {u: [] for u in admin.users() - platform_users}
    for binding in admin.bindings():
        user = binding.principal.removeprefix("User:")
        acl = _acl(binding)
        if user in readable and acl and acl.resource == kafka_acl.TOPIC and acl.operation == kafka_acl.READ:
            readable[user].append(acl.name)
    return {u: sorted(t) for u, t in sorted(readable.items())}


def remove_subscriber(admin: KafkaAdmin, name: str) -> None:
    check_subscriber_name(name)
    admin.set_acls(name, [])
    if name in admin.users():
        admin.delete_user(name)
