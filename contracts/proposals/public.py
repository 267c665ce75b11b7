"""What other county systems may know of the proposals service's facts (`proposals.public.<committee>`).

A proposal becomes public when it is submitted: its drafts and revisions are the proposer's; an opinion letter
it became when not accepted is public without its text. Individual
evaluations are never public (not even after completion: outsiders get the round's size and, from three
raters on, whether any was dissatisfied — `EvaluationsCompletedPublic` says why no more); public-opinion
reports (社情民意) are public from adoption on, without their text."""

from __future__ import annotations

from pydantic import Field

from contracts.bounded import Count
from contracts.proposals import calendar, lookback, opinion_letter, opinion_report, proposal, solicitation
from contracts.proposals.common import Id
from contracts.proposals.enums import Rating
from contracts.proposals.past_proposal import PastProposalImported
from contracts.public import PUBLIC, Publication, PublicEvent, derive, publish, withhold
from contracts.registry import DomainEvent

# From how many raters on a round says whether any of them was dissatisfied (see `EvaluationsCompletedPublic`).
MIN_RATERS = 3


class EvaluationsCompletedPublic(PublicEvent):
    """A unit's reply has been rated by every proposer who rated it in time: how many rated it and, from
    three raters on, whether any of them was dissatisfied. No public form of a round names a proposer's rating.

    The proposers are public (`proposal-submitted`, `cosigner-confirmed`), so a per-round tally of ratings
    would be each person's rating whenever the round is small or unanimous: one proposer's `1 satisfied`,
    five proposers' `5 dissatisfied`. And a rule that leaves the counts out only then (unanimous rounds) tells
    by leaving them out. The rule here depends on the number of raters alone, never on the ratings:

    - `raters` (already public: every `proposal-evaluated` is, without its answers) is always published;
    - `any_dissatisfied` only when at least `MIN_RATERS` (3) rated, else null. With two or more raters the
      flag names no one (any of them may be the dissatisfied one, or the satisfied one); with three, not even
      for a co-proposer who reads the public topic and knows their own rating. One rater's flag would be
      their rating (dissatisfied or not), and two raters' flag, for either of them, the other's;
    - per-choice counts are never published per round (a county's satisfaction rates are the office's
      reports, over many rounds).

    What the round's process makes public anyway is not hidden here: a first round ending with a dissatisfied
    proposer reopens the handling (`handling-reopened`, reason `dissatisfied`)."""

    proposal_id: Id
    unit_id: Id
    round: Count
    raters: Count = Field(description="how many proposers rated the reply")
    any_dissatisfied: bool | None = Field(
        description=f"whether any rater was dissatisfied; null when fewer than {MIN_RATERS} rated")


def evaluations_completed(event: DomainEvent, _: Publication) -> EvaluationsCompletedPublic:
    assert isinstance(event, proposal.EvaluationsCompleted)
    raters = len(event.ratings)
    dissatisfied = any(entry.rating is Rating.dissatisfied for entry in event.ratings)
    return EvaluationsCompletedPublic(
        proposal_id=event.proposal_id, unit_id=event.unit_id, round=event.round, raters=raters,
        any_dissatisfied=dissatisfied if raters >= MIN_RATERS else None)


VIEWS = [
    withhold(proposal.ProposalDrafted, because="a draft is the proposer's until it is submitted"),
    withhold(proposal.ProposalRevised, because="a revision is the proposer's work on a draft or a returned proposal"),
    publish(proposal.ProposalSubmitted),
    publish(proposal.CosignerConfirmed),
    publish(proposal.CosignerDeclined),
    publish(proposal.CosignerLapsed),
    publish(proposal.ProposalAccepted, omit={"reason"}),
    publish(proposal.ProposalNotAccepted, omit={"reason"}),
    publish(proposal.ProposalReturned, omit={"reason"}),
    publish(proposal.ProposalWithdrawn, omit={"reason"}),
    publish(proposal.ProposalNumberAssigned),
    # A proposal of an earlier year, imported from the office's files: its number, year, title, units and result
    # class are public as a submitted proposal's are; its text, like every proposal's, is not.
    publish(PastProposalImported, omit={"case", "suggestions"}),
    publish(proposal.ProposalResubmitted),
    publish(proposal.ProposalMerged, omit={"reason"}),
    publish(proposal.ProposalMergeReceived, omit={"reason"}),
    publish(proposal.ProposalAssigned, omit={"note"}),
    publish(proposal.ReassignmentRequested, omit={"reason"}),
    publish(proposal.ReassignmentGranted, omit={"reason"}),
    publish(proposal.ReassignmentRefused, omit={"reason"}),
    publish(proposal.HandlingContactRecorded, omit={"summary"}),
    publish(proposal.HandlingDeadlineRecomputed, omit={"reason"}),
    publish(proposal.HandlingOverdue),
    publish(proposal.HandlingReopened, omit={"reason"}),
    publish(proposal.ProposalReplied, omit={"text"}),
    publish(proposal.ReplyCosigned),
    publish(proposal.ReplyClassRevised, omit={"reason"}),
    publish(proposal.CommitmentRecorded, omit={"text"}),
    # Who rated which reply how stays with the office, the proposers and (after completion) the unit.
    publish(proposal.ProposalEvaluated, omit={"member_id", "rating", "attitude", "contact", "comment"}),
    # Version 2: the round's size and, from three raters on, whether any was dissatisfied (v1's per-choice counts
    # were each proposer's rating in a one-proposer or unanimous round).
    derive(proposal.EvaluationsCompleted, EvaluationsCompletedPublic, evaluations_completed, version=2),
    # That a reply went unevaluated is public, as counts: who rated and who did not stays with the office.
    publish(proposal.EvaluationLapsed, omit={"not_rated_member_ids"}),
    # A committee's rule, like its look-back interval.
    publish(proposal.EvaluationWindowSet),
    publish(proposal.ProposalResultRecorded, omit={"description"}),
    publish(proposal.KeyProposalDesignated, omit={"reason"}),
    publish(proposal.KeyProposalProgressReported, omit={"text"}),
    publish(calendar.HolidayScheduleRecorded),
    # A call for proposals is a public notice, its reference list's descriptions included.
    publish(solicitation.SolicitationPublished, notice_text={"description"}),
    publish(lookback.LookbackOpened),
    publish(lookback.LookbackConcluded, omit={"notes"}),
    # When the next look-back falls due, as `lookback-opened` will say (ids and a date, nobody's data).
    publish(lookback.LookbackScheduled),
    # A committee's rule, like its holiday schedule.
    publish(lookback.LookbackIntervalSet),
    publish(lookback.RecommendationReportRecorded, omit={"summary"}),
    publish(lookback.RecommendationFollowupReopened, omit={"reason"}),
    # An opinion letter is public as a fact — which unit it went to, on which proposal, and that the unit
    # acknowledged it — never its text (a proposal's text is never public).
    publish(opinion_letter.OpinionLetterSent, omit={"text"}),
    publish(opinion_letter.OpinionLetterAcknowledged),
    withhold(opinion_report.OpinionReportSubmitted,
             because="a public-opinion report is the member's and the office's until it is adopted"),
    withhold(opinion_report.OpinionReportEdited, because="editing happens before adoption"),
    # `adopted_by` is the body that adopted it (e.g. 市政协办公室), not an account.
    publish(opinion_report.OpinionReportAdopted, not_personal={"adopted_by"}),
    publish(opinion_report.OpinionReportForwarded),
    publish(opinion_report.OpinionReportInstructed, omit={"instruction"}),
    publish(opinion_report.OpinionReportPublished),
]
PUBLIC.declare(VIEWS)
