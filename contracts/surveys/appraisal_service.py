"""Commands of democratic appraisal (民主评议): open a round, close it, void it. Credentials are issued and
ballots cast on the service's own routes (`contracts.surveys.appraisal_commands` says why)."""

from __future__ import annotations

from contracts.roles import OFFICE
from contracts.service import CommandContract, command
from contracts.surveys import appraisal_commands as a

APPRAISAL_COMMANDS: tuple[CommandContract, ...] = (
    command("open-appraisal", a.OpenAppraisal, OFFICE),
    command("close-appraisal", a.CloseAppraisal, OFFICE),
    command("void-appraisal", a.VoidAppraisal, OFFICE),
)
