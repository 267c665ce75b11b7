"""`yizheng demo`: the demo county — load it (or N of them, as separate committees, for benchmarks) into
the running platform, show what its script holds and the figures it implies, print its tokens."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import typer

from runtime import event_loop
from yizheng.demo.generator import DEFAULT_COMMITTEE, DEFAULT_SEED, Size
from yizheng.demo.load import PER_SERVICE

# A province's counties: enough for the benchmarks (20), bounded so a typo does not queue a million commands.
MAX_COUNTIES = 200

app = typer.Typer(help="The demo county: a generated year of a county committee's work.", no_args_is_help=True)

SEED = typer.Option(DEFAULT_SEED, help="the seed the county (the province's first) is generated from")


class SizeName(StrEnum):
    small = "small"
    full = "full"


SIZE = typer.Option(SizeName.full, "--size", help="small: 40 members and 40 proposals; full: 200 and 300")


def size_of(name: SizeName) -> Size | None:
    return Size.small() if name is SizeName.small else None


def parse_urls(pairs: list[str], known: dict[str, str]) -> dict[str, str]:
    """`--url members=http://…` overrides where a service's command API is (default: where `yizheng run`
    serves it)."""
    urls = dict(known)
    for pair in pairs:
        name, sep, url = pair.partition("=")
        if not sep or name not in known or not url.startswith(("http://", "https://")):
            raise typer.BadParameter(f"{pair!r}: expected NAME=http://HOST:PORT with NAME one of "
                                     f"{', '.join(sorted(known))}", param_hint="--url")
        urls[name] = url.rstrip("/")
    return urls


def _say(message: str) -> None:
    typer.echo(message, err=True)


@app.command()
def load(
    committees: int = typer.Option(1, min=1, max=MAX_COUNTIES,
                                   help="how many counties, each a committee of its own (demo-county, "
                                        "demo-county-2, …; county i has seed SEED + i - 1), loaded at once"),
    seed: int = SEED,
    size: SizeName = SIZE,
    concurrency: int = typer.Option(8, min=1, max=64, help="lanes of commands run at once, per county"),
    per_service: int = typer.Option(PER_SERVICE, min=1, max=64,
                                    help="requests in flight to one service at a time, all counties together"),
    url: list[str] = typer.Option([], "--url", help="NAME=URL: a service's command API elsewhere (repeatable)"),
) -> None:
    """Load demo counties into the running platform (`yizheng run`) through the services' command APIs.
    A county loaded already is left as it is; an interrupted load is completed. Prints a line per county
    and the total, then the first county's tokens; exits 1 if any command was refused."""
    from yizheng.demo.load import default_urls
    from yizheng.demo.province import load_province, scripts

    urls = parse_urls(url, default_urls())
    county_scripts = scripts(committees, now=datetime.now(UTC), seed=seed, size=size_of(size))
    province = event_loop.run(load_province(county_scripts, urls, concurrency=concurrency, per_service=per_service,
                                            say=_say))
    _say(province.line())
    first = county_scripts[0]
    typer.echo(f"tokens of {first.committee_id}:")
    for role, token in first.tokens().items():
        typer.echo(f"  {role}: {token}")
    if committees > 1:
        _say(f"another county's tokens: yizheng demo tokens --committee {first.committee_id}-2 --seed {seed} "
             f"--size {size.value}")
    if not province.ok:
        _say(f"{province.refusals} commands were refused (listed above)")
        raise typer.Exit(1)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {k: _plain(getattr(value, k)) for k in value.__dataclass_fields__}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


@app.command()
def plan(seed: int = SEED, size: SizeName = SIZE,
         as_json: bool = typer.Option(False, "--json", help="the commands and expected figures as JSON")) -> None:
    """What the demo county's script holds (commands by name) and the figures it implies. No platform needed."""
    from yizheng.demo.generator import generate

    script = generate(seed, now=datetime.now(UTC), size=size_of(size))
    e = script.expected
    if as_json:
        typer.echo(json.dumps({"committee_id": script.committee_id, "year": script.year,
                               "commands": dict(script.command_counts().most_common()),
                               "expected": _plain(e)}, ensure_ascii=False, indent=2))
        return
    typer.echo(f"{script.committee_id}, {script.year}: {len(script.steps)} commands")
    for name, n in script.command_counts().most_common():
        typer.echo(f"  {n:5d}  {name}")
    typer.echo(f"proposals by status: {dict(sorted(e.proposals_by_status.items()))}")
    typer.echo(f"replies A/B/C: {e.classes}; satisfaction {e.satisfaction[0]}/{e.satisfaction[1]}; "
               f"met the proposers {e.meeting[0]}/{e.meeting[1]}; key proposals {e.key_proposals}")
    typer.echo(f"overdue as of {e.overdue_as_of}: {sum(e.overdue_by_unit.values())} "
               f"({', '.join(f'{script.labels.get(u, u)} {n}' for u, n in e.overdue_by_unit.items())})")
    for member_id in e.featured_members:
        c = e.cards[member_id]
        flags = f", flags {', '.join(c.flags)}" if c.flags else ""
        typer.echo(f"scorecard {member_id} {c.name}: {c.total} ({c.grade}{flags}) "
                   f"{ {k: _plain(v) for k, v in c.by_category.items()} }")


@app.command()
def tokens(seed: int = SEED, size: SizeName = SIZE,
           committee: str = typer.Option(DEFAULT_COMMITTEE, help="a county of the province: demo-county, "
                                                             "demo-county-2, … (as `load --committees N`)")) -> None:
    """Ready-to-paste bearer tokens of a demo county: office, leadership, a member, a unit."""
    from yizheng.demo.generator import generate
    from yizheng.demo.province import county_named

    try:
        county = county_named(committee, seed=seed)
    except ValueError as err:
        raise typer.BadParameter(str(err), param_hint="--committee") from None
    script = generate(county.seed, now=datetime.now(UTC), size=size_of(size), committee_id=county.committee_id)
    for role, token in script.tokens().items():
        typer.echo(f"{role}: {token}")
