"""`yizheng subscribers add | list | remove`: outside county systems reading one committee's public topics.

`add` makes a SCRAM user with a new random password, allowed to read the committee's public topics
(`<svc>.public.<committee>`) and to use consumer groups named `<name>.<anything>`, and nothing else; it prints
what the outside system is configured with. The broker is the local one, or KAFKA_BOOTSTRAP_SERVERS with a
super user's KAFKA_* credentials (on Kubernetes, declare a `KafkaUser` instead: deploy/k8s/README.md)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from yizheng.infra.kafka_users import KafkaAdmin

app = typer.Typer(help="Outside subscribers of the public topics (Kafka users and ACLs).", no_args_is_help=True)


def _admin() -> KafkaAdmin:
    from runtime import settings
    from yizheng.infra import kafka
    from yizheng.infra.kafka_users import KafkaAdmin
    from yizheng.infra.paths import Layout

    try:
        external = settings.external_kafka_bootstrap()
        access = settings.kafka_access() if external else kafka.local_access(Layout.current())
    except ValueError as err:
        typer.secho(str(err), fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    return KafkaAdmin(access)


def _fail(err: Exception) -> None:
    typer.secho(str(err), fg=typer.colors.RED, err=True)
    raise typer.Exit(1) from None


@app.command()
def add(
    name: str = typer.Argument(..., help="the subscriber's user name (lower-case letters, digits, dashes)"),
    committee: str = typer.Option(..., "--committee", "-c", help="the committee whose public topics it reads"),
    services: list[str] = typer.Option([], "--services", "-s",
                                       help="only these services' public topics (default: every publishing service)"),
    bootstrap: str = typer.Option("", help="the address the subscriber connects to, if not the one used here "
                                           "(e.g. a cluster's external listener)"),
    topic_prefix: str = typer.Option("", help="the prefix of a tenant's (or a test's) topic and group names"),
    as_json: bool = typer.Option(False, "--json", help="print the settings as one JSON object"),
) -> None:
    """Create (or re-key) a subscriber: a new password, and read access to one committee's public topics."""
    from yizheng.infra.kafka_users import KafkaUsersError, add_subscriber

    try:
        subscriber = add_subscriber(_admin(), name, committee, services or None, bootstrap=bootstrap or None,
                                    prefix=topic_prefix)
    except KafkaUsersError as err:
        _fail(err)
        return
    config = subscriber.settings()
    if as_json:
        typer.echo(json.dumps(config, ensure_ascii=False, indent=2))
        return
    typer.echo(f"subscriber {name} reads the public topics of committee {committee}; keep the password safe, "
               "it is shown only now (`add` again makes a new one)")
    for key, value in config["connection"].items():
        typer.echo(f"  {key}={value}")
    typer.echo("  topics (read):")
    for topic in subscriber.topics:
        typer.echo(f"    {topic}")
    typer.echo(f"  consumer groups: any group.id starting {subscriber.group_prefix!r} "
               f"(e.g. {subscriber.group_prefix}reader); other topics and groups are refused")


@app.command("list")
def list_() -> None:
    """Every subscriber and the topics it may read."""
    from yizheng.infra.kafka_users import KafkaUsersError, list_subscribers

    try:
        found = list_subscribers(_admin())
    except KafkaUsersError as err:
        _fail(err)
        return
    if not found:
        typer.echo("no subscribers")
    for name, readable in found.items():
        typer.echo(f"{name}: {', '.join(readable) or '(reads nothing)'}")


@app.command()
def remove(name: str = typer.Argument(..., help="the subscriber's user name")) -> None:
    """Delete a subscriber's user and every ACL it has."""
    from yizheng.infra.kafka_users import KafkaUsersError, remove_subscriber

    try:
        remove_subscriber(_admin(), name)
    except KafkaUsersError as err:
        _fail(err)
        return
    typer.echo(f"removed subscriber {name}")
