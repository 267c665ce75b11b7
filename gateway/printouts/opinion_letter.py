"""意见建议函: a proposal not accepted (不立案) and converted to an opinion letter (转意见建议函) is sent on as a
letter — addressed to its unit, with its text (the proposal's, or the office's edited one), the proposal's title
and proposers, the review's reason and day (the views' `opinion_letters`). A letter recorded before letters named
their unit leaves the addressee as a line to fill in; a proposal converted to a public-opinion report, or not
refused at all, has no letter (409)."""

from __future__ import annotations

from contracts.proposals.enums import NotAcceptedConversion
from contracts.roles import STAFF
from gateway.context import Context
from gateway.errors import Conflict
from gateway.printouts import proposal
from gateway.printouts.document import Document, Printable

TITLE = "意见建议函"


async def build(c: Context, key: proposal.ProposalKey) -> Printable:
    p = await proposal.load(c, key.proposal_id, "opinion letter")
    if p.row["status"] != "not_accepted" or p.row["converted_to"] != NotAcceptedConversion.opinion_letter.value:
        became = (" it was converted to a public-opinion report" if p.row["converted_to"] else
                  f" it is {p.row['status']}")
        raise Conflict(f"proposal {key.proposal_id} has no opinion letter: only a proposal not accepted and "
                       f"converted to an opinion letter has one;{became}")
    variables = p.variables()
    variables["signers"] = p.signers
    variables["letter"] = await _letter(c, p.row["opinion_letter_id"])
    return Printable(f"opinion-letter-{key.proposal_id}", f"{TITLE} {p.row['title']}", variables)


DOCUMENT = Document("opinion-letter", TITLE, "proposal", STAFF, proposal.ProposalKey, "proposalId", build)


async def _letter(c: Context, letter_id: str | None) -> dict[str, object] | None:
    if not letter_id:
        return None
    row = await c.db.fetchrow("SELECT unit_id, text, sent_on, acknowledged_on FROM {s}.opinion_letters "
                              "WHERE committee_id = $1 AND letter_id = $2", c.viewer.committee_id, letter_id)
    if row is None:
        return None
    unit = await c.loaders.unit.load(row["unit_id"])
    return {"unit": str(unit["name"]) if unit else row["unit_id"], "text": row["text"], "sent_on": row["sent_on"],
            "acknowledged_on": row["acknowledged_on"]}
