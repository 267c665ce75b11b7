"""A province hosting its counties: `yizheng demo load --committees N` loads N demo counties, each a
committee (tenant) of its own generated from a seed of its own, into the running platform at once.

The first county is the one `yizheng run` loads (`demo-county`, the base seed), so a province includes it
and finds it loaded; county i (from 0) is `demo-county-{i + 1}` with seed `base seed + i`. Every county is
loaded as `ensure_script_loaded` loads one (a county loaded already is only probed, an interrupted one is
completed), all through one `Loader`: the counties' lanes run concurrently, and the loader's per-service
slots bound the requests in flight to each service whatever the number of counties."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from yizheng.demo.generator import DEFAULT_COMMITTEE, DEFAULT_SEED, Size, generate
from yizheng.demo.load import PER_SERVICE, Loader, LoadSummary, Say, default_urls, ensure_with
from yizheng.demo.script import Script


@dataclass(frozen=True)
class County:
    """One committee of the province: its id and the seed its script is generated from."""

    index: int
    committee_id: str
    seed: int


def counties(n: int, *, seed: int = DEFAULT_SEED, base: str = DEFAULT_COMMITTEE) -> list[County]:
    """`base` with `seed`, then `base-2` with `seed + 1`, … : distinct ids and seeds, the same every run (so
    a second run replays every county's idempotency keys)."""
    if n < 1:
        raise ValueError(f"a province has at least one county, not {n}")
    return [County(i, base if i == 0 else f"{base}-{i + 1}", seed + i) for i in range(n)]


def county_named(committee_id: str, *, seed: int = DEFAULT_SEED, base: str = DEFAULT_COMMITTEE) -> County:
    """The county of the province whose committee is `committee_id` (for its tokens)."""
    if committee_id == base:
        return County(0, base, seed)
    number = committee_id.removeprefix(f"{base}-")
    if number == committee_id or not number.isdigit() or int(number) < 2 or str(int(number)) != number:
        raise ValueError(f"{committee_id!r} is not a county of the province: {base}, {base}-2, {base}-3, …")
    return counties(int(number), seed=seed, base=base)[-1]


def scripts(n: int, *, now: datetime, seed: int = DEFAULT_SEED, size: Size | None = None,
            base: str = DEFAULT_COMMITTEE) -> list[Script]:
    return [generate(c.seed, now=now, size=size, committee_id=c.committee_id)
            for c in counties(n, seed=seed, base=base)]


@dataclass
class CountyLoad:
    summary: LoadSummary
    seconds: float  # from the province's start until this county was done

    @property
    def commands(self) -> int:
        """Commands sent: every step when loaded now, the two probes when it was there already."""
        return self.summary.report.steps + 1 if self.summary.report is not None else 2

    @property
    def refusals(self) -> int:
        return len(self.summary.report.failures) if self.summary.report is not None else 0

    def line(self) -> str:
        if self.summary.report is None:
            return f"{self.summary.committee_id}: loaded already (2 commands probed)"
        r = self.summary.report
        written = r.outcomes.get("written", 0)
        return (f"{self.summary.committee_id}: {self.commands} commands ({written} written) in "
                f"{self.seconds:.1f} s, {self.refusals} refused")


@dataclass
class ProvinceLoad:
    counties: list[CountyLoad]
    seconds: float

    @property
    def commands(self) -> int:
        return sum(c.commands for c in self.counties)

    @property
    def refusals(self) -> int:
        return sum(c.refusals for c in self.counties)

    @property
    def ok(self) -> bool:
        return self.refusals == 0

    def line(self) -> str:
        rate = self.commands / self.seconds if self.seconds else 0.0
        return (f"{len(self.counties)} counties: {self.commands} commands in {self.seconds:.1f} s "
                f"({rate:.0f}/s), {self.refusals} refused")


async def load_province(county_scripts: Sequence[Script], urls: dict[str, str] | None = None, *,
                        concurrency: int = 8, per_service: int = PER_SERVICE, say: Say | None = None) -> ProvinceLoad:
    """Every county's script, loaded at once (`concurrency` lanes of each county at a time, `per_service`
    requests in flight to each service in all); one line per county as it finishes, with its refusals."""
    if len({s.committee_id for s in county_scripts}) != len(county_scripts):
        raise ValueError("each county of a province needs a committee of its own")
    tell = say or (lambda _line: None)
    started = time.monotonic()
    # No progress bars (say=None): twenty of them interleaved say less than a line per county.
    async with Loader(urls or default_urls(), concurrency=concurrency, per_service=per_service) as loader:
        async def one(script: Script) -> CountyLoad:
            summary = await ensure_with(loader, script)
            done = CountyLoad(summary, time.monotonic() - started)
            tell(done.line())
            for failure in (summary.report.failures if summary.report else [])[:10]:
                tell(f"  refused: {failure}")
            return done

        loads = await asyncio.gather(*(one(s) for s in county_scripts))
    return ProvinceLoad(list(loads), time.monotonic() - started)
