"""The proposals service as the platform sees it: proposals, public-opinion reports, solicitations,
recommendation reports and the holiday calendar."""

from contracts import topics
from contracts.proposals.commands import COMMANDS
from contracts.service import ServiceContract

SERVICE = ServiceContract("proposals", 8101, topics.PROPOSALS, COMMANDS,
                          "proposals from submission to evaluation, public-opinion reports, look-backs")
