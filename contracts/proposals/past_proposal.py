"""Proposals of earlier years (往年提案), imported from the office's files so the similar-proposals check has
history in the platform's first year: one row of the file is one `PastProposalRow` (its bounds), each row
imported becomes a `past-proposal-imported` on its own stream. The HTTP command is `import-past-proposals`
(`contracts.proposals.commands.ImportPastProposals`)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from contracts import topics
from contracts.bounded import (
    STORABLE,
    BoundedList,
    Count,
    OptionalLongText,
    RecordedList,
    RecordedLongText,
    RecordedShortText,
    RecordedYear,
    ShortText,
    Year,
)
from contracts.proposals.common import Id
from contracts.proposals.enums import ResultClass
from contracts.registry import DomainEvent, event_type

P = topics.PROPOSALS

# The file's name as uploaded: ends in .csv or .xlsx, at most 200 characters (as the members service's imports:
# `contracts.members.commands.ImportFileName`).
PastProposalsFileName = Annotated[str, StringConstraints(max_length=200, pattern=r"(?i)\.(csv|xlsx)$"), STORABLE]

# A year of past proposals: the platform's years (2000 on); that it is before the current year is the
# import's rule (it depends on the service's clock).
PastYear = Annotated[Year, Field(ge=2000)]
# A proposal's sequence in its year (编号 017 of 2024): 1-9999.
PastSequence = Annotated[int, Field(ge=1, le=9999)]


def past_proposal_id(year: int, sequence: int) -> str:
    """The id of an imported proposal: `past:2024-017`. The colon is outside the commands' id pattern, so no
    proposal drafted on the platform can ever be given the same id."""
    return f"past:{year}-{sequence:03d}"


class PastProposalRow(BaseModel):
    """One row of a past-proposals file, as the import reads it (not sent on its own)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    year: PastYear = Field(description="年度")
    sequence: PastSequence = Field(description="编号: the sequence in its year (2024-017 is 17)")
    title: ShortText = Field(description="标题")
    text: OptionalLongText = Field(default="", description="内容: the whole text, when the file has one column")
    case: OptionalLongText = Field(default="", description="案由")
    suggestions: OptionalLongText = Field(default="", description="建议")
    units: BoundedList[ShortText] = Field(default_factory=list, description="承办单位 as written: ids or names")
    result_class: ResultClass | None = Field(default=None, description="办理结果: A/B/C, when the file says")

    @model_validator(mode="after")
    def _has_text(self) -> PastProposalRow:
        if not (self.text.strip() or self.case.strip() or self.suggestions.strip()):
            raise ValueError("a past proposal needs 内容 (text), or 案由 (case) and 建议 (suggestions)")
        if self.text.strip() and (self.case.strip() or self.suggestions.strip()):
            raise ValueError("a past proposal gives 内容 (text), or 案由 (case) and 建议 (suggestions), not both")
        return self

    @property
    def number(self) -> str:
        return f"{self.year}-{self.sequence:03d}"

    @property
    def proposal_id(self) -> str:
        return past_proposal_id(self.year, self.sequence)


@event_type("past-proposal-imported", version=1, topic=P)
class PastProposalImported(DomainEvent):
    """A proposal of an earlier year, as the office's file records it (number, text, handling units and the
    result class of their reply). It was reviewed then: the similar-proposals check offers it to new
    submissions as an earlier year's proposal. Nothing of the workflow follows it."""

    proposal_id: Id = Field(description="past:<year>-<sequence>")
    number: Id = Field(description="e.g. 2024-017, in the platform's numbering form")
    year: RecordedYear
    sequence: Count
    title: RecordedShortText
    # Two texts at most (the whole text, or the case and the suggestions), so the event stays smaller than a
    # drafted proposal (contracts/tests/test_message_size.py).
    case: RecordedLongText = Field(default="", description="案由, or the whole text (内容) when the file has one "
                                                           "text column")
    suggestions: RecordedLongText = Field(default="", description="建议, when the file has its own column")
    unit_ids: RecordedList[Id] = Field(default_factory=list, description="the handling units, registry ids (empty "
                                       "while the service could not check units)")
    units_as_written: RecordedList[RecordedShortText] = Field(default_factory=list,
                                                              description="承办单位 as the file wrote them")
    result_class: ResultClass | None = None
