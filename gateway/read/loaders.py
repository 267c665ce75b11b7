"""Per-request DataLoaders: every nested field reads its rows in one batched query per kind, whatever the
number of parents (no N+1). Built in `get_context`, scoped to the caller's committee; each
loader is made the first time a request reads it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from functools import cached_property
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from gateway.auth import Viewer
from gateway.errors import ServiceUnavailable
from gateway.read.contacts import ContactDirectory
from gateway.read.db import Db

K = TypeVar("K", bound=Hashable)
Row = Any  # an asyncpg.Record (asyncpg ships no type information)


class Loaders:
    def __init__(self, db: Db, viewer: Viewer, contacts: ContactDirectory | None = None) -> None:
        self.db = db
        self.committee = viewer.committee_id if viewer.authenticated else ""
        self.viewer = viewer
        self.contact_directory = contacts

    # ---- the loaders, each made on first use (a request reads a few of the ~40) -------------------

    @cached_property
    def member(self) -> DataLoader[str, Row | None]:
        return self._one("members", "member_id")

    @cached_property
    def unit(self) -> DataLoader[str, Row | None]:
        return self._one("units", "unit_id")

    @cached_property
    def organization(self) -> DataLoader[str, Row | None]:
        return self._one("organizations", "organization_id")

    @cached_property
    def proposal(self) -> DataLoader[str, Row | None]:
        return self._one("proposals", "proposal_id")

    @cached_property
    def meeting(self) -> DataLoader[str, Row | None]:
        return self._one("meetings", "meeting_id")

    @cached_property
    def report(self) -> DataLoader[str, Row | None]:
        return self._one("opinion_reports", "report_id")

    @cached_property
    def handling(self) -> DataLoader[str, list[Row]]:
        return self._many("handling", "proposal_id", "(role = 'co'), unit_id")

    @cached_property
    def replies(self) -> DataLoader[str, list[Row]]:
        return self._many("replies", "proposal_id", "unit_id, round")

    @cached_property
    def evaluations(self) -> DataLoader[str, list[Row]]:
        return self._many("evaluations", "proposal_id", "unit_id, round, member_id")

    @cached_property
    def evaluation_rounds(self) -> DataLoader[str, list[Row]]:
        return self._many("evaluation_rounds", "proposal_id", "unit_id, round")

    @cached_property
    def contacts(self) -> DataLoader[str, list[Row]]:
        return self._many("handling_contacts", "proposal_id", "held_on, event_id")

    @cached_property
    def cosigners(self) -> DataLoader[str, list[Row]]:
        return self._many("proposal_cosigners", "proposal_id", "member_id")

    @cached_property
    def key_progress(self) -> DataLoader[str, list[Row]]:
        return self._many("key_progress", "proposal_id", "reported_on, event_id")

    @cached_property
    def results(self) -> DataLoader[str, list[Row]]:
        return self._many("proposal_results", "proposal_id", "adopted_on, result_id")

    @cached_property
    def reassignments(self) -> DataLoader[str, list[Row]]:
        return self._many("reassignments", "proposal_id", "requested_on, unit_id")

    @cached_property
    def commitments(self) -> DataLoader[str, list[Row]]:
        return self._many("commitments", "proposal_id", "due, commitment_id")

    @cached_property
    def invitees(self) -> DataLoader[str, list[Row]]:
        return self._many("meeting_invitees", "meeting_id", "member_id")

    @cached_property
    def visit_outcomes(self) -> DataLoader[str, list[Row]]:
        return self._many("visit_outcomes", "visit_id", "outcome_kind, outcome_id")

    @cached_property
    def report_steps(self) -> DataLoader[str, list[Row]]:
        return self._many("opinion_report_steps", "report_id", "on_date NULLS LAST, event_id")

    @cached_property
    def consultation_outcomes(self) -> DataLoader[str, list[Row]]:
        return self._many("consultation_outcomes", "consultation_id", "held_on NULLS LAST, outcome_id")

    @cached_property
    def outcome_instructions(self) -> DataLoader[str, list[Row]]:
        return self._many("consultation_outcome_instructions", "outcome_id", "instructed_on NULLS LAST, instruction_id")

    @cached_property
    def tracked_units(self) -> DataLoader[str, list[Row]]:
        return self._many("tracked_item_units", "item_id", "unit_id")

    @cached_property
    def tracked_item(self) -> DataLoader[str, Row | None]:
        return self._one("tracked_items", "item_id")

    @cached_property
    def tracked_children(self) -> DataLoader[str, list[Row]]:
        return self._many("tracked_items", "parent_item_id", "due NULLS LAST, item_id")

    @cached_property
    def tracked_by_source(self) -> DataLoader[str, list[Row]]:
        return self._many("tracked_items", "source_id", "due NULLS LAST, item_id")

    @cached_property
    def tracked_milestones(self) -> DataLoader[str, list[Row]]:
        return self._many("tracked_item_milestones", "item_id", "reached_on, unit_id, text")

    @cached_property
    def tracked_lookbacks(self) -> DataLoader[str, list[Row]]:
        return self._many("tracked_item_lookbacks", "item_id", "looked_back_on NULLS LAST, round")

    @cached_property
    def supervision_activities(self) -> DataLoader[str, list[Row]]:
        return self._many("supervision_activities", "supervision_id", "held_on NULLS LAST, activity_id")

    @cached_property
    def supervision_reports(self) -> DataLoader[str, list[Row]]:
        return self._many("supervision_reports", "supervision_id", "reported_on NULLS LAST, report_id")

    @cached_property
    def research_applications(self) -> DataLoader[str, list[Row]]:
        return self._many("research_applications", "topic_id", "applied_on NULLS LAST, application_id")

    @cached_property
    def research_field_days(self) -> DataLoader[str, list[Row]]:
        return self._many("research_field_days", "topic_id", "held_on NULLS LAST, activity_id")

    @cached_property
    def research_reports(self) -> DataLoader[str, list[Row]]:
        return self._many("research_reports", "topic_id", "reported_on NULLS LAST, report_id")

    @cached_property
    def score_items(self) -> DataLoader[tuple[str, int], list[Row]]:
        return self._per_member_year("score_items", "NOT withdrawn", "category, occurred_on, item_id")

    @cached_property
    def score_flags(self) -> DataLoader[tuple[str, int], list[Row]]:
        return self._per_member_year("score_flags", "NOT cleared", "flag")

    @cached_property
    def activity(self) -> DataLoader[tuple[str, int], list[Row]]:
        return self._per_member_year("score_activity", "true", "kind, occurred_on, ref_id")

    @cached_property
    def grade(self) -> DataLoader[tuple[str, int], Row | None]:
        return DataLoader(load_fn=self._load_grades)

    @cached_property
    def rulebook(self) -> DataLoader[int, Row | None]:
        return DataLoader(load_fn=self._load_rulebooks)

    @cached_property
    def contact(self) -> DataLoader[str, dict[str, Any] | None]:
        return DataLoader(load_fn=self._load_contacts)

    # ---- builders ---------------------------------------------------------------------------------

    def _one(self, table: str, key: str) -> DataLoader[str, Row | None]:
        async def load(ids: Sequence[str]) -> list[Row | None]:
            rows = await self.db.fetch(
                f"SELECT * FROM {{s}}.{table} WHERE committee_id = $1 AND {key} = ANY($2::text[])",
                self.committee, list(ids))
            found = {r[key]: r for r in rows}
            return [found.get(i) for i in ids]

        return DataLoader(load_fn=load)

    def _many(self, table: str, key: str, order: str) -> DataLoader[str, list[Row]]:
        async def load(ids: Sequence[str]) -> list[list[Row]]:
            rows = await self.db.fetch(
                f"SELECT * FROM {{s}}.{table} WHERE committee_id = $1 AND {key} = ANY($2::text[]) "
                f"ORDER BY {order}", self.committee, list(ids))
            grouped: dict[str, list[Row]] = defaultdict(list)
            for r in rows:
                grouped[r[key]].append(r)
            return [grouped.get(i, []) for i in ids]

        return DataLoader(load_fn=load)

    def _per_member_year(self, table: str, condition: str, order: str) -> DataLoader[tuple[str, int], list[Row]]:
        async def load(keys: Sequence[tuple[str, int]]) -> list[list[Row]]:
            rows = await self.db.fetch(
                f"SELECT t.* FROM {{s}}.{table} t JOIN unnest($2::text[], $3::int[]) AS k(member_id, year) "
                f"USING (member_id, year) WHERE t.committee_id = $1 AND {condition} ORDER BY {order}",
                self.committee, [k[0] for k in keys], [k[1] for k in keys])
            grouped: dict[tuple[str, int], list[Row]] = defaultdict(list)
            for r in rows:
                grouped[(r["member_id"], r["year"])].append(r)
            return [grouped.get(k, []) for k in keys]

        return DataLoader(load_fn=load)

    async def _load_grades(self, keys: Sequence[tuple[str, int]]) -> list[Row | None]:
        rows = await self.db.fetch(
            "SELECT g.* FROM {s}.score_grades g JOIN unnest($2::text[], $3::int[]) AS k(member_id, year) "
            "USING (member_id, year) WHERE g.committee_id = $1",
            self.committee, [k[0] for k in keys], [k[1] for k in keys])
        found = {(r["member_id"], r["year"]): r for r in rows}
        return [found.get(k) for k in keys]

    async def _load_contacts(self, member_ids: Sequence[str]) -> list[dict[str, Any] | None]:
        if self.contact_directory is None or self.viewer.token is None:
            raise ServiceUnavailable("contact data is not available here")
        return await self.contact_directory.fetch(member_ids, self.viewer.token)

    async def _load_rulebooks(self, years: Sequence[int]) -> list[Row | None]:
        """The rulebook in force for each year (the highest version in force)."""
        rows = await self.db.fetch(
            "SELECT DISTINCT ON (year) * FROM {s}.rulebooks WHERE committee_id = $1 AND year = ANY($2::int[]) "
            "ORDER BY year, in_force DESC, version DESC", self.committee, list(years))
        found = {r["year"]: r for r in rows}
        return [found.get(y) for y in years]


async def load_all(loader: DataLoader[K, Any], keys: Sequence[K]) -> list[Any]:
    return list(await loader.load_many(list(keys)))


Loader = Callable[[Sequence[Any]], Awaitable[list[Any]]]
