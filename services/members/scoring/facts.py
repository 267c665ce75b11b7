"""Duty facts: what a rulebook scores, drawn from public events of every service (pure functions).

One event can yield several facts (a proposal: one for the lead, one per co-signer). A fact's `key` is
stable per member and duty, so a redelivered event or a corrected record replaces the fact instead of adding
one: attendance is keyed by meeting and member, a proposal's acceptance by proposal and member."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.clock import local_date
from contracts.envelope import EventEnvelope
from contracts.members.enums import FactKind

# The committee's calendar (contracts.clock): a fact's year is the year in China on its day.


class DutyFact(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    member_id: str
    year: int
    kind: FactKind
    role: str = "participant"
    attrs: dict[str, str] = Field(default_factory=dict)
    participants: int = Field(default=1, ge=1)
    occurred_on: date
    source_event_id: UUID
    source_event_type: str
    source_service: str


class RosterEntry(BaseModel):
    """A member in office during a year; the base points name the registration event."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    member_id: str
    registered_event_id: UUID
    joined_on: date
    left_on: date | None = None

    def in_office(self, year: int) -> bool:
        return self.joined_on.year <= year and (self.left_on is None or self.left_on.year >= year)


def _day(data: Mapping[str, Any], name: str, envelope: EventEnvelope) -> date:
    raw = data.get(name)
    if raw is None:
        return local_date(envelope.occurred_at)
    return raw if isinstance(raw, date) else date.fromisoformat(str(raw))


def _ids(value: Any) -> list[str]:
    # Keep order, drop duplicates and blanks: a member named twice in one event is one participant.
    seen: list[str] = []
    for item in value or []:
        if item and str(item) not in seen:
            seen.append(str(item))
    return seen


class _Maker:
    """Builds the facts of one event, filling the fields every fact of it shares."""

    def __init__(self, envelope: EventEnvelope, data: Mapping[str, Any]) -> None:
        self.envelope = envelope
        self.data = data

    def __call__(self, key: str, member_id: str, kind: FactKind, on: date, *, year: int | None = None,
                 role: str = "participant", attrs: dict[str, str] | None = None,
                 participants: int = 1) -> DutyFact:
        return DutyFact(key=f"{key}:{member_id}", member_id=member_id, year=year or on.year, kind=kind,
                        role=role, attrs=attrs or {}, participants=max(participants, 1), occurred_on=on,
                        source_event_id=self.envelope.event_id, source_event_type=self.envelope.type,
                        source_service=self.envelope.source)


Extractor = Callable[[_Maker, Mapping[str, Any]], list[DutyFact]]


def _attendance(f: _Maker, d: Mapping[str, Any]) -> list[DutyFact]:
    on = _day(d, "held_on", f.envelope)
    return [f(f"attendance:{d['meeting_id']}", d["member_id"], FactKind.attendance, on,
              attrs={"meeting_kind": str(d["meeting_kind"]), "status": str(d["status"])})]


def _visit(f: _Maker, d: Mapping[str, Any]) -> list[DutyFact]:
    on = _day(d, "visited_on", f.envelope)
    roles = ",".join(sorted(str(r) for r in d.get("roles", [])))
    return [f(f"visit:{d['visit_id']}", d["visitor_member_id"], FactKind.visit, on, role="visitor",
              attrs={"visit_kind": str(d["kind"]), "roles": roles})]


def _per_member(prefix: str, id_field: str, kind: FactKind, day_field: str,
                attr_fields: tuple[str, ...] = (), members_field: str = "member_ids") -> Extractor:
    def extract(f: _Maker, d: Mapping[str, Any]) -> list[DutyFact]:
        on = _day(d, day_field, f.envelope)
        members = _ids(d.get(members_field))
        attrs = {a: str(d[a]) for a in attr_fields if d.get(a) is not None}
        return [f(f"{prefix}:{d[id_field]}", m, kind, on, attrs=attrs, participants=len(members)) for m in members]
    return extract


def _authored_proposal(prefix: str, kind: FactKind) -> Extractor:
    """The lead and the co-signers, and the proposers of proposals merged into it (并案), who count as joint
    proposers (the joint-work rule's `cosigner` role)."""
    def extract(f: _Maker, d: Mapping[str, Any]) -> list[DutyFact]:
        on = local_date(f.envelope.occurred_at)
        year = int(d["year"]) if d.get("year") else on.year
        lead = d.get("lead_member_id")
        joint = _ids([*(d.get("cosigner_member_ids") or []), *(d.get("merged_proposer_ids") or [])])
        cosigners = [c for c in joint if c != lead]
        authors = ([str(lead)] if lead else []) + cosigners
        return [f(f"{prefix}:{d['proposal_id']}", m, kind, on, year=year,
                  role="lead" if m == lead else "cosigner", participants=len(authors)) for m in authors]
    return extract


def _merge_received(f: _Maker, d: Mapping[str, Any]) -> list[DutyFact]:
    """Proposers merged into a proposal accepted (or key) already join its credit as joint proposers, under the
    keys its own `proposal-accepted` / `key-proposal-designated` facts use; one merged in before acceptance is
    named by those events instead."""
    on = local_date(f.envelope.occurred_at)
    year = int(d["year"]) if d.get("year") else on.year
    joining = _ids(d.get("proposer_member_ids"))
    earned = [("proposal-accepted", FactKind.proposal_accepted)] if d.get("accepted") else []
    earned += [("key-proposal", FactKind.key_proposal)] if d.get("key") else []
    return [f(f"{prefix}:{d['proposal_id']}", m, kind, on, year=year, role="cosigner")
            for prefix, kind in earned for m in joining]


def _opinion_report(prefix: str, kind: FactKind, day_field: str | None, by_level: bool) -> Extractor:
    def extract(f: _Maker, d: Mapping[str, Any]) -> list[DutyFact]:
        author = d.get("author_member_id")
        if not author:  # written by a direct-report point, not a member
            return []
        on = _day(d, day_field, f.envelope) if day_field else local_date(f.envelope.occurred_at)
        level = str(d.get("level") or "")
        key = f"{prefix}:{d['report_id']}" + (f":{level}" if by_level else "")
        return [f(key, str(author), kind, on, role="author", attrs={"level": level} if level else {})]
    return extract


def _appraisal(f: _Maker, d: Mapping[str, Any]) -> list[DutyFact]:
    on = _day(d, "held_on", f.envelope)
    return [f(f"appraisal:{d['appraisal_id']}:{d['round_id']}", str(d["member_id"]), FactKind.appraisal, on)]


def _liaison_visit(f: _Maker, d: Mapping[str, Any]) -> list[DutyFact]:
    on = _day(d, "visited_on", f.envelope)
    visitors = _ids(d.get("visitor_member_ids"))
    return [f(f"liaison-visit:{d['liaison_visit_id']}", m, FactKind.liaison_visit, on, role="visitor",
              participants=len(visitors)) for m in visitors]


def _consultation(f: _Maker, d: Mapping[str, Any]) -> list[DutyFact]:
    """Speaking at a consultation and sending a written opinion to it, one fact per member and kind (keyed by
    consultation, kind and member, so a member who did both earns both). Taking part earns nothing here: a
    consultation's attendance is scored once, as a meeting's (`meeting-attendance-recorded`), never twice."""
    on = _day(d, "held_on", f.envelope)
    speakers, writers = _ids(d.get("speaker_member_ids")), _ids(d.get("written_opinion_member_ids"))
    consultation = d["consultation_id"]
    return ([f(f"consultation-speech:{consultation}", m, FactKind.consultation_speech, on, role="speaker",
               participants=len(speakers)) for m in speakers]
            + [f(f"consultation-written:{consultation}", m, FactKind.consultation_written_opinion, on,
                 role="author", participants=len(writers)) for m in writers])


EXTRACTORS: dict[str, Extractor] = {
    # members (this service)
    "meeting-attendance-recorded": _attendance,
    "visit-logged": _visit,
    "training-recorded": _per_member("training", "training_id", FactKind.training, "held_on", ("kind",)),
    "charity-recorded": _per_member("charity", "charity_id", FactKind.charity, "done_on", ("kind",)),
    "award-granted": _per_member("award", "award_id", FactKind.award, "granted_on", ("level",)),
    "liaison-visit-recorded": _liaison_visit,
    # proposals
    "proposal-accepted": _authored_proposal("proposal-accepted", FactKind.proposal_accepted),
    "key-proposal-designated": _authored_proposal("key-proposal", FactKind.key_proposal),
    "proposal-merge-received": _merge_received,
    "opinion-report-submitted": _opinion_report("opinion-report-submitted", FactKind.opinion_report_submitted,
                                                None, by_level=False),
    "opinion-report-adopted": _opinion_report("opinion-report-adopted", FactKind.opinion_report_adopted,
                                              "adopted_on", by_level=True),
    "opinion-report-instructed": _opinion_report("opinion-report-instructed", FactKind.opinion_report_instructed,
                                                 "instructed_on", by_level=True),
    # surveys
    "research-participation-recorded": _per_member("research", "activity_id", FactKind.research, "held_on",
                                                   ("kind",)),
    "supervision-reported": _per_member("supervision", "report_id", FactKind.supervision, "reported_on"),
    "appraisal-participation-recorded": _appraisal,
    "consultation-held": _consultation,
}

FOREIGN_TYPES = frozenset({
    "proposal-accepted", "key-proposal-designated", "proposal-merge-received", "opinion-report-submitted",
    "opinion-report-adopted", "opinion-report-instructed", "research-participation-recorded", "supervision-reported",
    "appraisal-participation-recorded", "consultation-held",
})
OWN_TYPES = frozenset(EXTRACTORS) - FOREIGN_TYPES


def facts_from(envelope: EventEnvelope, data: Mapping[str, Any] | None = None) -> list[DutyFact]:
    """The duty facts an event yields (none for events that earn no points). `data` is the payload as the
    current contract reads it (after upcasting); by default the envelope's own."""
    extract = EXTRACTORS.get(envelope.type)
    if extract is None:
        return []
    payload = envelope.data if data is None else data
    return extract(_Maker(envelope, payload), payload)
