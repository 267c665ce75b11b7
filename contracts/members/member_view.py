"""What any service may know of a member, from the registry's public events: enough for a decider to check
that a member named by a command exists, is active, holds the role the command needs, and had joined by
the date of what the command records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from contracts.members.enums import ChairRole, MemberStatus, Sector


@dataclass(frozen=True)
class MemberView:
    member_id: str
    status: MemberStatus
    sector: Sector
    chair_role: ChairRole | None
    standing_committee: bool
    township_id: str | None
    # The day the member joined the committee (`member-registered`'s `joined_on`); None: not known.
    joined_on: date | None = None

    @property
    def active(self) -> bool:
        return self.status is MemberStatus.active

    def joined_after(self, day: date) -> bool:
        """The member joined after `day` (so nothing they did on `day` was done as a member)."""
        return self.joined_on is not None and day < self.joined_on
