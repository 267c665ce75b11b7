"""The members service, declared once: the registry, meetings, visits, duty records and the member
scorecard. The runtime (`runtime.service_host.build_service(DEFINITION, HostConfig(...))`) builds the
store, the unit of work, the command API, the relay (store -> members.internal), the projections, the
consumer of the proposals and surveys topics, and starts the scorer; `yizheng replay members.<name>`
rebuilds a projection or the consumer's facts by name."""

from __future__ import annotations

import contracts  # noqa: F401 - registers every public event type
from contracts import topics
from contracts.members.service import SERVICE
from eventstore.service import ServiceDefinition, StoreProjection, TopicConsumer
from members import handlers as h
from members.parts import MembersParts, install
from members.scoring.facts import FOREIGN_TYPES
from members.scoring.inputs import ForeignFactsProjection, OwnInputsProjection, ScoringInputs
from members.scoring.scorecards import ScorecardProjection

DEFINITION: ServiceDefinition[MembersParts] = ServiceDefinition(
    contract=SERVICE,
    build=MembersParts.build,
    handlers={
        "register-member": h.register_member,
        "update-member": h.update_member,
        "change-member-status": h.change_member_status,
        "register-organization": h.register_organization,
        "add-organization-member": h.add_organization_member,
        "register-unit": h.register_unit,
        "add-unit-staff": h.add_unit_staff,
        "add-liaison-contact": h.add_liaison_contact,
        "record-liaison-visit": h.record_liaison_visit,
        "schedule-meeting": h.schedule_meeting,
        "invite-to-meeting": h.invite_to_meeting,
        "request-leave": h.request_leave,
        "decide-leave": h.decide_leave,
        "check-in": h.check_in,
        "record-attendance": h.record_attendance,
        "close-attendance": h.close_attendance,
        "log-visit": h.log_visit,
        "link-visit-outcome": h.link_visit_outcome,
        "set-visit-plan": h.set_visit_plan,
        "record-training": h.record_training,
        "record-charity": h.record_charity,
        "grant-award": h.grant_award,
        "publish-rulebook": h.publish_rulebook,
        "rescore-year": h.rescore_year,
        "grade-year": h.grade_year,
        "import-roster": h.import_roster,
        "import-units": h.import_units,
        "import-organizations": h.import_organizations,
    },
    projections=(
        StoreProjection("scoring-inputs", "members: roster, own duty facts, rulebooks, years to score",
                        lambda schema: OwnInputsProjection(ScoringInputs(schema))),
        StoreProjection("scorecards", "members: scorecards, their items and flags, from the ledger events",
                        ScorecardProjection),
    ),
    consumers=(
        TopicConsumer("duty-facts", "members: duty facts from the proposals and surveys topics",
                      topics=(topics.PROPOSALS, topics.SURVEYS),
                      make=lambda schema: ForeignFactsProjection(ScoringInputs(schema)),
                      types=frozenset(FOREIGN_TYPES)),
    ),
    workers=lambda parts: [parts.scorer],
    routes=lambda parts: parts.queries.routes(),
    install=install,
)
