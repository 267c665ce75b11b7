"""The member scorecard (委员履职档案): points items, flags, grades and the rulebook of each year, plus the
member's activity record (attendance, proposals, reports, visits, training, charity, awards), and the
trainings, charity and awards themselves as records (`duty_records`, read by the lookups).

Items are `duty-points-awarded` minus `duty-points-withdrawn` (matched by `item_id`), as the members
service defines the scored year; the gateway never scores anything itself."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from gateway.views.base import Fact, View, on
from gateway.views.statements import Statements


class ScorecardView(View):
    name = "scorecard"
    description = "member scorecards: items, flags, grades, rulebooks and the activity record"
    tables = ("rulebooks", "score_items", "score_flags", "score_grades", "score_activity", "duty_records")
    DDL = """
    CREATE TABLE IF NOT EXISTS {s}.rulebooks (
        committee_id text NOT NULL, year int NOT NULL, version int NOT NULL, in_force boolean NOT NULL,
        title text, base_points numeric, grades jsonb NOT NULL, rulebook jsonb NOT NULL,
        PRIMARY KEY (committee_id, year, version));
    CREATE TABLE IF NOT EXISTS {s}.score_items (
        committee_id text NOT NULL, member_id text NOT NULL, year int NOT NULL, item_id text NOT NULL,
        category text NOT NULL, points numeric NOT NULL, nominal_points numeric, rule text NOT NULL,
        rule_label_zh text, rulebook_version int, source_event_id uuid, source_event_type text,
        source_service text, occurred_on date, withdrawn boolean NOT NULL DEFAULT false, withdrawn_reason text,
        PRIMARY KEY (committee_id, member_id, year, item_id));
    CREATE INDEX IF NOT EXISTS score_items_by_year ON {s}.score_items (committee_id, year) WHERE NOT withdrawn;
    CREATE TABLE IF NOT EXISTS {s}.score_flags (
        committee_id text NOT NULL, member_id text NOT NULL, year int NOT NULL, flag text NOT NULL,
        label_zh text, count int, max_grade text, evidence_event_ids uuid[] NOT NULL DEFAULT '{}',
        rulebook_version int, cleared boolean NOT NULL DEFAULT false, raised_on date,
        PRIMARY KEY (committee_id, member_id, year, flag));
    CREATE TABLE IF NOT EXISTS {s}.score_grades (
        committee_id text NOT NULL, member_id text NOT NULL, year int NOT NULL, total numeric NOT NULL,
        grade text NOT NULL, grade_by_points text, flags text[] NOT NULL DEFAULT '{}', rulebook_version int,
        PRIMARY KEY (committee_id, member_id, year));
    CREATE TABLE IF NOT EXISTS {s}.score_activity (
        committee_id text NOT NULL, member_id text NOT NULL, year int NOT NULL,
        kind text NOT NULL,          -- attendance proposal_submitted proposal_accepted key_proposal report_submitted
                                     -- report_adopted report_instructed report_published visit training charity award
                                     -- liaison_visit consultation supervision research appraisal
        ref_id text NOT NULL, role text, status text, title text, occurred_on date, event_id uuid,
        detail jsonb NOT NULL DEFAULT '{}',
        PRIMARY KEY (committee_id, member_id, kind, ref_id));
    CREATE INDEX IF NOT EXISTS score_activity_by_year ON {s}.score_activity (committee_id, year, member_id);
    -- Trainings, charity and awards as records (the lookups' rows), with everyone they name: score_activity has
    -- a row per member only, and an award given to organizations alone names no member.
    CREATE TABLE IF NOT EXISTS {s}.duty_records (
        committee_id text NOT NULL, kind text NOT NULL,   -- training charity award
        record_id text NOT NULL, year int NOT NULL, on_date date NOT NULL, title text NOT NULL,
        subkind text,                                     -- a training's or a charity's kind, an award's level
        member_ids text[] NOT NULL DEFAULT '{}', organization_ids text[] NOT NULL DEFAULT '{}', amount_yuan bigint,
        PRIMARY KEY (committee_id, kind, record_id));
    CREATE INDEX IF NOT EXISTS duty_records_by_year ON {s}.duty_records (committee_id, kind, year);
    CREATE INDEX IF NOT EXISTS duty_records_by_member ON {s}.duty_records USING gin (member_ids);
    """

    # ---- rulebook, items, flags, grades -----------------------------------------------------------

    @on("rulebook-published")
    async def _rulebook(self, conn: Statements, f: Fact) -> None:
        d = f.data
        book = d.get("rulebook") or {}
        if d.get("in_force"):
            await conn.execute(f"UPDATE {self.t('rulebooks')} SET in_force = false WHERE committee_id = $1 "
                               "AND year = $2", f.committee_id, int(d["year"]))
        await conn.execute(
            f"INSERT INTO {self.t('rulebooks')} (committee_id, year, version, in_force, title, base_points, grades, "
            "rulebook) VALUES ($1,$2,$3,$4,$5,$6,$7::text::jsonb,$8::text::jsonb) "
            "ON CONFLICT (committee_id, year, version) DO UPDATE SET in_force = excluded.in_force, "
            "title = excluded.title, base_points = excluded.base_points, grades = excluded.grades, "
            "rulebook = excluded.rulebook",
            f.committee_id, int(d["year"]), int(d["version"]), bool(d.get("in_force")), book.get("title"),
            book.get("base_points"), json.dumps(book.get("grades") or []), json.dumps(book, ensure_ascii=False))

    @on("year-rescored")
    async def _rescored(self, conn: Statements, f: Fact) -> None:
        await conn.execute(
            f"UPDATE {self.t('rulebooks')} SET in_force = (version = $3) WHERE committee_id = $1 AND year = $2",
            f.committee_id, int(f.data["year"]), int(f.data["to_version"]))

    @on("duty-points-awarded")
    async def _awarded(self, conn: Statements, f: Fact) -> None:
        d = f.data
        await conn.execute(
            f"INSERT INTO {self.t('score_items')} (committee_id, member_id, year, item_id, category, points, "
            "nominal_points, rule, rule_label_zh, rulebook_version, source_event_id, source_event_type, "
            "source_service, occurred_on, withdrawn) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,false) "
            "ON CONFLICT (committee_id, member_id, year, item_id) DO UPDATE SET category = excluded.category, "
            "points = excluded.points, nominal_points = excluded.nominal_points, rule = excluded.rule, "
            "rule_label_zh = excluded.rule_label_zh, rulebook_version = excluded.rulebook_version, "
            "source_event_id = excluded.source_event_id, source_event_type = excluded.source_event_type, "
            "source_service = excluded.source_service, occurred_on = excluded.occurred_on, withdrawn = false, "
            "withdrawn_reason = NULL",
            f.committee_id, d["member_id"], int(d["year"]), d["item_id"], d["category"], _num(d["points"]),
            _num(d.get("nominal_points", d["points"])), d["rule"], d.get("rule_label_zh"), d.get("rulebook_version"),
            _uuid(d.get("source_event_id")), d.get("source_event_type"), d.get("source_service"),
            f.date("occurred_on"))

    @on("duty-points-withdrawn")
    async def _withdrawn(self, conn: Statements, f: Fact) -> None:
        await conn.execute(
            f"UPDATE {self.t('score_items')} SET withdrawn = true, withdrawn_reason = $5 WHERE committee_id = $1 "
            "AND member_id = $2 AND year = $3 AND item_id = $4",
            f.committee_id, f.data["member_id"], int(f.data["year"]), f.data["item_id"], f.data.get("reason"))

    @on("member-flagged")
    async def _flagged(self, conn: Statements, f: Fact) -> None:
        d = f.data
        await conn.execute(
            f"INSERT INTO {self.t('score_flags')} (committee_id, member_id, year, flag, label_zh, count, max_grade, "
            "evidence_event_ids, rulebook_version, cleared, raised_on) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,false,$10) "
            "ON CONFLICT (committee_id, member_id, year, flag) DO UPDATE SET label_zh = excluded.label_zh, "
            "count = excluded.count, max_grade = excluded.max_grade, evidence_event_ids = excluded.evidence_event_ids, "
            "rulebook_version = excluded.rulebook_version, cleared = false, raised_on = excluded.raised_on",
            f.committee_id, d["member_id"], int(d["year"]), d["flag"], d.get("label_zh"), d.get("count"),
            d.get("max_grade"), [_uuid(x) for x in d.get("evidence_event_ids") or []], d.get("rulebook_version"),
            f.local_date)

    @on("member-flag-cleared")
    async def _flag_cleared(self, conn: Statements, f: Fact) -> None:
        await conn.execute(
            f"UPDATE {self.t('score_flags')} SET cleared = true WHERE committee_id = $1 AND member_id = $2 "
            "AND year = $3 AND flag = $4", f.committee_id, f.data["member_id"], int(f.data["year"]), f.data["flag"])

    @on("member-graded")
    async def _graded(self, conn: Statements, f: Fact) -> None:
        d = f.data
        await conn.execute(
            f"INSERT INTO {self.t('score_grades')} (committee_id, member_id, year, total, grade, grade_by_points, "
            "flags, rulebook_version) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT (committee_id, member_id, year) "
            "DO UPDATE SET total = excluded.total, grade = excluded.grade, grade_by_points = excluded.grade_by_points, "
            "flags = excluded.flags, rulebook_version = excluded.rulebook_version",
            f.committee_id, d["member_id"], int(d["year"]), _num(d["total"]), d["grade"], d.get("grade_by_points"),
            f.ids("flags"), d.get("rulebook_version"))

    # ---- the activity record ----------------------------------------------------------------------

    async def _activity(self, conn: Statements, f: Fact, members: Sequence[str | None], kind: str, ref_id: str,
                        year: int | None, *, role: str | None = None, status: str | None = None,
                        title: str | None = None, occurred_on: Any = None, detail: dict[str, Any] | None = None,
                        roles: dict[str, str] | None = None) -> None:
        year = year if year is not None else f.local_date.year
        for member in dict.fromkeys(m for m in members if m):
            await conn.execute(
                f"INSERT INTO {self.t('score_activity')} (committee_id, member_id, year, kind, ref_id, role, status, "
                "title, occurred_on, event_id, detail) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11::text::jsonb) "
                "ON CONFLICT (committee_id, member_id, kind, ref_id) DO UPDATE SET year = excluded.year, "
                "role = excluded.role, status = excluded.status, title = coalesce(excluded.title, "
                f"{self.t('score_activity')}.title), occurred_on = excluded.occurred_on, "
                "event_id = excluded.event_id, detail = excluded.detail",
                f.committee_id, member, int(year), kind, ref_id, (roles or {}).get(member, role), status, title,
                occurred_on or f.local_date, f.event_id, json.dumps(detail or {}, ensure_ascii=False))

    @on("meeting-attendance-recorded")
    async def _attendance(self, conn: Statements, f: Fact) -> None:
        d = f.data
        held_on = f.date("held_on") or f.local_date
        await self._activity(conn, f, [d["member_id"]], "attendance", d["meeting_id"], held_on.year,
                             status=d.get("status"), occurred_on=held_on,
                             detail={"meeting_kind": d.get("meeting_kind"), "source": d.get("source")})

    @on("proposal-submitted")
    async def _proposal_submitted(self, conn: Statements, f: Fact) -> None:
        d = f.data
        roles = _proposers(f)
        await self._activity(conn, f, list(roles), "proposal_submitted", d["proposal_id"], d.get("year"),
                             title=d.get("title"), roles=roles, detail={"category": d.get("category")})

    @on("cosigner-declined", "cosigner-lapsed")
    async def _not_a_cosigner(self, conn: Statements, f: Fact) -> None:
        """A co-signer who declined (or let the deadline pass) did not put their name to the proposal."""
        await conn.execute(
            f"DELETE FROM {self.t('score_activity')} WHERE committee_id = $1 AND member_id = $2 "
            "AND kind = 'proposal_submitted' AND ref_id = $3 AND role = 'cosigner'",
            f.committee_id, f.data["member_id"], f.data["proposal_id"])

    @on("proposal-accepted")
    async def _proposal_accepted(self, conn: Statements, f: Fact) -> None:
        d = f.data
        roles = _proposers(f)
        await self._activity(conn, f, list(roles), "proposal_accepted", d["proposal_id"], d.get("year"),
                             roles=roles, detail={"number": d.get("number"), "category": d.get("category")})

    @on("key-proposal-designated")
    async def _key(self, conn: Statements, f: Fact) -> None:
        d = f.data
        roles = _proposers(f)
        await self._activity(conn, f, list(roles), "key_proposal", d["proposal_id"], d.get("year"), roles=roles)

    @on("proposal-merge-received")
    async def _merge_received(self, conn: Statements, f: Fact) -> None:
        """Proposers merged into a proposal accepted (or key) already share its acceptance (and key status) from
        now on; merged in before, they are named by the acceptance itself (`_proposers`). Their own proposal
        stays counted as submitted: merging adds no second submission."""
        d = f.data
        joining = f.ids("proposer_member_ids")
        if d.get("accepted"):
            await self._activity(conn, f, joining, "proposal_accepted", d["proposal_id"], d.get("year"),
                                 role="merged", detail={"merged_from": d.get("from_proposal_id")})
        if d.get("key"):
            await self._activity(conn, f, joining, "key_proposal", d["proposal_id"], d.get("year"), role="merged")

    @on("opinion-report-submitted")
    async def _report_submitted(self, conn: Statements, f: Fact) -> None:
        d = f.data
        await self._activity(conn, f, [d.get("author_member_id")], "report_submitted", d["report_id"], None,
                             title=d.get("title"))

    @on("opinion-report-adopted")
    async def _report_adopted(self, conn: Statements, f: Fact) -> None:
        d = f.data
        on_date = f.date("adopted_on") or f.local_date
        await self._activity(conn, f, [d.get("author_member_id")], "report_adopted", f"{d['report_id']}:{d['level']}",
                             on_date.year, status=d.get("level"), occurred_on=on_date,
                             detail={"report_id": d["report_id"], "adopted_by": d.get("adopted_by")})

    @on("opinion-report-instructed")
    async def _report_instructed(self, conn: Statements, f: Fact) -> None:
        d = f.data
        on_date = f.date("instructed_on") or f.local_date
        await self._activity(conn, f, [d.get("author_member_id")], "report_instructed", str(f.event_id),
                             on_date.year, status=d.get("level"), occurred_on=on_date,
                             detail={"report_id": d["report_id"], "leader": d.get("leader")})

    @on("opinion-report-published")
    async def _report_published(self, conn: Statements, f: Fact) -> None:
        d = f.data
        on_date = f.date("published_on") or f.local_date
        await self._activity(conn, f, [d.get("author_member_id")], "report_published", d["report_id"], on_date.year,
                             status=d.get("issue"), occurred_on=on_date, detail={"issue": d.get("issue")})

    @on("visit-logged")
    async def _visit(self, conn: Statements, f: Fact) -> None:
        d = f.data
        on_date = f.date("visited_on") or f.local_date
        await self._activity(conn, f, [d["visitor_member_id"]], "visit", d["visit_id"], on_date.year,
                             status=d.get("kind"), occurred_on=on_date,
                             detail={"roles": d.get("roles", []), "people_reached": d.get("people_reached", 0)})

    @on("liaison-visit-recorded")
    async def _liaison_visit(self, conn: Statements, f: Fact) -> None:
        d = f.data
        on_date = f.date("visited_on") or f.local_date
        await self._activity(conn, f, f.ids("visitor_member_ids"), "liaison_visit", d["liaison_visit_id"],
                             on_date.year, occurred_on=on_date, title=d.get("purpose"))

    async def _record(self, conn: Statements, f: Fact, kind: str, record_id: str, on_date: Any,
                      subkind: str | None, amount_yuan: int | None = None) -> None:
        await conn.execute(
            f"INSERT INTO {self.t('duty_records')} (committee_id, kind, record_id, year, on_date, title, subkind, "
            "member_ids, organization_ids, amount_yuan) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) "
            "ON CONFLICT (committee_id, kind, record_id) DO UPDATE SET year = excluded.year, "
            "on_date = excluded.on_date, title = excluded.title, subkind = excluded.subkind, "
            "member_ids = excluded.member_ids, organization_ids = excluded.organization_ids, "
            "amount_yuan = excluded.amount_yuan",
            f.committee_id, kind, record_id, on_date.year, on_date, f.data.get("title") or "", subkind,
            list(dict.fromkeys(f.ids("member_ids"))), list(dict.fromkeys(f.ids("organization_ids"))), amount_yuan)

    @on("training-recorded")
    async def _training(self, conn: Statements, f: Fact) -> None:
        d = f.data
        on_date = f.date("held_on") or f.local_date
        await self._activity(conn, f, f.ids("member_ids"), "training", d["training_id"], on_date.year,
                             status=d.get("kind"), title=d.get("title"), occurred_on=on_date)
        await self._record(conn, f, "training", d["training_id"], on_date, d.get("kind"))

    @on("charity-recorded")
    async def _charity(self, conn: Statements, f: Fact) -> None:
        d = f.data
        on_date = f.date("done_on") or f.local_date
        await self._activity(conn, f, f.ids("member_ids"), "charity", d["charity_id"], on_date.year,
                             status=d.get("kind"), title=d.get("title"), occurred_on=on_date,
                             detail={"amount_yuan": d.get("amount_yuan")})
        await self._record(conn, f, "charity", d["charity_id"], on_date, d.get("kind"), d.get("amount_yuan"))

    @on("award-granted")
    async def _award(self, conn: Statements, f: Fact) -> None:
        d = f.data
        on_date = f.date("granted_on") or f.local_date
        await self._activity(conn, f, f.ids("member_ids"), "award", d["award_id"], on_date.year,
                             status=d.get("level"), title=d.get("title"), occurred_on=on_date)
        await self._record(conn, f, "award", d["award_id"], on_date, d.get("level"))

    # ---- consultation, supervision, research and appraisal (surveys service) -------------------------

    @on("consultation-held")
    async def _consultation(self, conn: Statements, f: Fact) -> None:
        d = f.data
        on_date = f.date("held_on") or f.local_date
        # A written opinion may come from a member who was not there; a speaker always took part.
        roles = {m: "participant" for m in f.ids("participant_member_ids")}
        roles |= {m: "written_opinion" for m in f.ids("written_opinion_member_ids") if m not in roles}
        roles |= {m: "speaker" for m in f.ids("speaker_member_ids")}
        written = set(f.ids("written_opinion_member_ids"))
        for member, role in roles.items():
            await self._activity(conn, f, [member], "consultation", d["consultation_id"], on_date.year, role=role,
                                 occurred_on=on_date, detail={"written_opinion": member in written})

    @on("supervision-reported")
    async def _supervision(self, conn: Statements, f: Fact) -> None:
        d = f.data
        on_date = f.date("reported_on") or f.local_date
        await self._activity(conn, f, f.ids("member_ids"), "supervision", d["report_id"], on_date.year,
                             occurred_on=on_date, detail={"supervision_id": d.get("supervision_id")})

    @on("research-participation-recorded")
    async def _research(self, conn: Statements, f: Fact) -> None:
        d = f.data
        on_date = f.date("held_on") or f.local_date
        await self._activity(conn, f, f.ids("member_ids"), "research", d["activity_id"], on_date.year,
                             status=d.get("kind"), title=d.get("title"), occurred_on=on_date,
                             detail={"topic_id": d.get("topic_id")})

    @on("appraisal-participation-recorded")
    async def _appraisal(self, conn: Statements, f: Fact) -> None:
        d = f.data
        on_date = f.date("held_on") or f.local_date
        await self._activity(conn, f, [d["member_id"]], "appraisal", f"{d['appraisal_id']}:{d['round_id']}",
                             on_date.year, occurred_on=on_date, detail={"unit_id": d.get("unit_id")})


def _num(value: Any) -> Any:
    from decimal import Decimal

    return Decimal(str(value))


def _uuid(value: Any) -> Any:
    from uuid import UUID

    return None if value is None else (value if isinstance(value, UUID) else UUID(str(value)))


def _proposers(f: Fact) -> dict[str, str]:
    """The members a proposal counts for, by role: its lead, its co-signers, for a proposal of an
    organization or a special committee the member who is its contact (they evaluate it and find it under
    their proposals), and the proposers of proposals merged into it (`merged`: they evaluate it too)."""
    roles = {m: "merged" for m in f.ids("merged_proposer_ids")}
    roles |= {m: "cosigner" for m in f.ids("cosigner_member_ids")}
    contact = f.data.get("contact_member_id")
    if contact and not f.data.get("lead_member_id"):
        roles.setdefault(contact, "contact")
    if lead := f.data.get("lead_member_id"):
        roles[lead] = "lead"
    return roles
