"""Registry events of a member (stream `member-{committee}-{member_id}`). Ids and public roles only:
phone, ID number and address stay in the members service's private table."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import Field

from contracts.members.enums import ChairRole, MemberStatus, Sector
from contracts.registry import DomainEvent, event_type, upcaster
from contracts.topics import MEMBERS

# Two-character surnames; every other Chinese name starts with a one-character surname.
COMPOUND_SURNAMES = frozenset({
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯",
    "轩辕", "令狐", "端木", "西门", "南宫", "独孤", "百里", "呼延", "万俟", "闻人", "澹台", "公冶", "太史",
    "申屠", "钟离", "宗政", "濮阳", "淳于", "单于", "仲孙", "赫连", "司空", "亓官", "司寇", "子车", "颛孙",
    "巫马", "公西", "漆雕", "乐正", "壤驷", "公良", "拓跋", "夹谷", "宰父", "谷梁", "段干", "东郭", "梁丘",
})


def family_name_of(name: str) -> str:
    """The surname (姓) of a Chinese name, for the registry's stroke/pinyin ordering."""
    name = name.strip()
    if len(name) > 2 and name[:2] in COMPOUND_SURNAMES:
        return name[:2]
    return name[:1]


@event_type("member-registered", version=2, topic=MEMBERS)
class MemberRegistered(DomainEvent):
    """A member joins the committee's registry. v2 added `family_name` (lists are ordered by surname) and
    `township_id` (the township liaison group, 乡镇政协联络组)."""

    member_id: str = Field(min_length=1)
    name: str = Field(min_length=1, max_length=40)
    family_name: str = Field(min_length=1, max_length=4)
    sector: Sector
    township_id: str | None = None
    special_committee_id: str | None = None
    standing_committee: bool = False
    chair_role: ChairRole | None = None
    special_supervisor_unit_id: str | None = Field(
        default=None, description="the department a special supervisor (特约监督员) is seconded to")
    term: int = Field(ge=1, description="届")
    session: int = Field(default=1, ge=1, description="次: the session of the term the member joined in")
    joined_on: date
    contact_on_file: bool = Field(default=False, description="contact data is held privately by the service")


@upcaster("member-registered", from_version=1)
def _member_registered_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    # v1 had one `name` field and no liaison group; members then were not yet placed in townships.
    return {**data, "family_name": family_name_of(str(data["name"])), "township_id": None}


@event_type("member-updated", version=1, topic=MEMBERS)
class MemberUpdated(DomainEvent):
    """Registry fields changed. Each name in `changed` takes the value given here (None clears it);
    `contact` in `changed` means the private contact data changed (its values are never published)."""

    member_id: str
    changed: list[str] = Field(min_length=1)
    name: str | None = None
    family_name: str | None = None
    sector: Sector | None = None
    township_id: str | None = None
    special_committee_id: str | None = None
    standing_committee: bool | None = None
    chair_role: ChairRole | None = None
    special_supervisor_unit_id: str | None = None


@event_type("member-status-changed", version=1, topic=MEMBERS)
class MemberStatusChanged(DomainEvent):
    member_id: str
    status: MemberStatus
    previous_status: MemberStatus
    effective_on: date
    reason: str = Field(default="", max_length=200)
