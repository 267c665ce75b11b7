"""Registry events of a member (stream `member-{committee}-{member_id}`). Ids and public roles only:
phone, ID number and address stay in the members service's private table."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StringConstraints

from contracts.bounded import (
    STORABLE,
    Identifier,
    Ordinal,
    RecordedDate,
    RecordedId,
    RecordedList,
    RecordedPersonName,
    RecordedShortText,
)
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


# A surname as `family_name_of` gives it: one or two characters (four allowed).
FamilyName = Annotated[str, StringConstraints(min_length=1, max_length=4), STORABLE]


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

    member_id: Identifier  # registered under the registry's pattern since the first version
    name: RecordedPersonName
    family_name: FamilyName
    sector: Sector
    township_id: RecordedId | None = None
    special_committee_id: RecordedId | None = None
    standing_committee: bool = False
    chair_role: ChairRole | None = None
    special_supervisor_unit_id: RecordedId | None = Field(
        default=None, description="the department a special supervisor (特约监督员) is seconded to")
    term: Ordinal = Field(description="届")
    session: Ordinal = Field(default=1, description="次: the session of the term the member joined in")
    joined_on: RecordedDate
    contact_on_file: bool = Field(default=False, description="contact data is held privately by the service")


@upcaster("member-registered", from_version=1)
def _member_registered_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    # v1 had one `name` field and no liaison group; members then were not yet placed in townships.
    return {**data, "family_name": family_name_of(str(data["name"])), "township_id": None}


@event_type("member-updated", version=1, topic=MEMBERS)
class MemberUpdated(DomainEvent):
    """Registry fields changed. Each name in `changed` takes the value given here (None clears it);
    `contact` in `changed` means the private contact data changed (its values are never published)."""

    member_id: Identifier
    changed: RecordedList[RecordedShortText] = Field(min_length=1)
    name: RecordedPersonName | None = None
    family_name: FamilyName | None = None
    sector: Sector | None = None
    township_id: RecordedId | None = None
    special_committee_id: RecordedId | None = None
    standing_committee: bool | None = None
    chair_role: ChairRole | None = None
    special_supervisor_unit_id: RecordedId | None = None


@event_type("member-status-changed", version=1, topic=MEMBERS)
class MemberStatusChanged(DomainEvent):
    member_id: Identifier
    status: MemberStatus
    previous_status: MemberStatus
    effective_on: RecordedDate
    reason: RecordedShortText = ""
