"""Personal contact data (phone, email, ID number, address): validated here, stored only in the service's private
table, never in an event."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from contracts.bounded import STORABLE, EmailAddress, OptionalShortText

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def mobile_of(phone: str | None) -> str | None:
    """The phone number as a mobile number (11 digits, spaces dropped), or None for a landline or nothing:
    SMS reaches mobiles only."""
    value = (phone or "").strip().replace(" ", "")
    return value if _MOBILE.match(value) else None


def id_number_valid(value: str) -> bool:
    """A resident ID number (GB 11643-1999): 17 digits and an ISO 7064 MOD 11-2 check character."""
    value = value.upper()
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == value[17]


# A phone number or an ID number as typed, before it is checked and normalized (spaces allowed): 0-32
# characters.
TypedNumber = Annotated[str, StringConstraints(max_length=32), STORABLE]


class ContactDetails(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    phone: TypedNumber | None = Field(default=None, description="mobile (11 digits) or landline (0xxx-xxxxxxx)")
    id_number: TypedNumber | None = Field(default=None, description="resident ID number, 18 characters")
    address: OptionalShortText | None = None
    email: EmailAddress | None = Field(default=None, description="where notifications by mail go")

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().replace(" ", "")
        if not (_MOBILE.match(value) or _LANDLINE.match(value)):
            raise ValueError("not a mobile or landline number")
        return value

    @field_validator("id_number")
    @classmethod
    def _id_number(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().upper()
        if not id_number_valid(value):
            raise ValueError("not a valid resident ID number (check character does not match)")
        return value

    def is_empty(self) -> bool:
        return self.phone is None and self.id_number is None and self.address is None and self.email is None
