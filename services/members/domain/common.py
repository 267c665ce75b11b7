"""Rules every members decider shares. A decider gets the kernel's `Issued` (`eventstore.issued`): the
command, who issues it (role, member, committee), when (`now`, `today` in China), and the registered
members the command names, looked up by the handler (`issued.members`, `contracts.members.MemberView`).

Every refusal about a field of the command names it (`DomainError.fields`, dotted paths as a 400's)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from contracts.envelope import Role
from contracts.roles import OFFICE_OR_ADMIN
from eventstore.errors import DomainError, NotAuthorized
from eventstore.issued import Issued, require_role

# Office staff and admin keep the registry and the office's records (members, units, organizations,
# meetings, duty records, rulebooks, roster imports).
REGISTRY_KEEPERS = OFFICE_OR_ADMIN


def require_office(issued: Issued[Any], what: str) -> None:
    require_role(issued, REGISTRY_KEEPERS, what)


def require_self_or_office(issued: Issued[Any], member_id: str, what: str) -> None:
    if issued.role in REGISTRY_KEEPERS:
        return
    if issued.role is Role.member and issued.actor.member_id == member_id:
        return
    raise NotAuthorized(f"{what} is for the member themself or office staff")


def require_active_members(issued: Issued[Any], member_ids: Iterable[str], field: str) -> None:
    """Every member named in `field` is registered in this committee and active."""
    ids = list(member_ids)
    unknown = [m for m in ids if m not in issued.members]
    if unknown:
        raise DomainError("unknown_member", f"no such member in this committee: {', '.join(unknown)}",
                          fields=[field], member_ids=unknown)
    inactive = [m for m in ids if not issued.members[m].active]
    if inactive:
        raise DomainError("member_not_active", f"not an active member: {', '.join(inactive)}", fields=[field],
                          member_ids=inactive)


def require_joined_by(issued: Issued[Any], member_ids: Iterable[str], day: date, date_field: str,
                      member_field: str) -> None:
    """What a member did on `day` counts only if they had joined by then: refuse a record dated before a
    named member joined (`date_before_joining`, naming the date and the member)."""
    early = [m for m in member_ids if m in issued.members and issued.members[m].joined_after(day)]
    if early:
        joined = ", ".join(f"{m} joined on {issued.members[m].joined_on}" for m in early)
        raise DomainError("date_before_joining", f"{date_field} {day} is before the member joined ({joined})",
                          fields=[date_field, member_field], member_ids=early)


def require_not_future(issued: Issued[Any], day: date, field: str, what: str) -> None:
    if day > issued.today:
        raise DomainError("date_in_future", f"{what} is recorded once it has happened ({field} {day} is after "
                          f"today, {issued.today})", fields=[field])


def no_duplicates(ids: Iterable[str], what: str, field: str) -> list[str]:
    ids = list(ids)
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise DomainError("duplicate_ids", f"{what} named twice: {', '.join(repeated)}", fields=[field])
    return ids
