"""Value types shared by the proposals contracts."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from contracts.proposals.enums import Rating

Id = str


class Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AttachmentRef(Value):
    """An attachment stored elsewhere (document store); the event keeps only the reference."""

    ref: str = Field(min_length=1, description="the document store's id or URI of the file")
    name: str = Field(default="", description="file name as shown to readers")


class RatingEntry(Value):
    member_id: Id
    rating: Rating
