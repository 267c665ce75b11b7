"""Proposals (提案) from submission to look-back: one row per proposal, one per handling unit, and the
replies, contacts, evaluations, commitments, key-proposal reports, look-backs and results behind them."""

from __future__ import annotations

from gateway.views.base import Fact, View, on
from gateway.views.statements import Statements


class ProposalsView(View):
    name = "proposals"
    description = "proposals, handling by unit, replies, evaluations, key proposals, look-backs"
    tables = ("proposals", "proposal_cosigners", "handling", "replies", "handling_contacts", "evaluations",
              "evaluation_rounds", "commitments", "lookbacks", "recommendations", "key_progress",
              "proposal_results", "reassignments", "holiday_schedules", "solicitations", "opinion_letters",
              "evaluation_lapses")
    DDL = """
    CREATE TABLE IF NOT EXISTS {s}.proposals (
        committee_id text NOT NULL, proposal_id text NOT NULL, year int, number text, sequence int,
        status text NOT NULL,        -- draft submitted returned withdrawn accepted not_accepted merged assigned
        submitter_kind text, lead_member_id text, cosigner_member_ids text[] NOT NULL DEFAULT '{}',
        confirmed_cosigner_ids text[] NOT NULL DEFAULT '{}', organization_id text, special_committee text,
        sector text, contact_member_id text, category text, title text NOT NULL DEFAULT '',
        cosign_deadline date, submitted_on date, decided_on date, decision_reason text, converted_to text,
        opinion_report_id text, merged_into text,
        is_key boolean NOT NULL DEFAULT false, key_leaders text[] NOT NULL DEFAULT '{}', key_reason text,
        mode text, lead_unit_id text, co_unit_ids text[] NOT NULL DEFAULT '{}', unit_ids text[] NOT NULL DEFAULT '{}',
        assigned_on date, deadline date, reassignment_window_ends date,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (committee_id, proposal_id));
    CREATE INDEX IF NOT EXISTS proposals_by_year ON {s}.proposals (committee_id, year, status);
    CREATE INDEX IF NOT EXISTS proposals_by_lead ON {s}.proposals (committee_id, lead_member_id);
    CREATE TABLE IF NOT EXISTS {s}.proposal_cosigners (
        committee_id text NOT NULL, proposal_id text NOT NULL, member_id text NOT NULL,
        state text NOT NULL,         -- invited confirmed declined lapsed
        deadline date,
        PRIMARY KEY (committee_id, proposal_id, member_id));
    CREATE INDEX IF NOT EXISTS cosigners_by_member ON {s}.proposal_cosigners (committee_id, member_id, state);
    CREATE TABLE IF NOT EXISTS {s}.handling (
        committee_id text NOT NULL, proposal_id text NOT NULL, unit_id text NOT NULL,
        role text NOT NULL,          -- lead co separate
        active boolean NOT NULL DEFAULT true, assigned_on date, round int NOT NULL DEFAULT 1, deadline date,
        replied_round int, replied_on date, result_class text, on_time boolean, first_on_time boolean,
        cosigned_round int, contacted boolean NOT NULL DEFAULT false, met boolean NOT NULL DEFAULT false,
        overdue_noticed boolean NOT NULL DEFAULT false, reopened_reason text,
        PRIMARY KEY (committee_id, proposal_id, unit_id));
    CREATE INDEX IF NOT EXISTS handling_by_unit ON {s}.handling (committee_id, unit_id, active, deadline);
    -- The day the proposers' ratings of the latest reply are due (proposal-replied's evaluation_due).
    ALTER TABLE {s}.handling ADD COLUMN IF NOT EXISTS evaluation_due date;
    CREATE TABLE IF NOT EXISTS {s}.replies (
        committee_id text NOT NULL, proposal_id text NOT NULL, unit_id text NOT NULL, round int NOT NULL,
        result_class text NOT NULL, text text NOT NULL DEFAULT '', on_time boolean NOT NULL,
        replied_on date, deadline date, event_id uuid,
        PRIMARY KEY (committee_id, proposal_id, unit_id, round));
    CREATE TABLE IF NOT EXISTS {s}.handling_contacts (
        committee_id text NOT NULL, event_id uuid NOT NULL, proposal_id text NOT NULL, unit_id text NOT NULL,
        kind text NOT NULL, held_on date, member_ids text[] NOT NULL DEFAULT '{}', summary text,
        PRIMARY KEY (committee_id, event_id));
    CREATE INDEX IF NOT EXISTS contacts_by_proposal ON {s}.handling_contacts (committee_id, proposal_id);
    CREATE TABLE IF NOT EXISTS {s}.evaluations (
        committee_id text NOT NULL, proposal_id text NOT NULL, unit_id text NOT NULL, round int NOT NULL,
        member_id text NOT NULL, rating text NOT NULL, attitude text, contact text, comment text,
        evaluated_on date, event_id uuid,
        PRIMARY KEY (committee_id, proposal_id, unit_id, round, member_id));
    CREATE TABLE IF NOT EXISTS {s}.evaluation_rounds (
        committee_id text NOT NULL, proposal_id text NOT NULL, unit_id text NOT NULL, round int NOT NULL,
        dissatisfied boolean NOT NULL, completed_on date,
        PRIMARY KEY (committee_id, proposal_id, unit_id, round));
    CREATE TABLE IF NOT EXISTS {s}.commitments (
        committee_id text NOT NULL, commitment_id text NOT NULL, proposal_id text NOT NULL, unit_id text NOT NULL,
        round int, text text NOT NULL DEFAULT '', due date NOT NULL, lookback_id text, outcome text,
        concluded_on date,
        PRIMARY KEY (committee_id, commitment_id));
    CREATE TABLE IF NOT EXISTS {s}.lookbacks (
        committee_id text NOT NULL, lookback_id text NOT NULL, subject text NOT NULL, due date,
        proposal_id text, commitment_id text, unit_id text, recommendation_id text,
        outcome text, notes text, concluded_on date,
        PRIMARY KEY (committee_id, lookback_id));
    CREATE TABLE IF NOT EXISTS {s}.recommendations (
        committee_id text NOT NULL, recommendation_id text NOT NULL, title text NOT NULL, summary text,
        addressed_to text, sent_on date, lookback_due date,
        PRIMARY KEY (committee_id, recommendation_id));
    CREATE TABLE IF NOT EXISTS {s}.key_progress (
        committee_id text NOT NULL, event_id uuid NOT NULL, proposal_id text NOT NULL, reported_on date,
        text text NOT NULL DEFAULT '', unit_id text,
        PRIMARY KEY (committee_id, event_id));
    CREATE TABLE IF NOT EXISTS {s}.proposal_results (
        committee_id text NOT NULL, result_id text NOT NULL, proposal_id text NOT NULL, description text,
        document_ref text, adopted_on date,
        PRIMARY KEY (committee_id, result_id));
    CREATE TABLE IF NOT EXISTS {s}.reassignments (
        committee_id text NOT NULL, proposal_id text NOT NULL, unit_id text NOT NULL,
        state text NOT NULL,         -- requested granted refused
        reason text, suggested_unit_id text, new_unit_id text, decision_reason text,
        requested_on date, decided_on date,
        PRIMARY KEY (committee_id, proposal_id, unit_id));
    CREATE TABLE IF NOT EXISTS {s}.holiday_schedules (
        committee_id text NOT NULL, year int NOT NULL, days_off date[] NOT NULL, workdays date[] NOT NULL,
        source text, PRIMARY KEY (committee_id, year));
    -- The proposers of proposals merged into this one (并案): they are in cosigner_member_ids and
    -- confirmed_cosigner_ids too, which every reader takes as "the members the proposal counts for".
    ALTER TABLE {s}.proposals ADD COLUMN IF NOT EXISTS merged_proposer_ids text[] NOT NULL DEFAULT '{}';
    ALTER TABLE {s}.proposals ADD COLUMN IF NOT EXISTS opinion_letter_id text;
    -- Opinion letters (转意见建议函): a proposal not accepted, sent to a unit, until the unit acknowledges it.
    CREATE TABLE IF NOT EXISTS {s}.opinion_letters (
        committee_id text NOT NULL, letter_id text NOT NULL, proposal_id text NOT NULL, unit_id text NOT NULL,
        title text NOT NULL DEFAULT '', text text NOT NULL DEFAULT '', edited_by_office boolean NOT NULL DEFAULT false,
        category text, sent_on date NOT NULL, acknowledged_on date,
        PRIMARY KEY (committee_id, letter_id));
    CREATE INDEX IF NOT EXISTS opinion_letters_by_unit ON {s}.opinion_letters (committee_id, unit_id, sent_on);
    -- Replies whose evaluation deadline passed with ratings missing (未评议): who did not rate.
    CREATE TABLE IF NOT EXISTS {s}.evaluation_lapses (
        committee_id text NOT NULL, proposal_id text NOT NULL, unit_id text NOT NULL, round int NOT NULL,
        deadline date NOT NULL, not_rated_member_ids text[] NOT NULL DEFAULT '{}', rated int NOT NULL DEFAULT 0,
        lapsed_on date,
        PRIMARY KEY (committee_id, proposal_id, unit_id, round));
    CREATE TABLE IF NOT EXISTS {s}.solicitations (
        committee_id text NOT NULL, solicitation_id text NOT NULL, year int, title text, opens_on date,
        closes_on date, topics jsonb NOT NULL DEFAULT '[]', PRIMARY KEY (committee_id, solicitation_id));
    """

    # ---- submission and review ---------------------------------------------------------------------

    async def _set(self, conn: Statements, f: Fact, **columns: object) -> None:
        """Upsert the proposal row with these columns (creating it if an earlier event was never seen)."""
        names = list(columns)
        status = columns.get("status", "submitted")
        insert_cols = ["committee_id", "proposal_id", "updated_at", *names]
        if "status" not in columns:
            insert_cols.append("status")
        values = [f.committee_id, f.data["proposal_id"], f.occurred_at, *columns.values()]
        if "status" not in columns:
            values.append(status)
        placeholders = ", ".join(f"${i + 1}" for i in range(len(values)))
        # The latest of the events' times whatever order they arrive in (streams of their own can be read in either).
        updates = ", ".join([f"{n} = excluded.{n}" for n in names]
                            + ["updated_at = greatest(proposals.updated_at, excluded.updated_at)"])
        await conn.execute(
            f"INSERT INTO {self.t('proposals')} ({', '.join(insert_cols)}) VALUES ({placeholders}) "
            f"ON CONFLICT (committee_id, proposal_id) DO UPDATE SET {updates}", *values)

    @on("proposal-drafted")
    async def _drafted(self, conn: Statements, f: Fact) -> None:
        d = f.data
        await self._set(conn, f, status="draft", submitter_kind=d.get("submitter_kind"),
                        lead_member_id=d.get("lead_member_id"), cosigner_member_ids=f.ids("cosigner_member_ids"),
                        organization_id=d.get("organization_id"), special_committee=d.get("special_committee"),
                        sector=d.get("sector"), contact_member_id=d.get("contact_member_id"),
                        category=d.get("category"), title=d.get("title", ""))

    @on("proposal-revised")
    async def _revised(self, conn: Statements, f: Fact) -> None:
        await conn.execute(
            f"UPDATE {self.t('proposals')} SET category = $3, title = $4, updated_at = greatest(updated_at, $5) "
            "WHERE committee_id = $1 AND proposal_id = $2",
            f.committee_id, f.data["proposal_id"], f.data.get("category"), f.data.get("title", ""), f.occurred_at)

    @on("proposal-submitted")
    async def _submitted(self, conn: Statements, f: Fact) -> None:
        d = f.data
        cosigners = f.ids("cosigner_member_ids")
        await self._set(conn, f, status="submitted", year=d.get("year"), submitter_kind=d.get("submitter_kind"),
                        lead_member_id=d.get("lead_member_id"), cosigner_member_ids=cosigners,
                        organization_id=d.get("organization_id"), special_committee=d.get("special_committee"),
                        sector=d.get("sector"), contact_member_id=d.get("contact_member_id"),
                        category=d.get("category"), title=d.get("title", ""), cosign_deadline=f.date("cosign_deadline"),
                        submitted_on=f.local_date)
        await conn.execute(
            f"INSERT INTO {self.t('proposal_cosigners')} (committee_id, proposal_id, member_id, state, deadline) "
            "SELECT $1, $2, m, 'invited', $4 FROM unnest($3::text[]) AS m "
            "ON CONFLICT (committee_id, proposal_id, member_id) DO NOTHING",
            f.committee_id, d["proposal_id"], cosigners, f.date("cosign_deadline"))

    @on("proposal-resubmitted")
    async def _resubmitted(self, conn: Statements, f: Fact) -> None:
        await self._set(conn, f, status="submitted", year=f.data.get("year"), category=f.data.get("category"),
                        title=f.data.get("title", ""), submitted_on=f.local_date)

    @on("proposal-withdrawn")
    async def _withdrawn(self, conn: Statements, f: Fact) -> None:
        await self._set(conn, f, status="withdrawn", decision_reason=f.data.get("reason"), decided_on=f.local_date)

    async def _cosigner(self, conn: Statements, f: Fact, state: str) -> None:
        await conn.execute(
            f"INSERT INTO {self.t('proposal_cosigners')} (committee_id, proposal_id, member_id, state) "
            "VALUES ($1,$2,$3,$4) ON CONFLICT (committee_id, proposal_id, member_id) DO UPDATE SET state = $4",
            f.committee_id, f.data["proposal_id"], f.data["member_id"], state)

    @on("cosigner-confirmed")
    async def _confirmed(self, conn: Statements, f: Fact) -> None:
        await self._cosigner(conn, f, "confirmed")
        await conn.execute(
            f"UPDATE {self.t('proposals')} SET confirmed_cosigner_ids = array_append(confirmed_cosigner_ids, $3) "
            "WHERE committee_id = $1 AND proposal_id = $2 AND NOT ($3 = ANY(confirmed_cosigner_ids))",
            f.committee_id, f.data["proposal_id"], f.data["member_id"])

    @on("cosigner-declined")
    async def _declined(self, conn: Statements, f: Fact) -> None:
        await self._cosigner(conn, f, "declined")

    @on("cosigner-lapsed")
    async def _lapsed(self, conn: Statements, f: Fact) -> None:
        await self._cosigner(conn, f, "lapsed")

    @on("proposal-number-assigned")
    async def _numbered(self, conn: Statements, f: Fact) -> None:
        await conn.execute(
            f"UPDATE {self.t('proposals')} SET number = $3, sequence = $4, year = coalesce(year, $5) "
            "WHERE committee_id = $1 AND proposal_id = $2",
            f.committee_id, f.data["proposal_id"], f.data.get("number"), f.data.get("sequence"), f.data.get("year"))

    @on("proposal-accepted")
    async def _accepted(self, conn: Statements, f: Fact) -> None:
        d = f.data
        await self._set(conn, f, status="accepted", number=d.get("number"), year=d.get("year"),
                        sequence=d.get("sequence"), category=d.get("category"), submitter_kind=d.get("submitter_kind"),
                        lead_member_id=d.get("lead_member_id"), confirmed_cosigner_ids=f.ids("cosigner_member_ids"),
                        organization_id=d.get("organization_id"), special_committee=d.get("special_committee"),
                        sector=d.get("sector"), contact_member_id=d.get("contact_member_id"),
                        decision_reason=d.get("reason"), decided_on=f.local_date)
        # The event's co-signers replace the list: those merged in before acceptance are added back.
        await self._add_proposers(conn, f, f.ids("merged_proposer_ids"))
        await conn.execute(
            f"UPDATE {self.t('proposals')} SET confirmed_cosigner_ids = confirmed_cosigner_ids || "
            "ARRAY(SELECT m FROM unnest(merged_proposer_ids) m WHERE NOT m = ANY(confirmed_cosigner_ids) "
            "AND m IS DISTINCT FROM lead_member_id) WHERE committee_id = $1 AND proposal_id = $2",
            f.committee_id, d["proposal_id"])

    @on("proposal-not-accepted")
    async def _not_accepted(self, conn: Statements, f: Fact) -> None:
        await self._set(conn, f, status="not_accepted", converted_to=f.data.get("converted_to"),
                        decision_reason=f.data.get("reason"), opinion_report_id=f.data.get("opinion_report_id"),
                        opinion_letter_id=f.data.get("opinion_letter_id"), decided_on=f.local_date)

    @on("opinion-letter-sent")
    async def _letter_sent(self, conn: Statements, f: Fact) -> None:
        d = f.data
        await conn.execute(
            f"INSERT INTO {self.t('opinion_letters')} (committee_id, letter_id, proposal_id, unit_id, title, text, "
            "edited_by_office, category, sent_on) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) "
            "ON CONFLICT (committee_id, letter_id) DO UPDATE SET unit_id = excluded.unit_id, title = excluded.title, "
            "text = excluded.text, edited_by_office = excluded.edited_by_office, category = excluded.category, "
            "sent_on = excluded.sent_on",
            f.committee_id, d["letter_id"], d["proposal_id"], d["unit_id"], d.get("title", ""), d.get("text", ""),
            bool(d.get("edited_by_office")), d.get("category"), f.date("sent_on") or f.local_date)

    @on("opinion-letter-acknowledged")
    async def _letter_acknowledged(self, conn: Statements, f: Fact) -> None:
        await conn.execute(
            f"UPDATE {self.t('opinion_letters')} SET acknowledged_on = $3 WHERE committee_id = $1 AND letter_id = $2",
            f.committee_id, f.data["letter_id"], f.date("acknowledged_on") or f.local_date)

    @on("proposal-merged")
    async def _merged(self, conn: Statements, f: Fact) -> None:
        await self._set(conn, f, status="merged", merged_into=f.data.get("into_proposal_id"),
                        decision_reason=f.data.get("reason"), decided_on=f.local_date)

    async def _add_proposers(self, conn: Statements, f: Fact, members: list[str]) -> None:
        """Proposers of merged proposals become the target's: listed as merged, and among the members every
        reader counts the proposal for (its member's list, the evaluations owed, who is told)."""
        await conn.execute(
            f"UPDATE {self.t('proposals')} SET "
            "merged_proposer_ids = merged_proposer_ids || ARRAY(SELECT m FROM unnest($3::text[]) m "
            "  WHERE NOT m = ANY(merged_proposer_ids)), "
            "cosigner_member_ids = cosigner_member_ids || ARRAY(SELECT m FROM unnest($3::text[]) m "
            "  WHERE NOT m = ANY(cosigner_member_ids) AND m IS DISTINCT FROM lead_member_id), "
            "confirmed_cosigner_ids = confirmed_cosigner_ids || ARRAY(SELECT m FROM unnest($3::text[]) m "
            "  WHERE NOT m = ANY(confirmed_cosigner_ids) AND m IS DISTINCT FROM lead_member_id) "
            "WHERE committee_id = $1 AND proposal_id = $2",
            f.committee_id, f.data["proposal_id"], members)

    @on("proposal-merge-received")
    async def _merge_received(self, conn: Statements, f: Fact) -> None:
        await self._add_proposers(conn, f, f.ids("proposer_member_ids"))

    @on("proposal-returned")
    async def _returned(self, conn: Statements, f: Fact) -> None:
        await self._set(conn, f, status="returned", decision_reason=f.data.get("reason"), decided_on=f.local_date)

    # ---- assignment --------------------------------------------------------------------------------

    @on("proposal-assigned")
    async def _assigned(self, conn: Statements, f: Fact) -> None:
        d = f.data
        mode, lead, co = d.get("mode"), d.get("lead_unit_id"), f.ids("co_unit_ids")
        units = f.ids("unit_ids")
        await self._set(conn, f, status="assigned", mode=mode, lead_unit_id=lead, co_unit_ids=co, unit_ids=units,
                        assigned_on=f.date("assigned_on"), deadline=f.date("deadline"),
                        reassignment_window_ends=f.date("reassignment_window_ends"))
        for unit in units:
            role = "separate" if mode == "separate" else ("lead" if unit == lead else "co")
            await self._handling(conn, f, unit, role, f.date("assigned_on"))

    async def _handling(self, conn: Statements, f: Fact, unit: str, role: str, assigned_on: object) -> None:
        await conn.execute(
            f"INSERT INTO {self.t('handling')} (committee_id, proposal_id, unit_id, role, active, assigned_on, "
            "round, deadline) VALUES ($1,$2,$3,$4,true,$5,1,$6) ON CONFLICT (committee_id, proposal_id, unit_id) "
            "DO UPDATE SET role = excluded.role, active = true, assigned_on = excluded.assigned_on, "
            "deadline = excluded.deadline",
            f.committee_id, f.data["proposal_id"], unit, role, assigned_on, f.date("deadline"))

    @on("reassignment-requested")
    async def _reassignment_requested(self, conn: Statements, f: Fact) -> None:
        await conn.execute(
            f"INSERT INTO {self.t('reassignments')} (committee_id, proposal_id, unit_id, state, reason, "
            "suggested_unit_id, requested_on) VALUES ($1,$2,$3,'requested',$4,$5,$6) "
            "ON CONFLICT (committee_id, proposal_id, unit_id) DO UPDATE SET state = 'requested', "
            "reason = excluded.reason, suggested_unit_id = excluded.suggested_unit_id, "
            "requested_on = excluded.requested_on, decided_on = NULL, decision_reason = NULL",
            f.committee_id, f.data["proposal_id"], f.data["unit_id"], f.data.get("reason"),
            f.data.get("suggested_unit_id"), f.local_date)

    @on("reassignment-granted")
    async def _reassignment_granted(self, conn: Statements, f: Fact) -> None:
        d = f.data
        await conn.execute(
            f"UPDATE {self.t('reassignments')} SET state = 'granted', new_unit_id = $4, decision_reason = $5, "
            "decided_on = $6 WHERE committee_id = $1 AND proposal_id = $2 AND unit_id = $3",
            f.committee_id, d["proposal_id"], d["unit_id"], d.get("new_unit_id"), d.get("reason"), f.local_date)
        await conn.execute(
            f"UPDATE {self.t('handling')} SET active = false WHERE committee_id = $1 AND proposal_id = $2 "
            "AND unit_id = $3", f.committee_id, d["proposal_id"], d["unit_id"])
        await self._handling(conn, f, d["new_unit_id"], d.get("role") or "lead", f.local_date)
        await self._set(conn, f, lead_unit_id=d.get("lead_unit_id"), co_unit_ids=f.ids("co_unit_ids"),
                        unit_ids=f.ids("unit_ids"), reassignment_window_ends=f.date("reassignment_window_ends"))

    @on("reassignment-refused")
    async def _reassignment_refused(self, conn: Statements, f: Fact) -> None:
        await conn.execute(
            f"UPDATE {self.t('reassignments')} SET state = 'refused', decision_reason = $4, decided_on = $5 "
            "WHERE committee_id = $1 AND proposal_id = $2 AND unit_id = $3",
            f.committee_id, f.data["proposal_id"], f.data["unit_id"], f.data.get("reason"), f.local_date)

    @on("handling-deadline-recomputed")
    async def _deadline_recomputed(self, conn: Statements, f: Fact) -> None:
        await conn.execute(
            f"UPDATE {self.t('handling')} SET deadline = $4 WHERE committee_id = $1 AND proposal_id = $2 "
            "AND unit_id = $3", f.committee_id, f.data["proposal_id"], f.data["unit_id"], f.date("deadline"))

    @on("handling-overdue")
    async def _overdue(self, conn: Statements, f: Fact) -> None:
        await conn.execute(
            f"UPDATE {self.t('handling')} SET overdue_noticed = true WHERE committee_id = $1 AND proposal_id = $2 "
            "AND unit_id = $3", f.committee_id, f.data["proposal_id"], f.data["unit_id"])

    # ---- handling, reply, evaluation -----------------------------------------------------------------

    @on("handling-contact-recorded")
    async def _contact(self, conn: Statements, f: Fact) -> None:
        d = f.data
        await conn.execute(
            f"INSERT INTO {self.t('handling_contacts')} (committee_id, event_id, proposal_id, unit_id, kind, "
            "held_on, member_ids, summary) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT DO NOTHING",
            f.committee_id, f.event_id, d["proposal_id"], d["unit_id"], d["kind"], f.date("held_on"),
            f.ids("member_ids"), d.get("summary"))
        await conn.execute(
            f"UPDATE {self.t('handling')} SET contacted = true, met = met OR $4 WHERE committee_id = $1 "
            "AND proposal_id = $2 AND unit_id = $3",
            f.committee_id, d["proposal_id"], d["unit_id"], d["kind"] == "meeting")

    @on("proposal-replied")
    async def _replied(self, conn: Statements, f: Fact) -> None:
        d = f.data
        round_ = int(d.get("round", 1))
        await conn.execute(
            f"INSERT INTO {self.t('replies')} (committee_id, proposal_id, unit_id, round, result_class, text, "
            "on_time, replied_on, deadline, event_id) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) "
            "ON CONFLICT (committee_id, proposal_id, unit_id, round) DO UPDATE SET "
            "result_class = excluded.result_class, text = excluded.text, on_time = excluded.on_time, "
            "replied_on = excluded.replied_on, deadline = excluded.deadline, event_id = excluded.event_id",
            f.committee_id, d["proposal_id"], d["unit_id"], round_, d["result_class"], d.get("text", ""),
            bool(d.get("on_time")), f.date("replied_on") or f.local_date, f.date("deadline"), f.event_id)
        await conn.execute(
            f"INSERT INTO {self.t('handling')} (committee_id, proposal_id, unit_id, role, round, deadline) "
            "VALUES ($1,$2,$3,'lead',$4,$5) ON CONFLICT DO NOTHING",
            f.committee_id, d["proposal_id"], d["unit_id"], round_, f.date("deadline"))
        await conn.execute(
            f"UPDATE {self.t('handling')} SET replied_round = $4, replied_on = $5, result_class = $6, on_time = $7, "
            "round = greatest(round, $4), first_on_time = CASE WHEN $4 = 1 THEN $7 ELSE first_on_time END, "
            "evaluation_due = $8 WHERE committee_id = $1 AND proposal_id = $2 AND unit_id = $3",
            f.committee_id, d["proposal_id"], d["unit_id"], round_, f.date("replied_on") or f.local_date,
            d["result_class"], bool(d.get("on_time")), f.date("evaluation_due"))

    @on("reply-cosigned")
    async def _cosigned(self, conn: Statements, f: Fact) -> None:
        await conn.execute(
            f"UPDATE {self.t('handling')} SET cosigned_round = $4 WHERE committee_id = $1 AND proposal_id = $2 "
            "AND unit_id = $3", f.committee_id, f.data["proposal_id"], f.data["unit_id"], int(f.data.get("round", 1)))

    @on("reply-class-revised")
    async def _class_revised(self, conn: Statements, f: Fact) -> None:
        d = f.data
        args = (f.committee_id, d["proposal_id"], d["unit_id"], int(d.get("round", 1)), d["result_class"])
        await conn.execute(
            f"UPDATE {self.t('replies')} SET result_class = $5 WHERE committee_id = $1 AND proposal_id = $2 "
            "AND unit_id = $3 AND round = $4", *args)
        await conn.execute(
            f"UPDATE {self.t('handling')} SET result_class = $5 WHERE committee_id = $1 AND proposal_id = $2 "
            "AND unit_id = $3 AND replied_round = $4", *args)

    @on("commitment-recorded")
    async def _commitment(self, conn: Statements, f: Fact) -> None:
        d = f.data
        await conn.execute(
            f"INSERT INTO {self.t('commitments')} (committee_id, commitment_id, proposal_id, unit_id, round, text, "
            "due) VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (committee_id, commitment_id) DO UPDATE SET "
            "text = excluded.text, due = excluded.due",
            f.committee_id, d["commitment_id"], d["proposal_id"], d["unit_id"], d.get("round"), d.get("text", ""),
            f.date("due"))

    @on("proposal-evaluated")
    async def _evaluated(self, conn: Statements, f: Fact) -> None:
        d = f.data
        await conn.execute(
            f"INSERT INTO {self.t('evaluations')} (committee_id, proposal_id, unit_id, round, member_id, rating, "
            "attitude, contact, comment, evaluated_on, event_id) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) "
            "ON CONFLICT (committee_id, proposal_id, unit_id, round, member_id) DO UPDATE SET "
            "rating = excluded.rating, attitude = excluded.attitude, contact = excluded.contact, "
            "comment = excluded.comment, evaluated_on = excluded.evaluated_on, event_id = excluded.event_id",
            f.committee_id, d["proposal_id"], d["unit_id"], int(d.get("round", 1)), d["member_id"], d["rating"],
            d.get("attitude"), d.get("contact"), d.get("comment", ""), f.local_date, f.event_id)

    @on("evaluations-completed")
    async def _evaluations_completed(self, conn: Statements, f: Fact) -> None:
        d = f.data
        await conn.execute(
            f"INSERT INTO {self.t('evaluation_rounds')} (committee_id, proposal_id, unit_id, round, dissatisfied, "
            "completed_on) VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (committee_id, proposal_id, unit_id, round) "
            "DO UPDATE SET dissatisfied = excluded.dissatisfied, completed_on = excluded.completed_on",
            f.committee_id, d["proposal_id"], d["unit_id"], int(d.get("round", 1)), bool(d.get("dissatisfied")),
            f.local_date)

    @on("evaluation-lapsed")
    async def _evaluation_lapsed(self, conn: Statements, f: Fact) -> None:
        d = f.data
        await conn.execute(
            f"INSERT INTO {self.t('evaluation_lapses')} (committee_id, proposal_id, unit_id, round, deadline, "
            "not_rated_member_ids, rated, lapsed_on) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) "
            "ON CONFLICT (committee_id, proposal_id, unit_id, round) DO UPDATE SET deadline = excluded.deadline, "
            "not_rated_member_ids = excluded.not_rated_member_ids, rated = excluded.rated, "
            "lapsed_on = excluded.lapsed_on",
            f.committee_id, d["proposal_id"], d["unit_id"], int(d.get("round", 1)), f.date("deadline"),
            list(d.get("not_rated_member_ids") or []), int(d.get("rated", 0)), f.local_date)

    @on("handling-reopened")
    async def _reopened(self, conn: Statements, f: Fact) -> None:
        d = f.data
        await conn.execute(
            f"UPDATE {self.t('handling')} SET round = $4, deadline = $5, reopened_reason = $6, active = true "
            "WHERE committee_id = $1 AND proposal_id = $2 AND unit_id = $3",
            f.committee_id, d["proposal_id"], d["unit_id"], int(d.get("round", 2)), f.date("deadline"),
            d.get("reason_kind"))

    # ---- key proposals, look-back, results ------------------------------------------------------------

    @on("key-proposal-designated")
    async def _key(self, conn: Statements, f: Fact) -> None:
        await self._set(conn, f, is_key=True, key_leaders=f.ids("supervising_leaders"), key_reason=f.data.get("reason"))

    @on("key-proposal-progress-reported")
    async def _key_progress(self, conn: Statements, f: Fact) -> None:
        await conn.execute(
            f"INSERT INTO {self.t('key_progress')} (committee_id, event_id, proposal_id, reported_on, text, unit_id) "
            "VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT DO NOTHING",
            f.committee_id, f.event_id, f.data["proposal_id"], f.date("reported_on") or f.local_date,
            f.data.get("text", ""), f.data.get("unit_id"))

    @on("lookback-opened")
    async def _lookback_opened(self, conn: Statements, f: Fact) -> None:
        d = f.data
        await conn.execute(
            f"INSERT INTO {self.t('lookbacks')} (committee_id, lookback_id, subject, due, proposal_id, "
            "commitment_id, unit_id, recommendation_id) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) "
            "ON CONFLICT (committee_id, lookback_id) DO UPDATE SET due = excluded.due",
            f.committee_id, d["lookback_id"], d["subject"], f.date("due"), d.get("proposal_id"),
            d.get("commitment_id"), d.get("unit_id"), d.get("recommendation_id"))
        if d.get("commitment_id"):
            await conn.execute(
                f"UPDATE {self.t('commitments')} SET lookback_id = $3 WHERE committee_id = $1 AND commitment_id = $2",
                f.committee_id, d["commitment_id"], d["lookback_id"])

    @on("lookback-concluded")
    async def _lookback_concluded(self, conn: Statements, f: Fact) -> None:
        d = f.data
        await conn.execute(
            f"INSERT INTO {self.t('lookbacks')} (committee_id, lookback_id, subject, proposal_id, commitment_id, "
            "unit_id, recommendation_id, outcome, notes, concluded_on) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) "
            "ON CONFLICT (committee_id, lookback_id) DO UPDATE SET outcome = excluded.outcome, "
            "notes = excluded.notes, concluded_on = excluded.concluded_on",
            f.committee_id, d["lookback_id"], d["subject"], d.get("proposal_id"), d.get("commitment_id"),
            d.get("unit_id"), d.get("recommendation_id"), d["outcome"], d.get("notes", ""), f.local_date)
        if d.get("commitment_id"):
            await conn.execute(
                f"UPDATE {self.t('commitments')} SET lookback_id = $3, outcome = $4, concluded_on = $5 "
                "WHERE committee_id = $1 AND commitment_id = $2",
                f.committee_id, d["commitment_id"], d["lookback_id"], d["outcome"], f.local_date)

    @on("lookback-scheduled")
    async def _lookback_scheduled(self, conn: Statements, f: Fact) -> None:
        """The look-back after a 'partly' one: listed with its due date (and due in oversight from that day)
        before the watcher opens it under the same id."""
        d = f.data
        await conn.execute(
            f"INSERT INTO {self.t('lookbacks')} (committee_id, lookback_id, subject, due, proposal_id, "
            "commitment_id, unit_id, recommendation_id) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) "
            "ON CONFLICT (committee_id, lookback_id) DO UPDATE SET due = excluded.due",
            f.committee_id, d["lookback_id"], d["subject"], f.date("due"), d.get("proposal_id"),
            d.get("commitment_id"), d.get("unit_id"), d.get("recommendation_id"))
        if d.get("recommendation_id"):
            await conn.execute(
                f"UPDATE {self.t('recommendations')} SET lookback_due = $3 WHERE committee_id = $1 "
                "AND recommendation_id = $2", f.committee_id, d["recommendation_id"], f.date("due"))

    @on("recommendation-report-recorded")
    async def _recommendation(self, conn: Statements, f: Fact) -> None:
        d = f.data
        await conn.execute(
            f"INSERT INTO {self.t('recommendations')} (committee_id, recommendation_id, title, summary, "
            "addressed_to, sent_on, lookback_due) VALUES ($1,$2,$3,$4,$5,$6,$7) "
            "ON CONFLICT (committee_id, recommendation_id) DO UPDATE SET title = excluded.title, "
            "lookback_due = excluded.lookback_due",
            f.committee_id, d["recommendation_id"], d.get("title", ""), d.get("summary"), d.get("addressed_to"),
            f.date("sent_on"), f.date("lookback_due"))

    @on("recommendation-followup-reopened")
    async def _recommendation_reopened(self, conn: Statements, f: Fact) -> None:
        await conn.execute(
            f"UPDATE {self.t('recommendations')} SET lookback_due = $3 WHERE committee_id = $1 "
            "AND recommendation_id = $2",
            f.committee_id, f.data["recommendation_id"], f.date("next_lookback_due"))

    @on("proposal-result-recorded")
    async def _result(self, conn: Statements, f: Fact) -> None:
        d = f.data
        await conn.execute(
            f"INSERT INTO {self.t('proposal_results')} (committee_id, result_id, proposal_id, description, "
            "document_ref, adopted_on) VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (committee_id, result_id) DO UPDATE "
            "SET description = excluded.description, document_ref = excluded.document_ref, "
            "adopted_on = excluded.adopted_on",
            f.committee_id, d["result_id"], d["proposal_id"], d.get("description"), d.get("document_ref"),
            f.date("adopted_on"))

    @on("holiday-schedule-recorded")
    async def _holidays(self, conn: Statements, f: Fact) -> None:
        await conn.execute(
            f"INSERT INTO {self.t('holiday_schedules')} (committee_id, year, days_off, workdays, source) "
            "VALUES ($1,$2,$3,$4,$5) ON CONFLICT (committee_id, year) DO UPDATE SET days_off = excluded.days_off, "
            "workdays = excluded.workdays, source = excluded.source",
            f.committee_id, int(f.data["year"]), [_d(x) for x in f.data.get("days_off", [])],
            [_d(x) for x in f.data.get("workdays", [])], f.data.get("source"))

    @on("solicitation-published")
    async def _solicitation(self, conn: Statements, f: Fact) -> None:
        import json

        d = f.data
        await conn.execute(
            f"INSERT INTO {self.t('solicitations')} (committee_id, solicitation_id, year, title, opens_on, closes_on, "
            "topics) VALUES ($1,$2,$3,$4,$5,$6,$7::text::jsonb) ON CONFLICT (committee_id, solicitation_id) "
            "DO UPDATE SET title = excluded.title, opens_on = excluded.opens_on, closes_on = excluded.closes_on, "
            "topics = excluded.topics",
            f.committee_id, d["solicitation_id"], d.get("year"), d.get("title"), f.date("opens_on"),
            f.date("closes_on"), json.dumps(d.get("topics") or [], ensure_ascii=False))


def _d(value: object) -> object:
    from datetime import date

    return value if isinstance(value, date) else date.fromisoformat(str(value))
