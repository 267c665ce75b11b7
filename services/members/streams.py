"""The members service's streams (`eventstore.streams`: `<category>-<committee>-<id>`, camelCase categories),
e.g. `member-county-a-m-wang`, `visitPlan-county-a-2025`, `ledger-county-a-2025-m-wang`."""

from __future__ import annotations

from pydantic import BaseModel

from contracts.members.commands import GrantAward, RecordCharity, RecordLiaisonVisit, RecordTraining
from eventstore.streams import category_of, stream_id


def member(committee_id: str, member_id: str) -> str:
    return stream_id("member", committee_id, member_id)


def organization(committee_id: str, organization_id: str) -> str:
    return stream_id("organization", committee_id, organization_id)


def unit(committee_id: str, unit_id: str) -> str:
    return stream_id("unit", committee_id, unit_id)


def liaison_contact(committee_id: str, contact_id: str) -> str:
    return stream_id("liaisonContact", committee_id, contact_id)


def meeting(committee_id: str, meeting_id: str) -> str:
    return stream_id("meeting", committee_id, meeting_id)


def visit(committee_id: str, visit_id: str) -> str:
    return stream_id("visit", committee_id, visit_id)


def visit_plan(committee_id: str, year: int) -> str:
    """The committee's visit plan of one year (两访三做)."""
    return stream_id("visitPlan", committee_id, year)


def rulebook(committee_id: str, year: int) -> str:
    """One scored year: its rulebook versions, re-scorings and grading."""
    return stream_id("rulebook", committee_id, year)


def ledger(committee_id: str, year: int, member_id: str) -> str:
    """A member's duty points of one year; written by the scorer only."""
    return stream_id("ledger", committee_id, year, member_id)


# A duty record is one fact per id: the command's type names its category and id field.
RECORDS: dict[type[BaseModel], tuple[str, str]] = {
    RecordTraining: ("training", "training_id"),
    RecordCharity: ("charity", "charity_id"),
    GrantAward: ("award", "award_id"),
    RecordLiaisonVisit: ("liaisonVisit", "liaison_visit_id"),
}


def record(committee_id: str, command: BaseModel) -> str:
    category, id_field = RECORDS[type(command)]
    return stream_id(category, committee_id, getattr(command, id_field))


__all__ = ["RECORDS", "category_of", "ledger", "liaison_contact", "meeting", "member", "organization", "record",
           "rulebook", "unit", "visit", "visit_plan"]
