"""The proposals service's own record of the members service's registry: which members (with their status and
chair-meeting role), handling units and organizations each committee has, from the registry events on the
members service's internal topic (the `registry` consumer) — never from the members service's tables.

Commands that name a unit, a co-signer, a supervising leader or an organization are refused when the record
does not have it (`unknown_unit`, `unknown_member`, `unknown_leader`, `unknown_organization`, or
`member_not_active`), naming the fields and the ids. The check is made inside the command's transaction.

The record lags the registry by the members relay, Kafka and this consumer (milliseconds to seconds), so a
command refused for an id the record does not have waits, bounded (`registry_wait_seconds`, 2 s), for it to
arrive and is run once more: a unit registered a moment ago is found, every client (the gateway, the demo
loader) is served alike, and only an id still unknown after the wait costs the wait.

The checks apply only when the service is configured with the consumer (`registry_checks` in its options:
`yizheng serve` and the test platform set it). A proposals service run alone, without Kafka or the members
service (its own test suite, the command-API fuzzing, the contract tests), has no registry to check against."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from contracts.members.enums import MemberStatus
from contracts.members.member import MemberRegistered, MemberStatusChanged, MemberUpdated
from contracts.members.organization import OrganizationRegistered, UnitRegistered
from contracts.proposals import NotAcceptedConversion
from contracts.proposals import commands as c
from eventstore.consumer import Delivered
from eventstore.db import quote_ident
from eventstore.errors import DomainError
from eventstore.service import ServiceRuntime
from proposals.domain.refusals import refuse

NAME = "registry"
TYPES = frozenset({MemberRegistered.event_type, MemberUpdated.event_type, MemberStatusChanged.event_type,
                   UnitRegistered.event_type, OrganizationRegistered.event_type})

# Settings the runtime may pass in `HostConfig.options`.
REGISTRY_CHECKS = "registry_checks"  # True where the `registry` consumer runs
REGISTRY_WAIT_SECONDS = "registry_wait_seconds"  # how long a command waits for an id it names (default 2)

UNIT, MEMBER, LEADER, ORGANIZATION = "unit", "member", "leader", "organization"
# The rules the checks refuse by.
RULES = frozenset({f"unknown_{kind}" for kind in (UNIT, MEMBER, LEADER, ORGANIZATION)} | {"member_not_active"})


@dataclass(frozen=True)
class Named:
    """Ids one field of a command names, and what they must be."""

    kind: str  # UNIT, MEMBER (an active member), LEADER (an active chair-meeting member), ORGANIZATION
    field: str
    ids: tuple[str, ...]


def named(cmd: object) -> list[Named]:
    """What a command names that the registry must know."""
    out: list[Named] = []

    def add(kind: str, field: str, ids: Sequence[str | None]) -> None:
        present = tuple(i for i in ids if i)
        if present:
            out.append(Named(kind, field, present))

    if isinstance(cmd, c.AssignProposal):
        add(UNIT, "lead_unit_id", [cmd.lead_unit_id])
        add(UNIT, "co_unit_ids", cmd.co_unit_ids)
        add(UNIT, "unit_ids", cmd.unit_ids)
    elif isinstance(cmd, c.GrantReassignment):
        add(UNIT, "new_unit_id", [cmd.new_unit_id])  # the unit it leaves is on the slip already
    elif isinstance(cmd, c.NotAcceptProposal) and cmd.converted_to is NotAcceptedConversion.opinion_letter:
        add(UNIT, "unit_id", [cmd.unit_id])
    elif isinstance(cmd, c.DraftProposal):
        add(MEMBER, "cosigner_member_ids", cmd.cosigner_member_ids)
        add(ORGANIZATION, "organization_id", [cmd.organization_id])
    elif isinstance(cmd, c.DesignateKeyProposal):
        add(LEADER, "supervising_leaders", cmd.supervising_leaders)
    return out


@dataclass(frozen=True)
class Known:
    """What the record has of the ids a command names."""

    units: frozenset[str]
    organizations: frozenset[str]
    members: Mapping[str, tuple[MemberStatus, bool]]  # id -> (status, in the chair meeting)


_WHAT = {UNIT: "handling unit", MEMBER: "member", LEADER: "member", ORGANIZATION: "organization"}


def refusal(wanted: Sequence[Named], known: Known) -> DomainError | None:
    """The refusal for the first kind of id the record does not have (naming every field of that kind and its
    ids), else for a member or leader no longer serving; None when everything named is known."""
    inactive: dict[str, list[str]] = {}
    for kind in (UNIT, MEMBER, LEADER, ORGANIZATION):
        missing: dict[str, list[str]] = {}
        for n in (n for n in wanted if n.kind == kind):
            for i in n.ids:
                if kind in (UNIT, ORGANIZATION):
                    if i not in (known.units if kind == UNIT else known.organizations):
                        missing.setdefault(n.field, []).append(i)
                else:
                    member = known.members.get(i)
                    if member is None or (kind == LEADER and not member[1]):
                        missing.setdefault(n.field, []).append(i)
                    elif member[0] is not MemberStatus.active:
                        inactive.setdefault(n.field, []).append(i)
        if missing:
            ids = sorted({i for found in missing.values() for i in found})
            listed = "; ".join(f"{field}: {', '.join(found)}" for field, found in missing.items())
            if kind == LEADER:
                message = f"no chair-meeting member (主席会议成员) is registered as {listed}"
            else:
                message = f"no {_WHAT[kind]} is registered as {listed}"
            return refuse(f"unknown_{kind}", message, fields=list(missing), ids=ids, by_field=missing)
    if inactive:
        listed = "; ".join(f"{field}: {', '.join(found)}" for field, found in inactive.items())
        return refuse("member_not_active", f"no longer serving as a member: {listed}", fields=list(inactive),
                      ids=sorted({i for found in inactive.values() for i in found}), by_field=inactive)
    return None


class Registry:
    """The projection (the `registry` consumer's) and the reads the checks make of it."""

    name = NAME

    def __init__(self, schema: str) -> None:
        self.s = quote_ident(schema)

    async def setup(self, conn: asyncpg.Connection) -> None:
        await conn.execute(f"""
            CREATE TABLE IF NOT EXISTS {self.s}.registry_members (
                committee_id text NOT NULL, member_id text NOT NULL, status text NOT NULL,
                chair_role text, PRIMARY KEY (committee_id, member_id));
            CREATE TABLE IF NOT EXISTS {self.s}.registry_units (
                committee_id text NOT NULL, unit_id text NOT NULL, name text NOT NULL,
                PRIMARY KEY (committee_id, unit_id));
            CREATE TABLE IF NOT EXISTS {self.s}.registry_organizations (
                committee_id text NOT NULL, organization_id text NOT NULL, name text NOT NULL,
                PRIMARY KEY (committee_id, organization_id));""")

    async def reset(self, conn: asyncpg.Connection) -> None:
        await conn.execute(f"TRUNCATE {self.s}.registry_members, {self.s}.registry_units, "
                           f"{self.s}.registry_organizations")

    async def apply(self, conn: asyncpg.Connection, delivered: Delivered) -> None:
        committee, e = delivered.envelope.committee_id, delivered.event
        if isinstance(e, MemberRegistered):
            # Registered again under the same id (a re-import): the registry's latest word stands.
            await conn.execute(
                f"INSERT INTO {self.s}.registry_members VALUES ($1, $2, $3, $4) ON CONFLICT (committee_id, member_id) "
                "DO UPDATE SET chair_role = excluded.chair_role", committee, e.member_id, MemberStatus.active.value,
                e.chair_role.value if e.chair_role else None)
        elif isinstance(e, MemberUpdated) and "chair_role" in e.changed:
            await conn.execute(f"UPDATE {self.s}.registry_members SET chair_role = $3 WHERE committee_id = $1 "
                               "AND member_id = $2", committee, e.member_id,
                               e.chair_role.value if e.chair_role else None)
        elif isinstance(e, MemberStatusChanged):
            await conn.execute(f"UPDATE {self.s}.registry_members SET status = $3 WHERE committee_id = $1 "
                               "AND member_id = $2", committee, e.member_id, e.status.value)
        elif isinstance(e, UnitRegistered):
            await conn.execute(f"INSERT INTO {self.s}.registry_units VALUES ($1, $2, $3) ON CONFLICT "
                               "(committee_id, unit_id) DO UPDATE SET name = excluded.name", committee, e.unit_id,
                               e.name)
        elif isinstance(e, OrganizationRegistered):
            await conn.execute(f"INSERT INTO {self.s}.registry_organizations VALUES ($1, $2, $3) ON CONFLICT "
                               "(committee_id, organization_id) DO UPDATE SET name = excluded.name", committee,
                               e.organization_id, e.name)

    async def known(self, conn: asyncpg.Connection | asyncpg.Pool, committee: str, wanted: Sequence[Named]) -> Known:
        def ids(*kinds: str) -> list[str]:
            return sorted({i for n in wanted if n.kind in kinds for i in n.ids})

        units = await conn.fetch(f"SELECT unit_id FROM {self.s}.registry_units WHERE committee_id = $1 "
                                 "AND unit_id = ANY($2::text[])", committee, ids(UNIT)) if ids(UNIT) else []
        orgs = await conn.fetch(f"SELECT organization_id FROM {self.s}.registry_organizations WHERE committee_id = $1 "
                                "AND organization_id = ANY($2::text[])", committee,
                                ids(ORGANIZATION)) if ids(ORGANIZATION) else []
        members = await conn.fetch(f"SELECT member_id, status, chair_role FROM {self.s}.registry_members "
                                   "WHERE committee_id = $1 AND member_id = ANY($2::text[])", committee,
                                   ids(MEMBER, LEADER)) if ids(MEMBER, LEADER) else []
        return Known(frozenset(r["unit_id"] for r in units), frozenset(r["organization_id"] for r in orgs),
                     {r["member_id"]: (MemberStatus(r["status"]), r["chair_role"] is not None) for r in members})


class RegistryChecks:
    """The checks a command's handler makes: wait (bounded) for what it names, then refuse inside its
    transaction what the record still does not have."""

    def __init__(self, registry: Registry, pool: asyncpg.Pool, wait_seconds: float) -> None:
        self.registry = registry
        self.pool = pool
        self.wait_seconds = wait_seconds

    @classmethod
    def of(cls, runtime: ServiceRuntime) -> RegistryChecks | None:
        """The service's checks, or None where it runs without the registry consumer."""
        options: Mapping[str, Any] = runtime.options
        if not options.get(REGISTRY_CHECKS):
            return None
        return cls(Registry(runtime.schema), runtime.pool, float(options.get(REGISTRY_WAIT_SECONDS, 2.0)))

    async def wait_known(self, committee: str, wanted: Sequence[Named]) -> bool:
        """Whether the record came to have what `wanted` names within the wait. Outside the command's
        transaction: one held open would hold back every reader of the store."""
        deadline = time.monotonic() + self.wait_seconds
        interval = 0.01
        while refusal(wanted, await self.registry.known(self.pool, committee, wanted)) is not None:
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(min(interval, max(deadline - time.monotonic(), 0.0)))
            interval = min(interval * 2, 0.2)
        return True

    async def refuse_unknown(self, conn: asyncpg.Connection, committee: str, wanted: Sequence[Named]) -> None:
        error = refusal(wanted, await self.registry.known(conn, committee, wanted))
        if error is not None:
            raise error
