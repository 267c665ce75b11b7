"""`python -m members.roster_cli roster.xlsx --committee county-a`: the roster import from a shell — the
same import handler as the HTTP API (every row in one transaction), on the service built by the runtime (no
Kafka needed: the events wait in the store for the relay). Prints the per-row report; exits 1 if any row was refused."""

from __future__ import annotations

import argparse
import json
import sys

from contracts.envelope import Actor, Role
from eventstore.store import CommandContext
from members.handlers import import_file, stage_member
from members.roster_import import ROSTER
from members.service import DEFINITION
from runtime import event_loop
from runtime.service_host import HostConfig, build_service


async def _main(path: str, content: bytes, committee: str, dsn: str, schema: str, actor: str) -> int:
    host = await build_service(DEFINITION, HostConfig(dsn=dsn, schema=schema, run_workers=False, pool_max_size=2))
    try:
        await host.install()
        ctx = CommandContext(actor=Actor(id=actor, role=Role.office_staff), committee_id=committee)
        outcome = await import_file(host.parts, ROSTER, stage_member, path, content, ctx)
    finally:
        await host.stop()
    report = {k: v for k, v in outcome.result.items() if k != "events"}
    json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0 if report["refused"] == 0 else 1


def main(argv: list[str] | None = None) -> int:
    from runtime.settings import database_url

    parser = argparse.ArgumentParser(description="Import a member roster (CSV or XLSX), one command per row.")
    parser.add_argument("file")
    parser.add_argument("--committee", required=True)
    parser.add_argument("--dsn", default=None)
    parser.add_argument("--schema", default="members")
    parser.add_argument("--actor", default="roster-import", help="recorded as the office staff who imported")
    a = parser.parse_args(argv)
    with open(a.file, "rb") as fh:
        content = fh.read()
    return event_loop.run(_main(a.file, content, a.committee, a.dsn or database_url(), a.schema, a.actor))


if __name__ == "__main__":
    sys.exit(main())
