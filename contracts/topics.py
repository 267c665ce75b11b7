"""Topic names, one per service (each service's contract names its own: `contracts/<svc>/service.py`).
Tests and tenants of a shared cluster may prefix them."""

PROPOSALS = "proposals.events"
MEMBERS = "members.events"
SURVEYS = "surveys.events"
# Facts about notifications: that someone (named by id: a member, a unit, the office) was told of a fact of
# another service, by which template and on which channels, whether it was delivered, read or archived;
# preferences set; webhook endpoints registered and disabled; reminders scheduled, cancelled, escalated.
# An outsider sees who was told what kind of thing and when; never an email address, a mobile number, a
# webhook URL or a message's text (those stay in the service's private tables).
NOTIFY = "notify.events"


def dlq(topic: str) -> str:
    return f"{topic}.dlq"
