"""交办单: the slip the office issues with a proposal to its handling units — the proposal's number, title,
category and proposers, the lead and co-handling units (or the units handling it separately), the reply
deadline and the last day a unit may ask to be re-assigned. Printed once the proposal is assigned."""

from __future__ import annotations

from contracts.envelope import Role
from contracts.proposals.enums import AssignmentMode
from contracts.roles import STAFF
from gateway.context import Context
from gateway.errors import Conflict
from gateway.exports.workbook import label
from gateway.printouts import proposal
from gateway.printouts.document import Document, Printable

TITLE = "提案交办单"


async def build(c: Context, key: proposal.ProposalKey) -> Printable:
    p = await proposal.load(c, key.proposal_id, "assignment slip")
    if p.row["assigned_on"] is None and not p.handling:
        raise Conflict(f"proposal {key.proposal_id} has no assignment slip: it is {p.row['status']}, not assigned")
    variables = p.variables()
    variables["mode_zh"] = label(AssignmentMode, p.row["mode"]) or ""
    return Printable(f"assignment-slip-{p.number or key.proposal_id}", f"{TITLE} {p.number}", variables)


DOCUMENT = Document("assignment-slip", TITLE, "proposal", STAFF | {Role.unit_staff}, proposal.ProposalKey,
                    "proposalId", build)
