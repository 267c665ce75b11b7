"""Commands of democratic appraisal (民主评议): rounds, credentials, ballots, close and tally."""

from __future__ import annotations

from contracts.service import CommandContract

APPRAISAL_COMMANDS: tuple[CommandContract, ...] = ()
