"""What `yizheng run` prints once everything answers: the demo county (loaded if it is not there yet), the
GraphiQL address, and a ready-to-paste token per role, each saying whom it stands for."""

from __future__ import annotations

from datetime import UTC, datetime

from yizheng.supervisor import Supervisor

GRAPHIQL = "http://127.0.0.1:8000/graphql"

EXAMPLE = ('{ oversight(year: %d) { overdueByUnit { unitId count } overall { replied '
           'satisfaction { numerator denominator } classes { resultClass count } } } }')


async def welcome(supervisor: Supervisor, database_url: str, *, load_demo: bool) -> None:
    from yizheng.demo.generator import generate

    def say(line: str) -> None:
        supervisor.say("demo", line)

    script = generate(now=datetime.now(UTC))
    if load_demo:
        from yizheng.demo.load import ensure_loaded

        try:
            summary = await ensure_loaded(database_url, say=say, now=script.anchor)
        except Exception as err:  # the platform stays up; the tokens below still work on what is there
            say(f"the demo county could not be loaded: {type(err).__name__}: {err}")
        else:
            script = summary.script
    labels = script.labels
    member, unit, chair = script.member.member_id or "", script.unit.unit_id or "", script.leadership.member_id or ""
    who = {
        "office": "县政协机关 office staff: review, assign, schedule, record",
        "leadership": f"主席 {labels.get(chair, chair)} ({chair}): oversight, key proposals they supervise",
        "member": f"委员 {labels.get(member, member)} ({member}): own proposals, reports, visits, scorecard",
        "unit": f"{labels.get(unit, unit)} staff ({unit}): the unit's assignments and replies",
    }
    supervisor.say("run", f"GraphiQL: {GRAPHIQL}  (committee {script.committee_id}, year {script.year})")
    supervisor.say("run", 'tokens — paste one into GraphiQL\'s headers as {"Authorization": "Bearer <token>"}:')
    for role, token in script.tokens().items():
        supervisor.say("run", f"  {role:<10} {who[role]}")
        supervisor.say("run", f"             {token}")
    supervisor.say("run", f"try, as leadership: {EXAMPLE % script.year}")
    _outside_subscriber(supervisor, script.committee_id)


def _outside_subscriber(supervisor: Supervisor, committee_id: str) -> None:
    """How another county system reads this committee's public topics from the local broker."""
    from runtime import settings
    from yizheng.infra.kafka_users import EXAMPLE_COMMITTEE, EXAMPLE_SUBSCRIBER

    if settings.external_kafka_bootstrap() or not settings.local_kafka_password(EXAMPLE_SUBSCRIBER):
        return
    supervisor.say("run", f"Kafka ({settings.local_kafka_bootstrap()}, SASL_PLAINTEXT, SCRAM-SHA-512): "
                          f"user {EXAMPLE_SUBSCRIBER} reads the public topics of {EXAMPLE_COMMITTEE} "
                          f"(password in {settings.local_kafka_users_file()}); "
                          f"`yizheng subscribers add NAME --committee {committee_id}` makes another")
