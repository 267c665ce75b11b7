"""What `yizheng run` prints once everything answers: the demo county (loaded if the database is empty),
the GraphiQL address, and a ready-to-paste token per role."""

from __future__ import annotations

from yizheng.supervisor import Supervisor

GRAPHIQL = "http://127.0.0.1:8000/graphql"


async def welcome(supervisor: Supervisor, database_url: str, *, load_demo: bool) -> None:
    from yizheng.auth import issue_token

    committee = "demo-county"
    tokens = {"office": issue_token("office_staff", committee, subject="office-demo"),
              "leadership": issue_token("leadership", committee, subject="leader-demo")}
    if load_demo:
        try:
            from yizheng.demo.load import ensure_loaded
        except ImportError:
            supervisor.say("run", "no demo loader in this build; starting with an empty county")
        else:
            summary = await ensure_loaded(database_url, say=lambda line: supervisor.say("demo", line))
            committee = summary.committee_id
            tokens = summary.tokens
    supervisor.say("run", f"GraphiQL: {GRAPHIQL}")
    for role, token in tokens.items():
        supervisor.say("run", f"{role} token: {token}")
