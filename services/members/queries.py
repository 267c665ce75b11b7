"""Read endpoints of the service's own read models: a member's scorecard, the year's ranking, the visit
plan's progress, (for office staff or the member) private contact data, and (for the notify service's account
only) where notifications go. Authorized by the same policy as the gateway (`contracts.access`): role,
own-record and service-account rows, committee from the bearer token — so a service token reads what service
accounts may read through the gateway, nothing more, plus the rows named for its own account.

Nothing here logs what it answers: contact data and addresses never reach a log record."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from contracts.access import may_read
from contracts.bounded import IDENTIFIER_PATTERN, MAX_ROSTER
from contracts.members.enums import ChairRole, MemberStatus, Sector, VisitKind
from contracts.members.member_view import MemberView
from contracts.members.organization import UnitStaffAdded
from contracts.members.visit import VisitPlanSet
from eventstore.db import quote_ident
from eventstore.store import EventStore
from members import streams
from members.domain.visit import VisitRecord, plan_progress
from members.private import NotificationAddress, PrivateData
from members.scoring.scorecards import read_card
from runtime.auth import Principal

_IDENTIFIER = re.compile(IDENTIFIER_PATTERN)


def _error(status: int, code: str, message: str, fields: list[str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "fields": fields or []}}, status_code=status)


def _json(value: Any) -> JSONResponse:
    def number(v: object) -> object:
        if isinstance(v, Decimal):
            return int(v) if v == v.to_integral_value() else float(v)
        return str(v)
    return JSONResponse(json.loads(json.dumps(value, default=number)))


class Queries:
    def __init__(self, store: EventStore, private: PrivateData,
                 authenticate: Callable[[str | None], Principal]) -> None:
        self.store = store
        self.s = quote_ident(store.schema)
        self.private = private
        self.authenticate = authenticate

    def routes(self) -> list[Route]:
        return [
            Route("/scorecards/{year:int}", self.ranking, methods=["GET"]),
            Route("/scorecards/{year:int}/{member_id}", self.scorecard, methods=["GET"]),
            Route("/visit-plans/{year:int}/progress", self.visit_progress, methods=["GET"]),
            Route("/members/{member_id}/contact", self.contact, methods=["GET"]),
            Route("/notification-addresses", self.notification_addresses, methods=["GET"]),
        ]

    def _who(self, request: Request) -> Principal | JSONResponse:
        try:
            return self.authenticate(request.headers.get("authorization"))
        except Exception as err:  # every authentication failure is a 401
            return _error(401, "unauthenticated", str(err))

    async def scorecard(self, request: Request) -> JSONResponse:
        who = self._who(request)
        if isinstance(who, JSONResponse):
            return who
        member_id = request.path_params["member_id"]
        if not may_read(who.role, "memberScorecard", own=who.actor.member_id == member_id):
            return _error(403, "not_authorized", "office staff, leadership and admin see every scorecard; "
                          "a member sees their own only")
        async with self.store.pool.acquire() as conn:
            card = await read_card(conn, self.store.schema, who.committee_id, request.path_params["year"], member_id)
        if card is None:
            return _error(404, "no_scorecard", f"no scorecard for {member_id} in {request.path_params['year']}")
        return _json(card)

    async def ranking(self, request: Request) -> JSONResponse:
        who = self._who(request)
        if isinstance(who, JSONResponse):
            return who
        if not may_read(who.role, "scorecards"):
            return _error(403, "not_authorized", "only office staff, leadership and admin see every scorecard")
        sector, township = request.query_params.get("sector"), request.query_params.get("township")
        async with self.store.pool.acquire() as conn:
            rows = await conn.fetch(
                f"SELECT c.member_id, r.name, r.sector, r.township_id, c.total, c.grade FROM {self.s}.scorecards c "
                f"LEFT JOIN {self.s}.roster r ON r.committee_id = c.committee_id AND r.member_id = c.member_id "
                "WHERE c.committee_id = $1 AND c.year = $2 AND ($3::text IS NULL OR r.sector = $3) "
                "AND ($4::text IS NULL OR r.township_id = $4) ORDER BY c.total DESC, r.family_name, c.member_id",
                who.committee_id, request.path_params["year"], sector, township)
        return _json({"year": request.path_params["year"],
                      "members": [{"rank": i + 1, **dict(r)} for i, r in enumerate(rows)]})

    async def visit_progress(self, request: Request) -> JSONResponse:
        who = self._who(request)
        if isinstance(who, JSONResponse):
            return who
        if not may_read(who.role, "visitPlanProgress"):
            return _error(403, "not_authorized",
                          "only office staff, leadership and admin see the plan's progress")
        year = request.path_params["year"]
        history = await self.store.read_stream(streams.visit_plan(who.committee_id, year))
        plans = [e.event for e in history if isinstance(e.event, VisitPlanSet)]
        if not plans:
            return _error(404, "no_visit_plan", f"no visit plan for {year}")
        async with self.store.pool.acquire() as conn:
            roster = await conn.fetch(
                f"SELECT member_id, status, sector, chair_role, standing_committee, township_id, joined_on "
                f"FROM {self.s}.roster WHERE committee_id = $1", who.committee_id)
            visits = await conn.fetch(
                f"SELECT visitor_member_id, kind, visited_member_ids, visited_on FROM {self.s}.visits "
                "WHERE committee_id = $1", who.committee_id)
        progress = plan_progress(
            plans[-1],
            [MemberView(r["member_id"], MemberStatus(r["status"]), Sector(r["sector"]),
                        ChairRole(r["chair_role"]) if r["chair_role"] else None, r["standing_committee"],
                        r["township_id"], r["joined_on"]) for r in roster],
            [VisitRecord(v["visitor_member_id"], VisitKind(v["kind"]), tuple(v["visited_member_ids"]), v["visited_on"])
             for v in visits])
        body = {**progress.__dict__, "grassroots_coverage": progress.grassroots_coverage,
                "sector_coverage": progress.sector_coverage, "plan_version": plans[-1].plan_version}
        return _json(body)

    async def contact(self, request: Request) -> JSONResponse:
        who = self._who(request)
        if isinstance(who, JSONResponse):
            return who
        member_id = request.path_params["member_id"]
        if not may_read(who.role, "memberContact", own=who.actor.member_id == member_id):
            return _error(403, "not_authorized", "contact data is for office staff and the member themself")
        async with self.store.pool.acquire() as conn:
            contact = await self.private.member_contact(conn, who.committee_id, member_id)
        if contact is None:
            return _error(404, "no_contact", f"no contact data for {member_id}")
        return _json(contact.model_dump())

    async def notification_addresses(self, request: Request) -> JSONResponse:
        """`?member_id=…&unit_id=…` (each repeatable): every asked member's email and mobile (null when none is
        on file: a member of another committee reads as one without contact data), and every asked unit's staff
        with either on file, the unit's liaison (联络员) first. Never an ID number or a postal address."""
        who = self._who(request)
        if isinstance(who, JSONResponse):
            return who
        if not may_read(who.role, "notificationAddresses", subject=who.actor.id):
            return _error(403, "not_authorized", "notification addresses are for the notify service's account only")
        member_ids = request.query_params.getlist("member_id")
        unit_ids = request.query_params.getlist("unit_id")
        for name, ids in (("member_id", member_ids), ("unit_id", unit_ids)):
            if not all(_IDENTIFIER.match(i) for i in ids):
                return _error(400, "invalid_query", f"each {name} must be an id (1-64 of A-Z a-z 0-9 _ . -)", [name])
        if len(member_ids) + len(unit_ids) > MAX_ROSTER:
            return _error(400, "invalid_query", f"at most {MAX_ROSTER} recipients per request",
                          ["member_id", "unit_id"])
        units = {u: await self._unit_staff(who.committee_id, u) for u in dict.fromkeys(unit_ids)}
        async with self.store.pool.acquire() as conn:
            members = await self.private.notification_addresses(conn, who.committee_id, member_ids)
            staff = await self.private.person_addresses(conn, who.committee_id, "unit_staff",
                                                        [s for listed in units.values() for s, _ in listed])
        return JSONResponse({
            "members": {m: _address(members.get(m)) for m in member_ids},
            "units": {u: [{"staff_id": s, "liaison": liaison, **asdict(staff[s])}
                          for s, liaison in listed if s in staff] for u, listed in units.items()},
        })

    async def _unit_staff(self, committee_id: str, unit_id: str) -> list[tuple[str, bool]]:
        """(staff id, is the liaison) of a unit of this committee, the liaison first; none for an unknown unit."""
        history = await self.store.read_stream(streams.unit(committee_id, unit_id))
        staff = [(e.event.staff_id, e.event.is_liaison) for e in history if isinstance(e.event, UnitStaffAdded)]
        return sorted(staff, key=lambda s: not s[1])


def _address(address: NotificationAddress | None) -> dict[str, str | None] | None:
    return asdict(address) if address else None
