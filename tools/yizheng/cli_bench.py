"""`yizheng bench kernel`: the kernel's durable appends vs pgbench and its relay vs raw aiokafka;
`yizheng bench notify`: the notify service's intake and delivery worker vs raw aiosmtplib; `yizheng bench limits`:
the gateway's request limits, accept-or-refuse per document (see yizheng.bench and bench/RESULTS.md);
`yizheng bench platform`: the running platform next to pgbench, asyncpg and a batched COPY."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from runtime import event_loop

app = typer.Typer(help="Benchmarks against the local (or configured) PostgreSQL and Kafka.", no_args_is_help=True)


def _say(message: str) -> None:
    typer.echo(message, err=True)


def _clients(raw: str | None) -> tuple[int, ...] | None:
    if raw is None:
        return None
    try:
        values = tuple(int(v) for v in raw.split(",") if v.strip())
    except ValueError:
        raise typer.BadParameter("a comma-separated list of client counts, e.g. 1,4") from None
    if not values or min(values) < 1:
        raise typer.BadParameter("client counts must be >= 1")
    return values


@app.command()
def kernel(
    json_file: Path | None = typer.Option(None, "--json", help="Write raw figures, ratios and machine info here."),
    full: bool = typer.Option(False, "--full/--quick",
                              help="--quick (default, < 3 min): 1 and 4 clients, 10 s phases, 50k relay events; "
                                   "--full: 1, 4, 8 clients, 30 s phases, 200k relay events."),
    seconds: int | None = typer.Option(None, min=1, help="Override the length of each timed phase."),
    clients: str | None = typer.Option(None, help="Override the client counts, e.g. 1,4,16."),
    relay_events: int | None = typer.Option(None, min=1, help="Override the number of events the relay drains."),
) -> None:
    """Durable appends next to pgbench, and the relay next to raw aiokafka, on the same server and broker."""
    import dataclasses
    from datetime import UTC, datetime

    from yizheng.bench.kernel import BenchError, KernelBenchConfig, run_kernel_bench
    from yizheng.bench.pgbench import PgbenchError
    from yizheng.bench.report import document, machine_info, render

    config = KernelBenchConfig.full() if full else KernelBenchConfig.quick()
    overrides: dict[str, object] = {}
    if seconds is not None:
        overrides["seconds"] = seconds
    if (counts := _clients(clients)) is not None:
        overrides["clients"] = counts
    if relay_events is not None:
        overrides["relay_events"] = relay_events
    config = dataclasses.replace(config, **overrides)  # type: ignore[arg-type]

    endpoints = _infra()
    started = datetime.now(UTC)
    machine_start = machine_info(endpoints.database_url, endpoints.kafka_bootstrap, {})
    try:
        result = event_loop.run(run_kernel_bench(endpoints.database_url, endpoints.kafka_bootstrap, config, say=_say))
    except (BenchError, PgbenchError) as exc:
        typer.secho(f"benchmark failed: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    machine = {**machine_start, "postgresql": result.server.get("server_version")}
    doc = document(result, machine, started)
    _emit(render(doc), doc, json_file)


@app.command()
def notify(
    json_file: Path | None = typer.Option(None, "--json", help="Write raw figures, ratios and machine info here."),
    full: bool = typer.Option(False, "--full/--quick",
                              help="--quick (default): the small demo county (40 members, 40 proposals); "
                                   "--full: the whole demo county (200 members, 300 proposals)."),
    rounds: int | None = typer.Option(None, min=1, help="Override the number of alternating rounds (3)."),
    senders: int | None = typer.Option(None, min=1, help="The delivery worker's messages in flight, and the "
                                                         "baseline's (default: YIZHENG_NOTIFY_SENDERS, else 4)."),
) -> None:
    """Notify's intake (notifications created per second from a demo county's events) and its delivery worker
    (mails per second to a local SMTP server), next to raw aiosmtplib sending the same mails."""
    import dataclasses
    import logging
    from datetime import UTC, datetime

    from yizheng.bench.notify import NotifyBenchConfig, NotifyBenchError, run_notify_bench
    from yizheng.bench.notify_county import CountyError
    from yizheng.bench.notify_report import document, render
    from yizheng.bench.report import machine_info

    config = NotifyBenchConfig.full(senders) if full else NotifyBenchConfig.quick(senders)
    if rounds is not None:
        config = dataclasses.replace(config, rounds=rounds)
    # Their INFO lines (a consumer per round joining its group, each mail the sink takes) would bury the figures.
    # A filter, not a level: every FastStream broker sets its logger's level again when it is made.
    for name in ("faststream", "faststream.access.kafka", "aiokafka", "mail.log"):
        logging.getLogger(name).addFilter(lambda record: record.levelno >= logging.WARNING)
    endpoints = _infra()
    started = datetime.now(UTC)
    machine = machine_info(endpoints.database_url, endpoints.kafka_bootstrap, {})
    try:
        result = event_loop.run(run_notify_bench(endpoints.database_url, endpoints.kafka_bootstrap, config, say=_say))
    except (NotifyBenchError, CountyError) as exc:
        typer.secho(f"benchmark failed: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    doc = document(result, machine, started)
    _emit(render(doc), doc, json_file)


@app.command()
def limits(
    json_file: Path | None = typer.Option(None, "--json", help="Write raw figures here."),
    rounds: int = typer.Option(21, min=1, help="Runs of each measurement (the median is reported)."),
) -> None:
    """The gateway's request limits: how long accepting or refusing a document takes (on its text, before
    graphql-core parses it), next to graphql-core's parse and validation of it. In process, no infrastructure."""
    import dataclasses

    from yizheng.bench.limits import render, run_limits_bench

    result = run_limits_bench(rounds)
    doc = {**result, "rows": [dataclasses.asdict(r) for r in result["rows"]],
           "normal": [dataclasses.asdict(r) for r in result["normal"]]}
    _emit(render(result), doc, json_file)


@app.command()
def platform(
    json_file: Path | None = typer.Option(None, "--json", help="Write raw figures, ratios and machine info here."),
    full: bool = typer.Option(True, "--full/--quick",
                              help="--full (default): 20 small committees, 3 rounds of 10 s, 2 view rebuilds; "
                                   "--quick: 2 committees, 2 rounds of 5 s, 1 rebuild."),
    rounds: int | None = typer.Option(None, min=1, help="Override the number of alternating rounds."),
    seconds: int | None = typer.Option(None, min=1, help="Override the length of each timed window."),
    committees: int | None = typer.Option(None, min=1, help="Override how many committees are loaded."),
    one_process: bool = typer.Option(False, "--one-process",
                                     help="Every service and the gateway in one process (default: a process each, "
                                          "as `yizheng run`)."),
) -> None:
    """The running platform (started by the bench) next to baselines: command API vs pgbench, GraphQL
    mutation scaling, oversight/scorecards vs their SQL, view rebuild vs a batched COPY, and the view lag."""
    import dataclasses
    import logging
    from datetime import UTC, datetime

    from yizheng.bench.pgbench import PgbenchError
    from yizheng.bench.platform import PlatformBenchConfig, PlatformBenchError, run_platform_bench
    from yizheng.bench.platform_pgbench import BaselineError
    from yizheng.bench.platform_report import document, render
    from yizheng.bench.report import machine_info

    config = PlatformBenchConfig.full() if full else PlatformBenchConfig.quick()
    overrides: dict[str, object] = {k: v for k, v in (("rounds", rounds), ("seconds", seconds),
                                                       ("committees", committees)) if v is not None}
    if one_process:
        overrides["separate"] = False
    config = dataclasses.replace(config, **overrides)  # type: ignore[arg-type]
    for name in ("faststream", "faststream.access.kafka", "aiokafka", "httpx"):
        logging.getLogger(name).addFilter(lambda record: record.levelno >= logging.WARNING)
    endpoints = _infra()
    started = datetime.now(UTC)
    machine = machine_info(endpoints.database_url, endpoints.kafka_bootstrap, {})
    try:
        result = event_loop.run(run_platform_bench(endpoints.database_url, endpoints.kafka_bootstrap, config,
                                                   say=_say))
    except (PlatformBenchError, BaselineError, PgbenchError) as exc:
        typer.secho(f"benchmark failed: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    doc = document(result, machine, started)
    _emit(render(doc), doc, json_file)


def _infra() -> Any:
    """PostgreSQL and Kafka up (started if need be), or exit 1 saying why."""
    from yizheng.infra import InfraError, ensure_up

    try:
        return ensure_up(say=_say)
    except InfraError as exc:
        typer.secho(f"infrastructure is not available:\n{exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None


def _emit(text: str, doc: Any, json_file: Path | None) -> None:
    """The report on stdout, the raw figures in `json_file` if asked."""
    from yizheng.bench.report import write_json

    typer.echo(text)
    if json_file is not None:
        write_json(json_file, doc)
        typer.echo(f"\nwrote {json_file}", err=True)
