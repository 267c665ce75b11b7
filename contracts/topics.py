"""Topic names, one per service (each service's contract names its own: `contracts/<svc>/service.py`).
Tests and tenants of a shared cluster may prefix them."""

PROPOSALS = "proposals.events"
MEMBERS = "members.events"
SURVEYS = "surveys.events"


def dlq(topic: str) -> str:
    return f"{topic}.dlq"
