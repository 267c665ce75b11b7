"""Proposals of earlier years imported from the office's files (CSV or XLSX) through the kernel's one import
mechanism (`eventstore.file_import`): each row checked as `PastProposalRow`, decided by the pure decider below
on its own stream (`pastProposal-<committee>-past:<year>-<sequence>`), all rows in one transaction, each refused
row reported (row, fields, rule) and skipped. Over HTTP: `import-past-proposals` (`proposals.handlers`).

A row is refused when its year is not before the current one, when its number repeats in the file, was imported
before or was given on the platform (the year's numbering stream), and when a unit it names (by id or by name)
is not in the service's record of the members registry (`proposals.registry`). Where the service runs without
that record (alone, without the members topic: `registry_checks` off), units cannot be checked: they are kept as
written, with no ids, and the answer says `unit_check: "pending"`."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from contracts.proposals import PastProposalImported, PastProposalRow, ResultClass
from contracts.registry import DomainEvent
from eventstore.command_outcome import CommandOutcome
from eventstore.decider import Decider
from eventstore.file_import import RowRefused, Sheet, validated
from eventstore.issued import Issued
from eventstore.unit_of_work import Tx
from proposals import streams
from proposals.domain.numbering import NUMBERING
from proposals.domain.refusals import refuse
from proposals.registry import RegistryChecks

COLUMNS: dict[str, tuple[str, ...]] = {
    "number": ("编号", "提案编号", "案号", "number"),
    "year": ("年度", "年份", "year"),
    "title": ("标题", "案题", "提案标题", "title"),
    "text": ("内容", "提案内容", "正文", "text"),
    "case": ("案由", "case"),
    "suggestions": ("建议", "具体建议", "suggestions"),
    "units": ("承办单位", "units"),
    "result_class": ("办理结果", "结果类别", "答复类别", "result_class", "result class", "result"),
}
# 2024-017, 2024年第17号, 第17号, 017, 17 — the year part, when given, must be the row's year.
_NUMBER = re.compile(r"^(?:(\d{4})\s*(?:年|[-－—_/])\s*)?第?\s*(\d{1,4})\s*号?$")
_YEAR = re.compile(r"^(\d{4})\s*年?$")
_UNIT_SEPARATORS = re.compile(r"[、;；\n]+")
_FIELD_RULES = {"title": "title_required"}


# ---- units: the service's record of the members registry ----------------------------------------------------

# The committee's units among those a row writes (registry ids or names): written -> unit id, read in the
# import's transaction; None where the service keeps no record of the registry (the check is pending).
UnitDirectory = Callable[[Tx, Sequence[str]], Awaitable[Mapping[str, str] | None]]


async def units_pending(tx: Tx, written: Sequence[str]) -> Mapping[str, str] | None:
    """The service runs without its record of the registry: units cannot be checked."""
    return None


def unit_directory(checks: RegistryChecks | None) -> UnitDirectory:
    """The units of the service's record of the registry (`registry_units`, by id or by name), or pending."""
    if checks is None:
        return units_pending
    table = f"{checks.registry.s}.registry_units"

    async def lookup(tx: Tx, written: Sequence[str]) -> Mapping[str, str]:
        rows = await tx.conn.fetch(f"SELECT unit_id, name FROM {table} WHERE committee_id = $1 "
                                   "AND (unit_id = ANY($2::text[]) OR name = ANY($2::text[]))",
                                   tx.committee_id, list(written))
        found: dict[str, str] = {}
        for r in rows:
            found.setdefault(r["name"], r["unit_id"])
            found[r["unit_id"]] = r["unit_id"]  # an id wins over another unit's name
        return {w: found[w] for w in written if w in found}

    return lookup


# ---- one row to one command ------------------------------------------------------------------------------

def _year(text: str) -> int:
    match = _YEAR.match(text.strip())
    if not match:
        raise RowRefused("invalid_year", f"年度 (year) {text!r} is not a year such as 2024", ["year"])
    return int(match.group(1))


def _sequence(text: str, year: int) -> int:
    match = _NUMBER.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 9999:
        raise RowRefused("invalid_number", f"编号 (number) {text!r} is not a proposal number such as {year}-017",
                         ["number"])
    if match.group(1) and int(match.group(1)) != year:
        raise RowRefused("number_not_of_year", f"编号 (number) {text!r} is not a number of {year}", ["number", "year"])
    return int(match.group(2))


def _result_class(text: str) -> ResultClass | None:
    cleaned = text.strip().upper().removesuffix("类")
    if not cleaned:
        return None
    try:
        return ResultClass.from_label(cleaned) if cleaned in {"A", "B", "C"} else ResultClass.from_label(text)
    except ValueError:
        labels = "/".join(f"{c.value} {c.label_zh}" for c in ResultClass)
        raise RowRefused("unknown_result_class", f"办理结果 (result_class) {text!r} is not one of {labels}",
                         ["result_class"]) from None


def row_command(values: dict[str, str]) -> PastProposalRow:
    """The row as the contract accepts it, or RowRefused naming the column and the rule."""
    for column in ("number", "year", "title"):
        if not values.get(column):
            raise RowRefused(f"{column}_required", f"{COLUMNS[column][0]} ({column}) is required", [column])
    year = _year(values["year"])
    if not any(values.get(c) for c in ("text", "case", "suggestions")):
        raise RowRefused("text_required", "内容 (text), or 案由 (case) and 建议 (suggestions), is required", ["text"])
    if values.get("text") and (values.get("case") or values.get("suggestions")):
        raise RowRefused("text_or_case", "give 内容 (text), or 案由 (case) and 建议 (suggestions), not both",
                         ["text", "case", "suggestions"])
    data: dict[str, Any] = {
        "year": year, "sequence": _sequence(values["number"], year), "title": values["title"],
        "units": [u.strip() for u in _UNIT_SEPARATORS.split(values.get("units", "")) if u.strip()],
        "result_class": _result_class(values.get("result_class", "")),
        **{c: values[c] for c in ("text", "case", "suggestions") if values.get(c)},
    }
    return validated(PastProposalRow, data, _FIELD_RULES)


async def _imported_numbers(tx: Tx) -> dict[str, set[str]]:
    """Numbers imported before, from this service's own events (the import holds its kind's lock)."""
    rows = await tx.conn.fetch(f"SELECT data->>'number' AS number FROM {tx.store.schema}.events "
                               "WHERE committee_id = $1 AND type = $2", tx.committee_id,
                               PastProposalImported.event_type)
    return {"number": {r["number"] for r in rows}}


PAST_PROPOSALS = Sheet[PastProposalRow]("proposal", COLUMNS, ("number", "year", "title"), row_command,
                                        lambda row: row.proposal_id, lambda row: {"number": row.number},
                                        _imported_numbers, name_column="title")


# ---- the decider of an imported proposal (pure) -------------------------------------------------------------

@dataclass(frozen=True)
class PastProposalState:
    imported: bool = False


@dataclass(frozen=True)
class ImportPastProposal:
    row: PastProposalRow
    unit_ids: tuple[str, ...]
    numbered_up_to: int  # the last sequence the platform gave in the row's year (numbers are gap-free)


def decide(state: PastProposalState, issued: Issued[ImportPastProposal]) -> Sequence[DomainEvent]:
    cmd, row = issued.command, issued.command.row
    if state.imported:
        raise refuse("number_already_registered", f"proposal {row.number} was imported before", fields=["number"])
    if row.year >= issued.today.year:
        raise refuse("year_not_past", f"年度 (year) {row.year} is not before {issued.today.year}: a proposal of "
                     "this year is submitted on the platform", fields=["year"])
    if row.sequence <= cmd.numbered_up_to:
        raise refuse("number_already_registered", f"proposal number {row.number} was given on the platform",
                     fields=["number"])
    return [PastProposalImported(proposal_id=row.proposal_id, number=row.number, year=row.year,
                                 sequence=row.sequence, title=row.title, case=row.text or row.case,
                                 suggestions=row.suggestions, unit_ids=list(cmd.unit_ids),
                                 units_as_written=list(row.units), result_class=row.result_class)]


def evolve(state: PastProposalState, event: DomainEvent) -> PastProposalState:
    if isinstance(event, PastProposalImported):
        return PastProposalState(imported=True)
    raise TypeError(f"a past proposal has no event {type(event).__name__}")


PAST_PROPOSAL: Decider[PastProposalState, Issued[ImportPastProposal]] = Decider(
    initial=PastProposalState, decide=decide, evolve=evolve)


# ---- one row's staging in the import's transaction --------------------------------------------------------

def _unit_ids(row: PastProposalRow, directory: Mapping[str, str] | None) -> tuple[str, ...]:
    if directory is None:
        return ()
    unknown = [u for u in row.units if u not in directory]
    if unknown:
        raise RowRefused("unknown_unit", f"承办单位 (units): {'、'.join(unknown)} is not a registered handling unit",
                         ["units"])
    return tuple(dict.fromkeys(directory[u] for u in row.units))


def staging(directory: UnitDirectory) -> Callable[[Tx, PastProposalRow], Awaitable[None]]:
    """The work of one row: its units looked up, the year's numbering read under its lock (as an acceptance
    takes it), the past proposal decided on its own stream."""
    async def stage(tx: Tx, row: PastProposalRow) -> None:
        unit_ids = _unit_ids(row, await directory(tx, row.units) if row.units else {})
        await tx.lock(streams.numbering(tx.committee_id, row.year))
        numbers = await tx.load(streams.numbering(tx.committee_id, row.year), NUMBERING)
        loaded = await tx.load(streams.past_proposal(tx.committee_id, row.proposal_id), PAST_PROPOSAL)
        tx.decide(loaded, PAST_PROPOSAL, ImportPastProposal(row, unit_ids, numbers.state.last_sequence))

    return stage


def with_unit_check(outcome: CommandOutcome, directory: UnitDirectory) -> CommandOutcome:
    """The import's answer, saying so where units could not be checked (kept as written, no ids)."""
    if directory is units_pending and isinstance(outcome.result, dict):
        outcome.result["unit_check"] = "pending"
    return outcome


def body_of(event: PastProposalImported) -> str:
    """The text the similar-proposals index compares: the whole text, or the case and the suggestions."""
    return "\n".join(part for part in (event.case, event.suggestions) if part)
