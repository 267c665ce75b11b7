"""The soak's clients: the demo loader's lanes (each a client issuing its county's commands in order), with a
retry policy for a platform under chaos, and readers of the gateway. A command whose attempt got no answer, a
503 or a 409 `request_in_progress` is sent again with the same idempotency key until `give_up_seconds`; every
attempt is recorded (`records.CommandRecord`), so the checks know which commands were retried after a crash."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from yizheng.demo.load import FAILED, KEY_USED, NOT_RUN, REPLAYED, WRITTEN, Failure, Loader, _error
from yizheng.demo.script import Ref, Script, Step
from yizheng.soak.records import ACCEPTED, GAVE_UP, REFUSED, TRANSPORT, Attempt, CommandRecord

STOPPED = "stopped"  # the soak's time was up before this step


class SoakLoader(Loader):
    def __init__(self, urls: dict[str, str], *, deadline: float, give_up_seconds: float = 240.0,
                 **kwargs: Any) -> None:
        super().__init__(urls, **kwargs)
        self.deadline = deadline  # time.monotonic() after which no new step starts
        self.give_up_seconds = give_up_seconds
        self.records: list[CommandRecord] = []
        self.route_attempts: list[Attempt] = []

    async def execute(self, script: Script, step: Step, results: dict[int, dict[str, Any]], *,
                      wait: bool = True) -> tuple[str, Failure | None]:
        if time.monotonic() > self.deadline:
            return STOPPED, None
        if any(r.step not in results for r in step.refs()):
            return KEY_USED, None
        if step.route is not None:
            return await self._route(script, step, results)
        body = {k: (results[v.step][v.key] if isinstance(v, Ref) else v) for k, v in step.body.items()}
        key = script.idempotency_key(step)
        record = CommandRecord(script.committee_id, key, step.service, step.command)
        self.records.append(record)
        url = f"{self.urls[step.service]}/commands/{step.command}"
        headers = {"Authorization": f"Bearer {self.token(script.committee_id, step.who)}", "Idempotency-Key": key}
        give_up = time.monotonic() + self.give_up_seconds
        wait_until = time.monotonic() + self.wait_seconds
        delay = 0.1
        while True:
            try:
                async with self._slots[step.service]:
                    response = await self.client.post(url, json=body, headers=headers)
            except httpx.TransportError as err:
                record.attempts.append(Attempt(TRANSPORT))
                record.code = f"transport: {type(err).__name__}"
            else:
                record.attempts.append(Attempt(response.status_code, "retry-after" in response.headers))
                if response.status_code == 200:
                    answer = response.json()
                    result = answer.get("result") or {}
                    if answer.get("recovered"):
                        # The first attempt committed and died before answering: its `result` was lost with it.
                        # A lane that needs it (a later step's Ref) cannot go on; the command itself acted once.
                        result = None
                    if result is not None:
                        results[step.index] = result
                    record.outcome, record.event_ids = ACCEPTED, [str(i) for i in answer.get("event_ids", [])]
                    record.replayed = response.headers.get("idempotent-replay") == "true"
                    return (REPLAYED if record.replayed else WRITTEN), None
                error = _error(response)
                code = str(error.get("code", ""))
                record.code = code
                if code == "idempotency_key_reused":
                    record.outcome = REFUSED
                    return KEY_USED, None
                retryable = response.status_code in (409, 503) or response.status_code >= 500
                waiting = wait and code in step.retry_on and time.monotonic() < wait_until
                if not (retryable or waiting):
                    record.outcome = REFUSED
                    return FAILED, Failure(step.index, step.command, step.lane, response.status_code, code,
                                           str(error.get("message", ""))[:200])
            if time.monotonic() > give_up:
                record.outcome = GAVE_UP
                return FAILED, Failure(step.index, step.command, step.lane, record.attempts[-1].status, record.code,
                                       f"no answer in {self.give_up_seconds:.0f} s")
            await asyncio.sleep(delay)  # the process is restarting: back off, then the same key again
            delay = min(delay * 2, 2.0)

    async def _route(self, script: Script, step: Step,
                     results: dict[int, dict[str, Any]]) -> tuple[str, Failure | None]:
        """A route step (slips, ballots, tickets): the demo loader's own retries, repeated while the platform is
        restarting; a repeat that the service answers as done before counts as done."""
        give_up = time.monotonic() + self.give_up_seconds
        while True:
            body = {k: (results[v.step][v.key] if isinstance(v, Ref) else v) for k, v in step.body.items()}
            outcome, failure = await self.execute_route(script, step, body, results)
            if failure is None or not (failure.status == TRANSPORT or failure.status >= 500):
                if failure is not None and failure.status >= 500:
                    self.route_attempts.append(Attempt(failure.status))
                return outcome, failure
            self.route_attempts.append(Attempt(failure.status))
            if time.monotonic() > give_up:
                return outcome, failure
            await asyncio.sleep(1.0)  # a back-off between rounds of retries while a process restarts


class GatewayReader:
    """Clients of the gateway: each asks the oversight figures of its county again and again and records every
    status it gets (a connection refused while the gateway restarts is expected; a 500 is not)."""

    QUERY = "query($y: Int!) { oversight(year: $y) { overall { assigned replied } overdueByUnit { unitId count } } }"

    def __init__(self, url: str, scripts: list[Script], clients: int = 2) -> None:
        self.url = f"{url}/graphql"
        self.scripts = scripts
        self.clients = clients
        self.attempts: list[Attempt] = []
        self.errors: list[str] = []

    async def run(self, stop: asyncio.Event) -> None:
        async with httpx.AsyncClient(timeout=30) as client:
            await asyncio.gather(*(self._one(client, self.scripts[i % len(self.scripts)], stop)
                                   for i in range(self.clients)))

    async def _one(self, client: httpx.AsyncClient, script: Script, stop: asyncio.Event) -> None:
        headers = {"Authorization": f"Bearer {script.tokens()['office']}"}
        while not stop.is_set():
            try:
                response = await client.post(self.url, json={"query": self.QUERY, "variables": {"y": script.year}},
                                             headers=headers)
            except httpx.TransportError:
                self.attempts.append(Attempt(TRANSPORT))
            else:
                self.attempts.append(Attempt(response.status_code, "retry-after" in response.headers))
                if response.status_code >= 500 and len(self.errors) < 20:
                    self.errors.append(f"{response.status_code}: {response.text[:300]}")
            with_timeout = asyncio.create_task(stop.wait())
            await asyncio.wait([with_timeout], timeout=0.5)  # a reader's pace, not a consistency wait
            with_timeout.cancel()


__all__ = ["NOT_RUN", "STOPPED", "GatewayReader", "SoakLoader"]
