"""How a process reaches Kafka, read from the KAFKA_* variables and handed to every client kind alike."""

from __future__ import annotations

import ssl

import pytest
from faststream.security import SASLScram512

from eventstore.kafka_access import KafkaAccess
from runtime import settings

CLUSTER = {"KAFKA_BOOTSTRAP_SERVERS": "yizheng-kafka-bootstrap:9093", "KAFKA_USERNAME": "members",
           "KAFKA_PASSWORD": "s3cret", "KAFKA_SSL_CAFILE": "/etc/yizheng/kafka-ca/ca.crt"}


def test_a_cluster_login_reads_from_the_environment_and_back() -> None:
    access = KafkaAccess.from_env(CLUSTER)
    assert (access.security_protocol, access.sasl_mechanism) == ("SASL_SSL", "SCRAM-SHA-512"), "defaults"
    assert (access.username, access.principal) == ("members", "User:members")
    assert KafkaAccess.from_env(access.env()) == access
    assert "s3cret" not in repr(access), "a password never reaches a log line"
    assert KafkaAccess.from_env({"KAFKA_BOOTSTRAP_SERVERS": "k:9092"}).security_protocol == "PLAINTEXT"


def test_every_client_kind_gets_the_same_login() -> None:
    access = KafkaAccess("127.0.0.1:59092", "SASL_PLAINTEXT", "SCRAM-SHA-512", "gateway", "pw")
    assert access.client_kwargs() == {"bootstrap_servers": "127.0.0.1:59092", "security_protocol": "SASL_PLAINTEXT",
                                      "sasl_mechanism": "SCRAM-SHA-512", "sasl_plain_username": "gateway",
                                      "sasl_plain_password": "pw"}
    security = access.broker_kwargs()["security"]
    assert isinstance(security, SASLScram512) and not security.use_ssl
    assert access.librdkafka_config() == {"bootstrap.servers": "127.0.0.1:59092", "security.protocol": "SASL_PLAINTEXT",
                                          "sasl.mechanism": "SCRAM-SHA-512", "sasl.username": "gateway",
                                          "sasl.password": "pw"}
    tls = KafkaAccess("k:9093", "SASL_SSL", "SCRAM-SHA-512", "gateway", "pw")
    assert isinstance(tls.client_kwargs()["ssl_context"], ssl.SSLContext)
    assert tls.broker_kwargs()["security"].use_ssl
    assert KafkaAccess("k:9092").broker_kwargs() == {"bootstrap_servers": "k:9092", "security": None}


@pytest.mark.parametrize(("env", "complaint"), [
    ({"KAFKA_BOOTSTRAP_SERVERS": "k:9093", "KAFKA_USERNAME": "members"}, "needs a username and a password"),
    ({"KAFKA_BOOTSTRAP_SERVERS": "k:9093", "KAFKA_SECURITY_PROTOCOL": "TLS"}, "security_protocol='TLS'"),
    ({**CLUSTER, "KAFKA_SASL_MECHANISM": "GSSAPI"}, "sasl_mechanism='GSSAPI'"),
    ({"KAFKA_BOOTSTRAP_SERVERS": "k:9092", "KAFKA_SASL_MECHANISM": "PLAIN"}, "needs a SASL_"),
    ({}, "KAFKA_BOOTSTRAP_SERVERS is not set"),
])
def test_settings_that_do_not_fit_together_are_refused_by_name(env: dict[str, str], complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        KafkaAccess.from_env(env)


def test_the_local_broker_is_the_default(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    for name in ("KAFKA_BOOTSTRAP_SERVERS", "KAFKA_USERNAME", "KAFKA_PASSWORD", "YIZHENG_KAFKA_PORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("YIZHENG_HOME", str(tmp_path))
    with pytest.raises(ValueError, match="no password for Kafka user 'admin'"):
        settings.kafka_access()
    monkeypatch.setenv("KAFKA_USERNAME", "proposals")
    monkeypatch.setenv("KAFKA_PASSWORD", "pw")
    access = settings.kafka_access()
    assert (access.bootstrap, access.security_protocol, access.username) == (
        "127.0.0.1:59092", "SASL_PLAINTEXT", "proposals")
