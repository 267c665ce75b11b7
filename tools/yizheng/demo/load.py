"""Loads a generated county into the running platform through the services' command APIs (HTTP), the
way any client would: each step is POST /commands/{name} with a bearer token for its issuer and an
Idempotency-Key derived from the seed and the step number, so loading twice writes nothing the second time.
A few steps are the surveys service's own routes instead (`Step.route`: an appraisal's slips and its ballots, a
questionnaire's tickets and anonymous responses; `Loader.execute_route` says how a second load skips them).

Steps of one lane run in order; the lanes of a phase run concurrently (`concurrency` at a time, longest
first); phases run one after another. Conflicts (409), server errors and dropped connections are retried;
a refusal named in the step's `retry_on` is retried until `wait_seconds` (a look-back the deadline watcher
has not opened yet); any other refusal fails the step and the rest of its lane, and is reported.

`ensure_loaded` is what `yizheng run` calls: it loads the demo county unless it is there already (the
first and the last step answer as replays), and returns the committee id and a token per role."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from yizheng.demo.generator import DEFAULT_COMMITTEE, DEFAULT_SEED, Size, generate
from yizheng.demo.script import ANSWER_ANONYMOUSLY, CAST_BALLOT, DRAW_TICKET, ISSUE_CREDENTIALS, Ref, Script, Step, Who

Say = Callable[[str], None]

WRITTEN, REPLAYED, KEY_USED, FAILED, NOT_RUN = "written", "replayed", "key_used", "failed", "not_run"

# Requests in flight to one service at a time. The command API answers a request with an Idempotency-Key
# while holding one pooled connection (its advisory lock) and runs the command on a second one; a service's
# pool of 10 keeps about five for its listeners, relay and scorer, so five or more such requests at once
# can each hold one connection and wait forever for a second (seen with the members service). Four stay
# clear of that.
PER_SERVICE = 4


def default_urls() -> dict[str, str]:
    """The services' command APIs where `yizheng run` serves them."""
    from yizheng.serve import processes

    return {name: f"http://127.0.0.1:{spec.port}" for name, spec in processes().items() if spec.is_service}


@dataclass(frozen=True)
class Failure:
    step: int
    command: str
    lane: str
    status: int
    code: str
    message: str

    def __str__(self) -> str:
        return f"step {self.step} {self.command} ({self.lane}): {self.status} {self.code}: {self.message}"


@dataclass
class LoadReport:
    committee_id: str
    steps: int
    seconds: float = 0.0
    outcomes: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    failures: list[Failure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def rate(self) -> float:
        return self.steps / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        parts = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in sorted(self.outcomes.items()) if n)
        return f"{self.steps} commands in {self.seconds:.1f} s ({self.rate:.0f}/s): {parts}"


@dataclass
class LoadSummary:
    """What `ensure_loaded` hands to the welcome text."""

    committee_id: str
    tokens: dict[str, str]
    script: Script
    loaded_now: bool
    report: LoadReport | None = None

    @property
    def labels(self) -> dict[str, str]:
        return self.script.labels


class Progress:
    """A text progress bar, one line per tenth (the supervisor prefixes every line, so no carriage returns)."""

    def __init__(self, total: int, say: Say | None, label: str, width: int = 30) -> None:
        self.total = max(total, 1)
        self.say = say
        self.label = label
        self.width = width
        self.done = 0
        self.started = time.monotonic()
        self.shown = -1

    def advance(self, n: int = 1) -> None:
        self.done += n
        tenth = self.done * 10 // self.total
        if self.say is not None and tenth > self.shown:
            self.shown = tenth
            filled = self.done * self.width // self.total
            bar = "█" * filled + "░" * (self.width - filled)
            self.say(f"{self.label} {bar} {self.done * 100 // self.total:3d}%  {self.done}/{self.total} commands  "
                     f"{time.monotonic() - self.started:.0f} s")


class Loader:
    def __init__(self, urls: dict[str, str], *, concurrency: int = 8, per_service: int = PER_SERVICE,
                 wait_seconds: float = 60.0, client: httpx.AsyncClient | None = None, say: Say | None = None) -> None:
        self.urls = urls
        self.concurrency = concurrency
        self.per_service = per_service
        # At most this many requests in flight to one service: see PER_SERVICE.
        self._slots = {name: asyncio.Semaphore(per_service) for name in urls}
        self.wait_seconds = wait_seconds
        self._client = client
        self.say = say
        self._tokens: dict[tuple[str, Who], str] = {}

    def token(self, committee_id: str, who: Who) -> str:
        key = (committee_id, who)
        if key not in self._tokens:
            self._tokens[key] = who.token(committee_id)
        return self._tokens[key]

    async def __aenter__(self) -> Loader:
        if self._client is None:
            # Enough connections for every lane, and for every service's slots when many scripts share it.
            connections = max(self.concurrency * 2, self.per_service * len(self.urls))
            self._client = httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=10.0),
                                             limits=httpx.Limits(max_connections=connections))
            self._owns_client = True
        else:
            self._owns_client = False
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._owns_client and self._client is not None:
            await self._client.aclose()
            self._client = None

    @property
    def client(self) -> httpx.AsyncClient:
        assert self._client is not None, "use the loader as `async with Loader(...) as loader`"
        return self._client

    # ---- one step --------------------------------------------------------------------------------------

    async def execute(self, script: Script, step: Step, results: dict[int, dict[str, Any]], *,
                      wait: bool = True) -> tuple[str, Failure | None]:
        if any(r.step not in results for r in step.refs()):
            # The step it takes a value from answered "done before" with no answer to read (an earlier
            # day's script): this one was done before too.
            return KEY_USED, None
        body = {k: (results[v.step][v.key] if isinstance(v, Ref) else v) for k, v in step.body.items()}
        if step.route is not None:
            return await self.execute_route(script, step, body, results)
        url = f"{self.urls[step.service]}/commands/{step.command}"
        headers = {"Authorization": f"Bearer {self.token(script.committee_id, step.who)}",
                   "Idempotency-Key": script.idempotency_key(step)}
        deadline = time.monotonic() + self.wait_seconds
        delay = 0.05
        attempt = 0
        while True:
            attempt += 1
            try:
                async with self._slots[step.service]:
                    response = await self.client.post(url, json=body, headers=headers)
            except httpx.TransportError as err:
                if attempt >= 6:
                    return FAILED, Failure(step.index, step.command, step.lane, 0, "transport", str(err))
                await asyncio.sleep(delay)  # the service is restarting or overloaded: back off and retry
                delay = min(delay * 2, 2.0)
                continue
            if response.status_code == 200:
                answer = response.json()
                results[step.index] = answer.get("result") or {}
                return (REPLAYED if response.headers.get("idempotent-replay") == "true" else WRITTEN), None
            error = _error(response)
            code = error.get("code", "")
            if code == "idempotency_key_reused":
                # Done before, from a script of another day (its dates differ): nothing to write.
                return KEY_USED, None
            retryable = response.status_code == 409 or response.status_code >= 500
            waiting = wait and code in step.retry_on and time.monotonic() < deadline
            if (retryable and attempt < 6) or waiting:
                await asyncio.sleep(delay)  # a conflict, or a fact another process has not written yet
                delay = min(delay * 2, 2.0)
                continue
            return FAILED, Failure(step.index, step.command, step.lane, response.status_code, code,
                                   str(error.get("message", response.text[:200])))

    async def execute_route(self, script: Script, step: Step, body: dict[str, Any],
                            results: dict[int, dict[str, Any]]) -> tuple[str, Failure | None]:
        """A step on one of the service's own routes (`Step.route`, `yizheng.demo.script`). These keep no idempotency
        record, so "done before" is the service's own refusal (`DONE_BEFORE`): the slips were issued or the
        ticket drawn by an earlier load — whose answer is gone, so the ballots and
        the anonymous responses that would use it are done before too (they take a `Ref` to it). A ballot or
        a response goes with no Authorization header: its signature, or its ticket, is its authorization."""
        assert step.route is not None
        url = f"{self.urls[step.service]}{step.route}"
        token: str | None = self.token(script.committee_id, step.who)
        payload: dict[str, Any] | None = None
        if step.command == CAST_BALLOT:
            token, payload = None, signed_ballot(script.committee_id, body)
        elif step.command == ANSWER_ANONYMOUSLY:
            token, payload = None, {"ticket": body["ticket"], "answers": body["answers"]}
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        delay = 0.05
        for attempt in range(1, 7):
            try:
                async with self._slots[step.service]:
                    response = await self.client.post(url, json=payload, headers=headers)
            except httpx.TransportError as err:
                if attempt >= 6:
                    return FAILED, Failure(step.index, step.command, step.lane, 0, "transport", str(err))
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
                continue
            if response.status_code == 200:
                answer = response.json()
                if step.command == ISSUE_CREDENTIALS:
                    results[step.index] = {f"slip-{i}": slip for i, slip in enumerate(answer["slips"])}
                elif step.command == DRAW_TICKET:
                    results[step.index] = {"ticket": answer["ticket"]}
                else:
                    results[step.index] = {}
                return WRITTEN, None
            error = _error(response)
            code = str(error.get("code", ""))
            if code in DONE_BEFORE:
                return KEY_USED, None
            if response.status_code >= 500 and attempt < 6:
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
                continue
            return FAILED, Failure(step.index, step.command, step.lane, response.status_code, code,
                                   str(error.get("message", response.text[:200])))
        return FAILED, Failure(step.index, step.command, step.lane, 0, "retries", "no answer after 6 attempts")

    # ---- a whole script --------------------------------------------------------------------------------

    async def run(self, script: Script, *, steps: Sequence[Step] | None = None, label: str = "") -> LoadReport:
        todo = list(script.steps if steps is None else steps)
        report = LoadReport(script.committee_id, len(todo))
        progress = Progress(len(todo), self.say, label or f"loading {script.committee_id}")
        results: dict[int, dict[str, Any]] = {}
        started = time.monotonic()
        for phase in sorted({s.phase for s in todo}):
            lanes: dict[str, list[Step]] = defaultdict(list)
            for s in todo:
                if s.phase == phase:
                    lanes[s.lane].append(s)
            queue: asyncio.Queue[list[Step]] = asyncio.Queue()
            for lane in sorted(lanes.values(), key=lambda ss: (-len(ss), ss[0].index)):
                queue.put_nowait(lane)

            async def worker(queue: asyncio.Queue[list[Step]]) -> None:
                while True:
                    try:
                        lane_steps = queue.get_nowait()
                    except asyncio.QueueEmpty:
                        return
                    for i, s in enumerate(lane_steps):
                        outcome, failure = await self.execute(script, s, results)
                        report.outcomes[outcome] += 1
                        progress.advance()
                        if failure is not None:
                            report.failures.append(failure)
                            rest = len(lane_steps) - i - 1
                            report.outcomes[NOT_RUN] += rest
                            progress.advance(rest)
                            break

            await asyncio.gather(*(worker(queue) for _ in range(self.concurrency)))
        report.seconds = time.monotonic() - started
        return report

    async def probe(self, script: Script, step: Step) -> str:
        """Run one step once (no waiting): WRITTEN, REPLAYED, KEY_USED or FAILED."""
        outcome, _ = await self.execute(script, step, {}, wait=False)
        return outcome


# A route step's refusals that mean an earlier load did it (see `Loader.execute_route`): the slips were issued,
# the ticket drawn, or the questionnaire already closed by the script's own later step (the service checks that
# before the ticket).
DONE_BEFORE = frozenset({"credentials_issued", "ticket_already_drawn", "questionnaire_closed"})


def signed_ballot(committee_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """What a rater's device sends for a ballot step: the ballot, signed with the slip's code (the canonical
    form is `contracts.surveys.appraisal_board`; the signing is the service's own `credentials.sign`)."""
    from contracts.surveys.appraisal_board import Ballot, CastBallot
    from surveys.appraisal.credentials import sign

    slip = body["slip"]
    ballot = Ballot(committee_id=committee_id, appraisal_id=body["appraisal_id"], credential=slip["public_key"],
                    marks=body["marks"])
    return CastBallot(ballot=ballot, signature=sign(slip["code"], ballot)).model_dump(mode="json")


def _error(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {"code": f"http_{response.status_code}", "message": response.text[:200]}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {"code": f"http_{response.status_code}", "message": str(body)[:200]}


async def load(script: Script, urls: dict[str, str] | None = None, *, concurrency: int = 8,
               wait_seconds: float = 60.0, say: Say | None = None,
               client: httpx.AsyncClient | None = None) -> LoadReport:
    """Execute every step of `script` (idempotently) against the services at `urls`."""
    async with Loader(urls or default_urls(), concurrency=concurrency, wait_seconds=wait_seconds, client=client,
                      say=say) as loader:
        return await loader.run(script)


async def ensure_script_loaded(script: Script, urls: dict[str, str] | None = None, *, concurrency: int = 8,
                               say: Say | None = None, client: httpx.AsyncClient | None = None) -> LoadSummary:
    """Load `script` unless its committee has it already. The first step (publishing the year's rulebook)
    and the last one are tried first: both answering as replays (or as keys used by an earlier day's
    script) mean a complete earlier load; otherwise every step runs, each written once whatever happened
    before (an interrupted load resumes)."""
    async with Loader(urls or default_urls(), concurrency=concurrency, client=client, say=say) as loader:
        return await ensure_with(loader, script, say=say)


async def ensure_with(loader: Loader, script: Script, *, say: Say | None = None) -> LoadSummary:
    """`ensure_script_loaded` on a loader already open, which may be loading other committees' scripts at
    the same time (they share its per-service slots)."""
    tell = say or (lambda _line: None)
    done_before = (REPLAYED, KEY_USED)
    first = await loader.probe(script, script.steps[0])
    if first in done_before and await loader.probe(script, script.steps[-1]) in done_before:
        tell(f"{script.committee_id}: the demo county is loaded already")
        return LoadSummary(script.committee_id, script.tokens(), script, loaded_now=False)
    if first in done_before:
        tell(f"{script.committee_id}: an earlier load stopped part-way; completing it")
    else:
        e = script.expected
        tell(f"{script.committee_id}: loading the demo county for {script.year} — {e.counts['members']} members, "
             f"{e.counts['units']} handling units, {e.counts['proposals']} proposals, {e.counts['reports']} "
             f"public-opinion reports, {e.counts['visits']} visits, {e.counts['meetings']} meetings "
             f"({len(script.steps)} commands through the services' APIs)")
    report = await loader.run(script, steps=script.steps[1:])
    tell(f"{script.committee_id}: {report.summary()}")
    for failure in report.failures[:10]:
        tell(f"  failed: {failure}")
    if len(report.failures) > 10:
        tell(f"  … and {len(report.failures) - 10} more failures")
    return LoadSummary(script.committee_id, script.tokens(), script, loaded_now=True, report=report)


async def ensure_loaded(database_url: str, *, say: Say | None = None, seed: int = DEFAULT_SEED,
                        committee_id: str = DEFAULT_COMMITTEE, size: Size | None = None,
                        urls: dict[str, str] | None = None, now: datetime | None = None) -> LoadSummary:
    """What `yizheng run` calls once every process answers: the demo county, loaded if it is not there yet.

    `database_url` is the platform's database; the county is written only through the services' command
    APIs (at `urls`, by default where `yizheng run` serves them), never into tables."""
    del database_url  # every write goes through the command APIs
    script = generate(seed, now=now or datetime.now(UTC), size=size, committee_id=committee_id)
    return await ensure_script_loaded(script, urls, say=say)
