"""Public topic names, one per service. Tests and tenants of a shared cluster may prefix them."""

PROPOSALS = "proposals.events"
MEMBERS = "members.events"
SURVEYS = "surveys.events"

ALL = (PROPOSALS, MEMBERS, SURVEYS)


def dlq(topic: str) -> str:
    return f"{topic}.dlq"
