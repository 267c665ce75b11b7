"""Events of the proposals service (topic `proposals.internal`; their public forms: `public.py`)."""

from contracts.proposals.calendar import HolidayScheduleRecorded
from contracts.proposals.common import AttachmentRef, RatingEntry
from contracts.proposals.enums import (
    AssignmentMode,
    Category,
    ContactKind,
    DeadlineRule,
    LabeledEnum,
    LookbackOutcome,
    LookbackSubject,
    NotAcceptedConversion,
    Rating,
    ReopenReason,
    ReportLevel,
    ResultClass,
    SubmitterKind,
    UnitRole,
    labels_zh,
)
from contracts.proposals.lookback import (
    LookbackConcluded,
    LookbackIntervalSet,
    LookbackOpened,
    LookbackScheduled,
    RecommendationFollowupReopened,
    RecommendationReportRecorded,
)
from contracts.proposals.opinion_letter import OpinionLetterAcknowledged, OpinionLetterSent
from contracts.proposals.opinion_report import (
    OpinionReportAdopted,
    OpinionReportEdited,
    OpinionReportForwarded,
    OpinionReportInstructed,
    OpinionReportPublished,
    OpinionReportSubmitted,
)
from contracts.proposals.past_proposal import PastProposalImported, PastProposalRow
from contracts.proposals.proposal import (
    CommitmentRecorded,
    CosignerConfirmed,
    CosignerDeclined,
    CosignerLapsed,
    EvaluationLapsed,
    EvaluationsCompleted,
    EvaluationWindowSet,
    HandlingContactRecorded,
    HandlingDeadlineRecomputed,
    HandlingOverdue,
    HandlingReopened,
    KeyProposalDesignated,
    KeyProposalProgressReported,
    ProposalAccepted,
    ProposalAssigned,
    ProposalDrafted,
    ProposalEvaluated,
    ProposalMerged,
    ProposalMergeReceived,
    ProposalNotAccepted,
    ProposalNumberAssigned,
    ProposalReplied,
    ProposalResubmitted,
    ProposalResultRecorded,
    ProposalReturned,
    ProposalRevised,
    ProposalSubmitted,
    ProposalWithdrawn,
    ReassignmentGranted,
    ReassignmentRefused,
    ReassignmentRequested,
    ReplyClassRevised,
    ReplyCosigned,
)
from contracts.proposals.solicitation import ReferenceTopic, SolicitationPublished

__all__ = [
    "AssignmentMode", "AttachmentRef", "Category", "CommitmentRecorded", "ContactKind", "CosignerConfirmed",
    "CosignerDeclined", "CosignerLapsed", "DeadlineRule", "EvaluationsCompleted", "HandlingContactRecorded",
    "HandlingDeadlineRecomputed", "HandlingOverdue", "HandlingReopened", "HolidayScheduleRecorded",
    "KeyProposalDesignated", "KeyProposalProgressReported", "LabeledEnum", "LookbackConcluded",
    "LookbackIntervalSet", "LookbackOpened", "LookbackOutcome", "LookbackScheduled", "LookbackSubject",
    "NotAcceptedConversion", "OpinionLetterAcknowledged", "OpinionLetterSent", "OpinionReportAdopted",
    "OpinionReportEdited", "OpinionReportForwarded", "OpinionReportInstructed", "OpinionReportPublished",
    "OpinionReportSubmitted", "ProposalAccepted", "ProposalAssigned", "ProposalDrafted", "ProposalEvaluated",
    "ProposalMergeReceived", "ProposalMerged", "ProposalNotAccepted", "ProposalNumberAssigned",
    "ProposalReplied", "ProposalResubmitted", "ProposalResultRecorded", "ProposalReturned", "ProposalRevised",
    "ProposalSubmitted", "ProposalWithdrawn", "Rating", "RatingEntry", "ReassignmentGranted",
    "ReassignmentRefused", "ReassignmentRequested", "RecommendationFollowupReopened",
    "RecommendationReportRecorded", "ReferenceTopic", "ReopenReason", "ReplyClassRevised", "ReplyCosigned",
    "ReportLevel", "ResultClass", "SolicitationPublished", "SubmitterKind", "UnitRole", "labels_zh",
]
__all__ += ["PastProposalImported", "PastProposalRow"]  # proposals of earlier years, imported
__all__ += ["EvaluationLapsed", "EvaluationWindowSet"]  # the evaluation deadline and its lapse
