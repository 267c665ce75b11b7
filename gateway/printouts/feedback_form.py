"""征询意见表: the form a proposer fills on a unit's handling — one page per unit that owes the proposers a
reply (the lead, or each unit handling it separately; a co-handling unit answers through the lead), naming the
proposal, its proposers and the unit, with the reply's class and day once it came, and the choices of
`proposal-evaluated` (办理态度, 沟通联系, 办理结果: 满意 / 基本满意 / 不满意) to tick by hand. The form is
printed blank: a proposer's recorded answers are sealed (`contracts.sealed`) and are not printed."""

from __future__ import annotations

from contracts.envelope import Role
from contracts.proposals.enums import ContactKind, Rating, ResultClass, UnitRole
from contracts.roles import STAFF
from gateway.context import Context
from gateway.errors import Conflict
from gateway.exports.workbook import label
from gateway.printouts import proposal
from gateway.printouts.document import Document, Printable

TITLE = "提案办理情况征询意见表"


async def build(c: Context, key: proposal.ProposalKey) -> Printable:
    p = await proposal.load(c, key.proposal_id, "feedback form", members=True)
    replying = [u for u in p.units if u.active and UnitRole(u.role).replies]
    if not replying:
        raise Conflict(f"proposal {key.proposal_id} has no feedback form: no unit is to reply to it "
                       f"(it is {p.row['status']})")
    variables = p.variables()
    variables["forms"] = [{"unit": u, "result_class": u.result_class,
                           "result_zh": label(ResultClass, u.result_class)} for u in replying]
    variables["ratings"] = [r.label_zh for r in Rating]
    variables["contact_kinds"] = [k.label_zh for k in ContactKind]
    return Printable(f"feedback-form-{p.number or key.proposal_id}", f"{TITLE} {p.number}", variables)


DOCUMENT = Document("feedback-form", TITLE, "proposal", STAFF | {Role.unit_staff, Role.member},
                    proposal.ProposalKey, "proposalId", build)
