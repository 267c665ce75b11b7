"""What other county systems may know of the proposals service's facts (`proposals.public.<committee>`).

A proposal becomes public when it is submitted: its drafts and revisions are the proposer's; an opinion letter
it became when not accepted is public without its text. Individual
evaluations are never public (not even after completion: outsiders get the round's tally); public-opinion
reports (社情民意) are public from adoption on, without their text."""

from __future__ import annotations

from contracts.bounded import Count
from contracts.proposals import calendar, lookback, opinion_letter, opinion_report, proposal, solicitation
from contracts.proposals.common import Id, RatingEntry
from contracts.proposals.enums import Rating
from contracts.proposals.past_proposal import PastProposalImported
from contracts.public import PUBLIC, Publication, PublicEvent, derive, publish, withhold
from contracts.registry import DomainEvent


class EvaluationsCompletedPublic(PublicEvent):
    """Every proposer has rated the unit's reply: how many rated it satisfied, basically satisfied, dissatisfied."""

    proposal_id: Id
    unit_id: Id
    round: Count
    satisfied: Count
    basically_satisfied: Count
    dissatisfied: Count
    reopened_for_dissatisfaction: bool


def rating_tally(ratings: list[RatingEntry]) -> dict[Rating, int]:
    tally = dict.fromkeys(Rating, 0)
    for entry in ratings:
        tally[entry.rating] += 1
    return tally


def evaluations_completed(event: DomainEvent, _: Publication) -> EvaluationsCompletedPublic:
    assert isinstance(event, proposal.EvaluationsCompleted)
    tally = rating_tally(list(event.ratings))
    return EvaluationsCompletedPublic(
        proposal_id=event.proposal_id, unit_id=event.unit_id, round=event.round,
        satisfied=tally[Rating.satisfied], basically_satisfied=tally[Rating.basically_satisfied],
        dissatisfied=tally[Rating.dissatisfied], reopened_for_dissatisfaction=event.dissatisfied)


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
    derive(proposal.EvaluationsCompleted, EvaluationsCompletedPublic, evaluations_completed),
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
    publish(opinion_report.OpinionReportAdopted),
    publish(opinion_report.OpinionReportForwarded),
    publish(opinion_report.OpinionReportInstructed, omit={"instruction"}),
    publish(opinion_report.OpinionReportPublished),
]
PUBLIC.declare(VIEWS)
