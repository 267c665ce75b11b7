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
    UNIT_OR_OFFICE,
    UNIT_OR_OFFICE_OR_LEADERSHIP,
)
from contracts.service import ServiceContract, command

COMMANDS = (
    command("publish-solicitation", c.PublishSolicitation, OFFICE),
    command("record-holiday-schedule", c.RecordHolidaySchedule, OFFICE_OR_ADMIN),
    command("draft-proposal", c.DraftProposal, MEMBER_OR_OFFICE, backdatable=True),
    command("revise-proposal", c.ReviseProposal, MEMBER_OR_OFFICE),
    command("submit-proposal", c.SubmitProposal, MEMBER_OR_OFFICE, backdatable=True),
    command("withdraw-proposal", c.WithdrawProposal, MEMBER_OR_OFFICE),
    command("confirm-cosignature", c.ConfirmCosignature, MEMBER),
    command("decline-cosignature", c.DeclineCosignature, MEMBER),
    command("accept-proposal", c.AcceptProposal, OFFICE, backdatable=True),
    command("not-accept-proposal", c.NotAcceptProposal, OFFICE, backdatable=True),
    command("acknowledge-opinion-letter", c.AcknowledgeOpinionLetter, UNIT),
    command("merge-proposal", c.MergeProposal, OFFICE, backdatable=True),
    command("return-proposal", c.ReturnProposal, OFFICE, backdatable=True),
    command("assign-proposal", c.AssignProposal, OFFICE, backdatable=True),
    command("request-reassignment", c.RequestReassignment, UNIT),
    command("grant-reassignment", c.GrantReassignment, OFFICE, backdatable=True),
    command("refuse-reassignment", c.RefuseReassignment, OFFICE, backdatable=True),
    command("record-handling-contact", c.RecordHandlingContact, UNIT),
    command("reply-to-proposal", c.ReplyToProposal, UNIT_OR_OFFICE, backdatable=True),
    command("cosign-reply", c.CosignReply, UNIT),
    command("evaluate-reply", c.EvaluateReply, MEMBER_OR_OFFICE, backdatable=True),
    command("reopen-handling", c.ReopenHandling, OFFICE, backdatable=True),
    command("revise-reply-class", c.ReviseReplyClass, OFFICE, backdatable=True),
    command("designate-key-proposal", c.DesignateKeyProposal, OFFICE_OR_LEADERSHIP),
    command("report-key-proposal-progress", c.ReportKeyProposalProgress, UNIT_OR_OFFICE_OR_LEADERSHIP),
    command("conclude-commitment-lookback", c.ConcludeCommitmentLookback, OFFICE, backdatable=True),
    command("set-lookback-interval", c.SetLookbackInterval, OFFICE),
    command("set-evaluation-window", c.SetEvaluationWindow, OFFICE),
    command("record-proposal-result", c.RecordProposalResult, OFFICE, backdatable=True),
    command("record-recommendation-report", c.RecordRecommendationReport, OFFICE),
    command("conclude-recommendation-lookback", c.ConcludeRecommendationLookback, OFFICE, backdatable=True),
    command("submit-opinion-report", c.SubmitOpinionReport, MEMBER_OR_OFFICE, backdatable=True),
    command("edit-opinion-report", c.EditOpinionReport, MEMBER_OR_OFFICE),
    command("forward-opinion-report", c.ForwardOpinionReport, OFFICE, backdatable=True),
    command("record-opinion-report-adoption", c.RecordOpinionReportAdoption, OFFICE),
    command("record-opinion-report-instruction", c.RecordOpinionReportInstruction, OFFICE),
    command("publish-opinion-report", c.PublishOpinionReport, OFFICE),
    command("import-past-proposals", c.ImportPastProposals, OFFICE_OR_ADMIN),
)

SERVICE = ServiceContract("proposals", 8101, topics.PROPOSALS, COMMANDS,
                          "proposals from submission to evaluation, public-opinion reports, look-backs")
