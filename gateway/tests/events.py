"""Builders of contract event payloads for the gateway's tests (defaults for the fields a test does not
care about). Each returns (type, data); `Feed.emit(*builder(...))` publishes it."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

Event = tuple[str, dict[str, Any]]


def member_registered(member_id: str, name: str, sector: str = "education", township: str | None = "t-1",
                      *, chair_role: str | None = None, joined_on: str = "2023-01-10") -> Event:
    return "member-registered", {
        "member_id": member_id, "name": name, "family_name": name[:1], "sector": sector, "township_id": township,
        "special_committee_id": None, "standing_committee": False, "chair_role": chair_role,
        "special_supervisor_unit_id": None, "term": 16, "session": 1, "joined_on": joined_on,
        "contact_on_file": True,
    }


def unit_registered(unit_id: str, name: str) -> Event:
    return "unit-registered", {"unit_id": unit_id, "name": name}


def proposal_submitted(proposal_id: str, title: str, lead: str, *, year: int = 2026, cosigners: list[str] | None = None,
                       category: str = "education") -> Event:
    return "proposal-submitted", {
        "proposal_id": proposal_id, "year": year, "submitter_kind": "joint" if cosigners else "individual",
        "lead_member_id": lead, "cosigner_member_ids": cosigners or [], "category": category, "title": title,
        "cosign_deadline": "2026-03-10" if cosigners else None,
    }


def proposal_accepted(proposal_id: str, number: str, lead: str, *, year: int = 2026, sequence: int = 1,
                      cosigners: list[str] | None = None, category: str = "education") -> Event:
    return "proposal-accepted", {
        "proposal_id": proposal_id, "number": number, "year": year, "sequence": sequence, "category": category,
        "submitter_kind": "joint" if cosigners else "individual", "lead_member_id": lead,
        "cosigner_member_ids": cosigners or [], "reason": "符合立案条件",
    }


def proposal_assigned(proposal_id: str, units: list[str], deadline: str, *, mode: str = "lead_with_co",
                      assigned_on: str = "2026-03-20") -> Event:
    lead = units[0] if mode == "lead_with_co" else None
    return "proposal-assigned", {
        "proposal_id": proposal_id, "mode": mode, "lead_unit_id": lead,
        "co_unit_ids": units[1:] if mode == "lead_with_co" else [], "unit_ids": units, "assigned_on": assigned_on,
        "deadline": deadline, "deadline_rule": "explicit", "reassignment_window_ends": "2026-03-27",
    }


def contact(proposal_id: str, unit: str, kind: str = "meeting", held_on: str = "2026-04-01") -> Event:
    return "handling-contact-recorded", {"proposal_id": proposal_id, "unit_id": unit, "kind": kind,
                                         "held_on": held_on, "member_ids": [], "summary": ""}


def replied(proposal_id: str, unit: str, result_class: str, *, on_time: bool, replied_on: str, deadline: str,
            round: int = 1, evaluation_due: str | None = None) -> Event:
    return "proposal-replied", {
        "proposal_id": proposal_id, "unit_id": unit, "result_class": result_class, "text": "答复内容",
        "round": round, "on_time": on_time, "replied_on": replied_on, "deadline": deadline,
        **({"evaluation_due": evaluation_due} if evaluation_due else {}),
    }


def evaluated(proposal_id: str, unit: str, member: str, rating: str, round: int = 1) -> Event:
    return "proposal-evaluated", {
        "proposal_id": proposal_id, "unit_id": unit, "round": round, "member_id": member, "rating": rating,
        "attitude": "satisfied", "contact": "satisfied", "comment": "",
    }


def rulebook_published(year: int, bands: list[tuple[str, float | None]], *, version: int = 1,
                       base_points: float = 60) -> Event:
    return "rulebook-published", {
        "year": year, "version": version, "in_force": True, "note": "",
        "rulebook": {
            "year": year, "title": f"{year}年度委员履职考评办法", "base_points": base_points,
            "rules": [{"id": "attend", "label_zh": "出席会议", "category": "attendance", "fact": "attendance",
                       "points": 2}],
            "grades": [{"grade": g, "min_total": m} for g, m in bands],
        },
    }


def points(member_id: str, year: int, category: str, pts: float, *, item: str | None = None, rule: str = "r",
           label: str = "规则", nominal: float | None = None, source_type: str = "meeting-attendance-recorded",
           occurred_on: str = "2026-03-01") -> Event:
    return "duty-points-awarded", {
        "item_id": item or f"{category}:{uuid.uuid4().hex[:6]}", "member_id": member_id, "year": year,
        "category": category, "points": pts, "nominal_points": pts if nominal is None else nominal, "rule": rule,
        "rule_label_zh": label, "rulebook_version": 1, "source_event_id": str(uuid.uuid4()),
        "source_event_type": source_type, "source_service": "members", "occurred_on": occurred_on,
    }


def withdrawn(member_id: str, year: int, category: str, pts: float, item: str) -> Event:
    return "duty-points-withdrawn", {
        "item_id": item, "member_id": member_id, "year": year, "category": category, "points": pts, "rule": "r",
        "rulebook_version": 1, "source_event_id": str(uuid.uuid4()), "source_event_type": "x",
        "reason": "fact_superseded",
    }


def flagged(member_id: str, year: int, flag: str, max_grade: str | None, count: int = 2) -> Event:
    return "member-flagged", {"member_id": member_id, "year": year, "flag": flag, "label_zh": "无故缺席两次以上",
                              "count": count, "max_grade": max_grade, "evidence_event_ids": [],
                              "rulebook_version": 1}


def graded(member_id: str, year: int, total: float, grade: str, by_points: str | None = None) -> Event:
    return "member-graded", {"member_id": member_id, "year": year, "total": total, "grade": grade,
                             "grade_by_points": by_points or grade, "flags": [], "rulebook_version": 1}


def attendance(member_id: str, meeting_id: str, status: str, held_on: str = "2026-02-01",
               kind: str = "plenary") -> Event:
    return "meeting-attendance-recorded", {"meeting_id": meeting_id, "meeting_kind": kind, "member_id": member_id,
                                           "status": status, "held_on": held_on, "source": "roll_call",
                                           "corrects_previous": False}


def visit(visit_id: str, visitor: str, *, kind: str = "member_visits_sector", visited: list[str] | None = None,
          on: str = "2026-05-01", roles: list[str] | None = None, township: str | None = "t-1",
          sector: str | None = "education") -> Event:
    return "visit-logged", {
        "visit_id": visit_id, "kind": kind, "visitor_member_id": visitor, "visited_member_ids": visited or [],
        "visited_sector": sector if kind == "member_visits_sector" else None, "visited_group": None,
        "township_id": township, "visited_on": on, "roles": roles or ["grassroots_investigator"],
        "people_reached": 12, "issues_heard": ["道路"], "follow_up": None,
    }


def today_iso() -> str:
    return date.today().isoformat()
