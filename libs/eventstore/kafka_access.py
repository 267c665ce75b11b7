"""How a process reaches Kafka and who it is there: the bootstrap servers, the security protocol, the SASL
mechanism and credentials, the CA that signs the brokers' certificates. One value, handed to every client
the platform builds (the relay's producer, the consumers, admin clients, FastStream brokers, test readers),
so that no client is ever built with a bare address and no credentials.

    access = KafkaAccess("127.0.0.1:59092", "SASL_PLAINTEXT", "SCRAM-SHA-512", "proposals", "secret")
    AIOKafkaProducer(**access.client_kwargs(), acks="all")
    KafkaBroker(**access.broker_kwargs())
    confluent_kafka.admin.AdminClient(access.librdkafka_config())

`KafkaAccess.from_env(os.environ)` reads it from KAFKA_BOOTSTRAP_SERVERS, KAFKA_SECURITY_PROTOCOL,
KAFKA_SASL_MECHANISM, KAFKA_USERNAME, KAFKA_PASSWORD and KAFKA_SSL_CAFILE; `runtime.settings.kafka_access()`
does, or, without KAFKA_BOOTSTRAP_SERVERS, gives the local broker (`yizheng infra up`)."""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512

# The environment a process reads its access from (`from_env`, and `runtime.settings.kafka_access`).
BOOTSTRAP_SERVERS = "KAFKA_BOOTSTRAP_SERVERS"
SECURITY_PROTOCOL = "KAFKA_SECURITY_PROTOCOL"  # default: SASL_* with a username, *SSL with a CA file
SASL_MECHANISM = "KAFKA_SASL_MECHANISM"  # default with SASL: SCRAM-SHA-512
USERNAME = "KAFKA_USERNAME"
PASSWORD = "KAFKA_PASSWORD"
SSL_CAFILE = "KAFKA_SSL_CAFILE"  # PEM of the CA that signs the brokers' certificates (Strimzi's cluster CA)
VARIABLES = (BOOTSTRAP_SERVERS, SECURITY_PROTOCOL, SASL_MECHANISM, USERNAME, PASSWORD, SSL_CAFILE)

PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
MECHANISMS = ("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN")
SCRAM_SHA_512 = "SCRAM-SHA-512"


@dataclass(frozen=True)
class KafkaAccess:
    bootstrap: str  # host:port[,host:port...]
    security_protocol: str = "PLAINTEXT"  # one of PROTOCOLS
    sasl_mechanism: str | None = None  # one of MECHANISMS; required with SASL_*
    username: str | None = None
    password: str | None = field(default=None, repr=False)  # never in a repr, a log line or a traceback
    ssl_cafile: str | None = None  # PEM file of the CA that signs the brokers' certificates (SSL, SASL_SSL)

    def __post_init__(self) -> None:
        if not self.bootstrap.strip():
            raise ValueError("KafkaAccess.bootstrap: give at least one host:port")
        if self.security_protocol not in PROTOCOLS:
            raise ValueError(f"KafkaAccess.security_protocol={self.security_protocol!r}: use one of {PROTOCOLS}")
        if self.sasl:
            if self.sasl_mechanism not in MECHANISMS:
                raise ValueError(f"KafkaAccess.sasl_mechanism={self.sasl_mechanism!r}: with "
                                 f"{self.security_protocol} use one of {MECHANISMS}")
            if not self.username or not self.password:
                raise ValueError(f"KafkaAccess: {self.security_protocol} needs a username and a password")
        elif self.sasl_mechanism is not None:
            raise ValueError(f"KafkaAccess.sasl_mechanism={self.sasl_mechanism!r} needs a SASL_* security "
                             f"protocol, not {self.security_protocol}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> KafkaAccess:
        """From the KAFKA_* variables (`VARIABLES`); KAFKA_BOOTSTRAP_SERVERS is required. An empty value counts
        as unset. Raises ValueError naming the variables when they do not fit together."""
        def get(name: str) -> str | None:
            return (environ.get(name) or "").strip() or None

        bootstrap = get(BOOTSTRAP_SERVERS)
        if bootstrap is None:
            raise ValueError(f"{BOOTSTRAP_SERVERS} is not set")
        username, cafile = get(USERNAME), get(SSL_CAFILE)
        protocol = (get(SECURITY_PROTOCOL) or (("SASL_" if username else "") + ("SSL" if cafile else "PLAINTEXT")))
        protocol = protocol.upper()
        mechanism = get(SASL_MECHANISM) or (SCRAM_SHA_512 if protocol.startswith("SASL_") else None)
        try:
            return cls(bootstrap, protocol, mechanism.upper() if mechanism else None, username,
                       environ.get(PASSWORD) or None, cafile)
        except ValueError as err:
            raise ValueError(f"Kafka settings ({', '.join(VARIABLES)}): {err}") from None

    def env(self) -> dict[str, str]:
        """The variables `from_env` reads this access back from (unset ones as empty strings, so that they
        override a parent's)."""
        return {BOOTSTRAP_SERVERS: self.bootstrap, SECURITY_PROTOCOL: self.security_protocol,
                SASL_MECHANISM: self.sasl_mechanism or "", USERNAME: self.username or "",
                PASSWORD: self.password or "", SSL_CAFILE: self.ssl_cafile or ""}

    @property
    def sasl(self) -> bool:
        return self.security_protocol.startswith("SASL_")

    @property
    def tls(self) -> bool:
        return self.security_protocol in ("SSL", "SASL_SSL")

    @property
    def principal(self) -> str | None:
        """The principal the broker's ACLs name this client by (`User:<name>`); None when anonymous."""
        return f"User:{self.username}" if self.sasl and self.username else None

    def as_user(self, username: str, password: str) -> KafkaAccess:
        """The same brokers and protocol, as another user."""
        return replace(self, username=username, password=password)

    def ssl_context(self) -> ssl.SSLContext | None:
        if not self.tls:
            return None
        context = ssl.create_default_context(cafile=self.ssl_cafile)  # the system CAs when no file is given
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        return context

    def client_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for any aiokafka client (AIOKafkaProducer, AIOKafkaConsumer, AIOKafkaAdminClient,
        AIOKafkaClient)."""
        kwargs: dict[str, Any] = {"bootstrap_servers": self.bootstrap, "security_protocol": self.security_protocol}
        if self.tls:
            kwargs["ssl_context"] = self.ssl_context()
        if self.sasl:
            kwargs.update(sasl_mechanism=self.sasl_mechanism, sasl_plain_username=self.username,
                          sasl_plain_password=self.password)
        return kwargs

    def security(self) -> BaseSecurity | None:
        """FastStream's security object for this access (None: plain, unauthenticated)."""
        context = self.ssl_context()
        if self.sasl:
            assert self.username is not None and self.password is not None
            kind = {"SCRAM-SHA-512": SASLScram512, "SCRAM-SHA-256": SASLScram256, "PLAIN": SASLPlaintext}
            return kind[self.sasl_mechanism or ""](self.username, self.password, ssl_context=context,
                                                   use_ssl=self.tls)
        if self.tls:
            return BaseSecurity(ssl_context=context, use_ssl=True)
        return None

    def broker_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for FastStream's `KafkaBroker`."""
        return {"bootstrap_servers": self.bootstrap, "security": self.security()}

    def librdkafka_config(self) -> dict[str, str]:
        """The same settings in librdkafka's names (confluent-kafka, kcat, any non-Java client)."""
        config = {"bootstrap.servers": self.bootstrap, "security.protocol": self.security_protocol}
        if self.sasl:
            assert self.sasl_mechanism is not None and self.username is not None and self.password is not None
            config.update({"sasl.mechanism": self.sasl_mechanism, "sasl.username": self.username,
                           "sasl.password": self.password})
        if self.tls and self.ssl_cafile:
            config["ssl.ca.location"] = self.ssl_cafile
        return config
