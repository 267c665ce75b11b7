"""What other county systems may know of the surveys service's facts (`surveys.public.<committee>`).

The year's consultation plan, who took part in consultation, supervision and research, what was sent to whom
and by when, and how the tracked items stand are public; the text people wrote (summaries, findings, a
leader's instruction, a department's progress report, reasons, notes) stays inside."""

from __future__ import annotations

from contracts.public import PUBLIC, publish, withhold
from contracts.surveys import (
    appraisal,
    consultation,
    consultation_plan,
    instructions,
    participation,
    questionnaire,
    research,
    supervision,
    tracking,
)

VIEWS = [
    publish(consultation_plan.ConsultationPlanDrafted),
    publish(consultation_plan.ConsultationPlanItemRecorded, omit={"item.notes"}),
    publish(consultation_plan.ConsultationPlanAdopted),
    publish(consultation_plan.ConsultationPlanAmended, omit={"reason"}),
    publish(consultation_plan.ConsultationPlanItemsCarriedOver, omit={"reason"}),
    publish(consultation_plan.ConsultationScheduled, omit={"item.notes"}),
    publish(consultation_plan.ConsultationHeld, omit={"summary"}),
    publish(consultation_plan.ConsultationPlanItemHeld),
    publish(consultation.ConsultationOutcomeRecorded),
    publish(instructions.ConsultationOutcomeInstructionRecorded, omit={"text"}),
    publish(participation.ResearchParticipationRecorded),
    publish(participation.AppraisalParticipationRecorded),
    publish(research.ResearchTopicPlanned),
    publish(research.ResearchApplicationRecorded, omit={"plan"}),
    publish(research.ResearchApplicationDecided, omit={"reason"}),
    publish(research.ResearchTeamFormed),
    publish(research.ResearchReported, omit={"summary"}),
    publish(supervision.SupervisionTopicOpened),
    publish(supervision.SupervisionActivityLogged, omit={"summary"}),
    publish(supervision.SupervisionReported, omit={"findings"}),
    publish(supervision.SupervisionReportRecorded, omit={"summary"}),
    publish(tracking.TrackedItemOpened, omit={"summary"}),
    publish(tracking.TrackedItemProgressReported, omit={"text", "progress", "milestones"}),
    publish(tracking.TrackedItemFollowedUp, omit={"note"}),
    publish(tracking.TrackedItemVerdictRecorded, omit={"notes"}),
    publish(tracking.TrackedItemReopened, omit={"reason"}),
    publish(tracking.TrackedItemLookedBack, omit={"notes"}),
    # Questionnaires: that one was published, to whom and until when, and how many answered are public; its
    # form (the office's working text) and every response are not.
    publish(questionnaire.QuestionnairePublished, omit={"intro", "questions"}),
    publish(questionnaire.QuestionnaireInvitationsSent),
    withhold(questionnaire.QuestionnaireResponseSubmitted,
             because="a member's own answers and free text: results are read inside the platform"),
    withhold(questionnaire.QuestionnaireAnonymousResponseRecorded,
             because="anonymous answers and free text: results are read inside the platform"),
    publish(questionnaire.QuestionnaireClosed),
    # Appraisal rounds: what is appraised and by how many; the credentials' public keys (anyone may check the
    # board's signatures against them); the announced results, counts per department, never a ballot. No
    # event carries a ballot.
    publish(appraisal.AppraisalOpened),
    publish(appraisal.AppraisalCredentialsIssued),
    # An online round opened for drawing: who is entitled to draw (as public as the round's opening), no slip.
    publish(appraisal.AppraisalOnlineVotingOpened),
    publish(appraisal.AppraisalClosed),
    publish(appraisal.AppraisalVoided, omit={"reason"}),
]
PUBLIC.declare(VIEWS)
