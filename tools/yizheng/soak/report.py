"""The soak's result: the counts, the one line it prints, and its JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from yizheng.soak.records import Tally


@dataclass
class SoakReport:
    tally: Tally
    kills: int
    restarts: int  # PostgreSQL and Kafka
    process_restarts: int  # by the supervisor
    mismatched: dict[str, int]
    verify_ok: bool
    seconds: float
    chaos: list[str] = field(default_factory=list)
    reader_requests: int = 0
    reader_server_errors: int = 0
    route_server_errors: int = 0
    rebuilt_from: int = 0
    view_rows: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def mismatched_rows(self) -> int:
        return sum(self.mismatched.values())

    @property
    def server_errors(self) -> int:
        return self.tally.server_errors + self.reader_server_errors + self.route_server_errors

    @property
    def ok(self) -> bool:
        t = self.tally
        return (t.lost == 0 and t.duplicated == 0 and self.mismatched_rows == 0 and self.verify_ok
                and self.server_errors == 0 and t.acted_once_after_crash == t.retried_after_crash)

    def line(self) -> str:
        t = self.tally
        return (f"commands={t.commands} kills={self.kills} restarts={self.restarts} lost={t.lost} "
                f"duplicated={t.duplicated} mismatched_rows={self.mismatched_rows}")

    def details(self) -> list[str]:
        t = self.tally
        return [
            f"accepted {t.accepted}, refused {t.refused}, gave up {t.gave_up}; {t.store_events} events in the stores",
            f"retried with their idempotency key after a first attempt of unknown fate: {t.retried_after_crash}, "
            f"acted once: {t.acted_once_after_crash}",
            f"server errors (5xx other than 503 with Retry-After): {self.server_errors} "
            f"(commands {t.server_errors}, gateway readers {self.reader_server_errors} of {self.reader_requests} "
            f"requests, routes {self.route_server_errors})"
            + "".join(f"; {kind} ×{n}" for kind, n in t.server_error_kinds.most_common(5)),
            f"views: {self.view_rows} rows, rebuilt from {self.rebuilt_from} events; "
            f"mismatched: {self.mismatched or 0}",
            f"verify: {'passed' if self.verify_ok else 'FAILED'}; processes restarted by the supervisor: "
            f"{self.process_restarts}; {self.seconds:.0f} s",
        ]

    def as_json(self) -> dict[str, Any]:
        tally = asdict(self.tally)
        tally["refusals"] = dict(self.tally.refusals)
        tally["server_error_kinds"] = dict(self.tally.server_error_kinds)
        return {"line": self.line(), "ok": self.ok, "tally": tally, "lost": self.tally.lost,
                "duplicated": self.tally.duplicated, "kills": self.kills, "restarts": self.restarts,
                "process_restarts": self.process_restarts, "mismatched": self.mismatched,
                "mismatched_rows": self.mismatched_rows, "verify_ok": self.verify_ok,
                "server_errors": self.server_errors, "seconds": self.seconds, "chaos": self.chaos,
                "reader_requests": self.reader_requests, "notes": self.notes}
