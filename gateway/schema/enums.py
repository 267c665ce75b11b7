"""GraphQL enums mirrored from the contracts' enums: same names and values, each value described by its
Chinese label (label_zh). Mirrors (not the contract classes themselves) keep Strawberry's bookkeeping off
the shared contract types. Outputs may return the plain value string; inputs arrive as mirror members,
whose `.value` is the contract value."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

import strawberry

from contracts.envelope import Role as ContractRole
from contracts.members import enums as m
from contracts.proposals import enums as p

_MIRRORS: dict[type[enum.Enum], Any] = {}
_NAMES: dict[str, type[enum.Enum]] = {}


def _label(member: enum.Enum) -> str | None:
    label = getattr(member, "label_zh", None)
    return label if isinstance(label, str) and label else None


def mirror(source: type[enum.Enum], name: str | None = None) -> Any:
    """The GraphQL enum for a contract enum (created once)."""
    if source in _MIRRORS:
        return _MIRRORS[source]
    gql_name = name or source.__name__
    if gql_name in _NAMES and _NAMES[gql_name] is not source:
        module = source.__module__.split(".")
        gql_name = f"{module[1].title() if len(module) > 1 else ''}{gql_name}"
    values = {member.name: strawberry.enum_value(member.value, description=_label(member)) for member in source}
    created = enum.Enum(gql_name, values)  # type: ignore[misc]
    doc = (source.__doc__ or "").strip()
    if doc.startswith("An enumeration") or doc.startswith("str(object"):
        doc = ""
    result = strawberry.enum(created, name=gql_name, description=doc or None)
    _MIRRORS[source] = result
    _NAMES[gql_name] = source
    return result


def value_of(member: Any) -> Any:
    return member.value if isinstance(member, enum.Enum) else member


# The enums the views' types use, by their contract names.
if TYPE_CHECKING:  # to the type checker these are the plain values the resolvers pass around
    Role = str
    Sector = str
    MemberStatus = str
    ChairRole = str
    OrganizationKind = str
    MeetingKind = str
    AttendanceStatus = str
    LeaveReason = str
    VisitKind = str
    VisitRole = str
    TrainingKind = str
    CharityKind = str
    AwardLevel = str
    ScoreCategory = str
    Grade = str
    Category = str
    SubmitterKind = str
    NotAcceptedConversion = str
    AssignmentMode = str
    UnitRole = str
    ContactKind = str
    ResultClass = str
    Rating = str
    ReopenReason = str
    LookbackSubject = str
    LookbackOutcome = str
    ReportLevel = str
else:
    Role = mirror(ContractRole)
    Sector = mirror(m.Sector)
    MemberStatus = mirror(m.MemberStatus)
    ChairRole = mirror(m.ChairRole)
    OrganizationKind = mirror(m.OrganizationKind)
    MeetingKind = mirror(m.MeetingKind)
    AttendanceStatus = mirror(m.AttendanceStatus)
    LeaveReason = mirror(m.LeaveReason)
    VisitKind = mirror(m.VisitKind)
    VisitRole = mirror(m.VisitRole)
    TrainingKind = mirror(m.TrainingKind)
    CharityKind = mirror(m.CharityKind)
    AwardLevel = mirror(m.AwardLevel)
    ScoreCategory = mirror(m.ScoreCategory)
    Grade = mirror(m.Grade)
    Category = mirror(p.Category)
    SubmitterKind = mirror(p.SubmitterKind)
    NotAcceptedConversion = mirror(p.NotAcceptedConversion)
    AssignmentMode = mirror(p.AssignmentMode)
    UnitRole = mirror(p.UnitRole)
    ContactKind = mirror(p.ContactKind)
    ResultClass = mirror(p.ResultClass)
    Rating = mirror(p.Rating)
    ReopenReason = mirror(p.ReopenReason)
    LookbackSubject = mirror(p.LookbackSubject)
    LookbackOutcome = mirror(p.LookbackOutcome)
    ReportLevel = mirror(p.ReportLevel)


@strawberry.enum(description="Where a proposal stands.")
class ProposalStatus(enum.Enum):
    draft = strawberry.enum_value("draft", description="草稿")
    submitted = strawberry.enum_value("submitted", description="已提交，待审查")
    returned = strawberry.enum_value("returned", description="退回修改")
    withdrawn = strawberry.enum_value("withdrawn", description="已撤回")
    accepted = strawberry.enum_value("accepted", description="已立案，待交办")
    not_accepted = strawberry.enum_value("not_accepted", description="不予立案")
    merged = strawberry.enum_value("merged", description="并案")
    assigned = strawberry.enum_value("assigned", description="已交办")


@strawberry.enum(description="The furthest step a public-opinion report reached.")
class ReportStatus(enum.Enum):
    submitted = strawberry.enum_value("submitted", description="已报送")
    forwarded = strawberry.enum_value("forwarded", description="已上报")
    adopted = strawberry.enum_value("adopted", description="已采用")
    published = strawberry.enum_value("published", description="已刊发")


@strawberry.enum(description="A co-signer's answer to the invitation.")
class CosignerState(enum.Enum):
    invited = strawberry.enum_value("invited", description="待确认")
    confirmed = strawberry.enum_value("confirmed", description="已确认联名")
    declined = strawberry.enum_value("declined", description="拒绝联名")
    lapsed = strawberry.enum_value("lapsed", description="逾期未确认")


@strawberry.enum(description="A unit's request to be re-assigned.")
class ReassignmentState(enum.Enum):
    requested = strawberry.enum_value("requested", description="申请调整")
    granted = strawberry.enum_value("granted", description="同意调整")
    refused = strawberry.enum_value("refused", description="不予调整")


@strawberry.enum(description="A leave request's state.")
class LeaveState(enum.Enum):
    requested = strawberry.enum_value("requested", description="已请假，待批准")
    approved = strawberry.enum_value("approved", description="准假")
    refused = strawberry.enum_value("refused", description="不准假")


def labelled() -> dict[str, type[enum.Enum]]:
    """Every contract enum mirrored so far, by GraphQL name (for the `enumLabels` query)."""
    return {name: source for name, source in _NAMES.items()}
