"""The proposals service as the platform sees it: proposals, public-opinion reports, solicitations,
recommendation reports and the holiday calendar — its commands, who may send each, and its topic."""

from contracts import topics
from contracts.proposals import commands as c
from contracts.roles import (
    MEMBER,
    MEMBER_OR_OFFICE,
    OFFICE,
    OFFICE_OR_ADMIN,
    OFFICE_OR_LEADERSHIP,
    UNIT,
    UNIT_OR_OFFICE_OR_LEADERSHIP,
)
from contracts.service import ServiceContract, command

COMMANDS = (
    command("publish-solicitation", c.PublishSolicitation, OFFICE),
    command("record-holiday-schedule", c.RecordHolidaySchedule, OFFICE_OR_ADMIN),
    command("draft-proposal", c.DraftProposal, MEMBER_OR_OFFICE),
    command("revise-proposal", c.ReviseProposal, MEMBER_OR_OFFICE),
    command("submit-proposal", c.SubmitProposal, MEMBER_OR_OFFICE),
    command("withdraw-proposal", c.WithdrawProposal, MEMBER_OR_OFFICE),
    command("confirm-cosignature", c.ConfirmCosignature, MEMBER),
    command("decline-cosignature", c.DeclineCosignature, MEMBER),
    command("accept-proposal", c.AcceptProposal, OFFICE),
    command("not-accept-proposal", c.NotAcceptProposal, OFFICE),
    command("merge-proposal", c.MergeProposal, OFFICE),
    command("return-proposal", c.ReturnProposal, OFFICE),
    command("assign-proposal", c.AssignProposal, OFFICE),
    command("request-reassignment", c.RequestReassignment, UNIT),
    command("grant-reassignment", c.GrantReassignment, OFFICE),
    command("refuse-reassignment", c.RefuseReassignment, OFFICE),
    command("record-handling-contact", c.RecordHandlingContact, UNIT),
    command("reply-to-proposal", c.ReplyToProposal, UNIT),
    command("cosign-reply", c.CosignReply, UNIT),
    command("evaluate-reply", c.EvaluateReply, MEMBER),
    command("reopen-handling", c.ReopenHandling, OFFICE),
    command("revise-reply-class", c.ReviseReplyClass, OFFICE),
    command("designate-key-proposal", c.DesignateKeyProposal, OFFICE_OR_LEADERSHIP),
    command("report-key-proposal-progress", c.ReportKeyProposalProgress, UNIT_OR_OFFICE_OR_LEADERSHIP),
    command("conclude-commitment-lookback", c.ConcludeCommitmentLookback, OFFICE),
    command("set-lookback-interval", c.SetLookbackInterval, OFFICE),
    command("record-proposal-result", c.RecordProposalResult, OFFICE),
    command("record-recommendation-report", c.RecordRecommendationReport, OFFICE),
    command("conclude-recommendation-lookback", c.ConcludeRecommendationLookback, OFFICE),
    command("submit-opinion-report", c.SubmitOpinionReport, MEMBER_OR_OFFICE),
    command("edit-opinion-report", c.EditOpinionReport, MEMBER_OR_OFFICE),
    command("forward-opinion-report", c.ForwardOpinionReport, OFFICE),
    command("record-opinion-report-adoption", c.RecordOpinionReportAdoption, OFFICE),
    command("record-opinion-report-instruction", c.RecordOpinionReportInstruction, OFFICE),
    command("publish-opinion-report", c.PublishOpinionReport, OFFICE),
)

SERVICE = ServiceContract("proposals", 8101, topics.PROPOSALS, COMMANDS,
                          "proposals from submission to evaluation, public-opinion reports, look-backs")
