"""Value types shared by the proposals contracts."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from contracts.bounded import DocumentRef, RecordedId, RecordedShortText
from contracts.proposals.enums import Rating

# An id in a proposals event: any id the commands could have recorded, derived ones included (see
# contracts.bounded.RecordedId); commands take `contracts.bounded.Identifier`.
Id = RecordedId

# Ten references are more than a proposal carries; the bound also keeps the largest event (proposal-drafted)
# well under a Kafka message (contracts/tests/test_message_size.py).
MAX_ATTACHMENTS = 10


class Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AttachmentRef(Value):
    """An attachment stored elsewhere (document store); the event keeps only the reference."""

    ref: DocumentRef = Field(description="the document store's id or URI of the file")
    name: RecordedShortText = Field(default="", description="file name as shown to readers")


# The attachments of one proposal: at most ten.
Attachments = Annotated[list[AttachmentRef], Field(max_length=MAX_ATTACHMENTS)]


class RatingEntry(Value):
    member_id: Id
    rating: Rating
