"""意见建议函: a proposal not accepted (不立案) and converted to an opinion letter (转意见建议函) is sent on as a
letter — the proposal's title and proposers, the review's reason and day. The views know the conversion
(`proposals.converted_to`) but not yet the unit the letter is addressed to or its own text, so the letter
leaves the addressee as a line to fill in and quotes the review's reason; a proposal converted to a
public-opinion report, or not refused at all, has no letter (409)."""

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
    return Printable(f"opinion-letter-{key.proposal_id}", f"{TITLE} {p.row['title']}", variables)


DOCUMENT = Document("opinion-letter", TITLE, "proposal", STAFF, proposal.ProposalKey, "proposalId", build)
