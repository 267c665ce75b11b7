"""The members service as the platform sees it: the registry, duty records, visits and the scorecard."""

from contracts import topics
from contracts.members.commands import COMMANDS
from contracts.service import ServiceContract

SERVICE = ServiceContract("members", 8102, topics.MEMBERS, COMMANDS,
                          "the member registry, meetings, visits, duty records and the member scorecard")
