"""What every decider gets besides its state: who asks (role, member, committee), when, and the facts the
handler looked up for it (e.g. the members a meeting invites)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Generic, TypeVar

from pydantic import BaseModel

from contracts.envelope import Actor, Role
from contracts.members.enums import ChairRole, MemberStatus, Sector
from eventstore.errors import DomainError, NotAuthorized
from members.scoring.facts import local_date

B = TypeVar("B", bound=BaseModel)

OFFICE = frozenset({Role.office_staff, Role.admin})


@dataclass(frozen=True)
class MemberView:
    """What other aggregates need to know of a member."""

    member_id: str
    status: MemberStatus
    sector: Sector
    chair_role: ChairRole | None
    standing_committee: bool
    township_id: str | None

    @property
    def active(self) -> bool:
        return self.status is MemberStatus.active


@dataclass(frozen=True)
class Command(Generic[B]):
    body: B
    actor: Actor
    committee_id: str
    now: datetime
    members: Mapping[str, MemberView] = field(default_factory=dict)

    @property
    def today(self) -> date:
        return local_date(self.now)


def require_office(cmd: Command[B], what: str) -> None:
    if cmd.actor.role not in OFFICE:
        raise NotAuthorized(f"only office staff may {what}")


def require_self_or_office(cmd: Command[B], member_id: str, what: str) -> None:
    if cmd.actor.role in OFFICE:
        return
    if cmd.actor.role is Role.member and cmd.actor.member_id == member_id:
        return
    raise NotAuthorized(f"only the member themself or office staff may {what}")


def require_active_members(cmd: Command[B], member_ids: Iterable[str]) -> None:
    ids = list(member_ids)
    unknown = [m for m in ids if m not in cmd.members]
    if unknown:
        raise DomainError("unknown_member", f"no such member in this committee: {', '.join(unknown)}",
                          member_ids=unknown)
    inactive = [m for m in ids if not cmd.members[m].active]
    if inactive:
        raise DomainError("member_not_active", f"not an active member: {', '.join(inactive)}", member_ids=inactive)


def require_new(exists: bool, rule: str, what: str) -> None:
    if exists:
        raise DomainError(rule, f"{what} already exists")


def no_duplicates(ids: Iterable[str], what: str) -> list[str]:
    ids = list(ids)
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise DomainError("duplicate_ids", f"{what} named twice: {', '.join(repeated)}")
    return ids


def require_office_role(actor: Actor, what: str) -> None:
    if actor.role not in OFFICE:
        raise NotAuthorized(f"only office staff may {what}")
