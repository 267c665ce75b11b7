"""Evaluation reminders (评议提醒), with the service's clock driven by the test: each proposer asked to rate a
reply is reminded 3 and 1 working days before its evaluation deadline; a proposer's rating cancels their own
reminders, and the round completing — or its deadline lapsing (未评议) — cancels what is pending for the rest."""

from __future__ import annotations

import json
from datetime import date

from contracts import topics
from contracts.proposals import proposal as p
from contracts.proposals.common import RatingEntry
from notify import mail
from yizheng.testing.command_client import member, on
from yizheng.testing.wait import wait_until

from ..conftest import Notify
from ..facts import PROPOSAL, TITLE, stream, submitted
from ..kit import envelope, inbox

REPLIED_ON = date(2026, 4, 1)  # a Wednesday
DUE = date(2026, 4, 16)  # ten working days on, over the Qingming holiday: reminded 13 and 15 April


def replied(evaluators: tuple[str, ...] = ("m-zhang", "m-li")) -> p.ProposalReplied:
    return p.ProposalReplied(proposal_id=PROPOSAL, unit_id="u-env", result_class="A", text="已列入年度计划并实施",
                             round=1, on_time=True, replied_on=REPLIED_ON, deadline=date(2026, 6, 30),
                             evaluation_due=DUE, evaluator_member_ids=list(evaluators))


def rated(member_id: str) -> p.ProposalEvaluated:
    return p.ProposalEvaluated(proposal_id=PROPOSAL, unit_id="u-env", round=1, member_id=member_id,
                               rating="satisfied", attitude="satisfied", contact="satisfied")


async def publish(n: Notify, event: object, day: date) -> None:
    await n.topics.publish(topics.PROPOSALS, envelope(event, stream(), on(day)))  # type: ignore[arg-type]


async def pending(n: Notify) -> list[str]:
    rows = await n.host.pool.fetch(f'SELECT task_id, fire_on FROM "{n.host.schema}".reminders '
                                   "WHERE status = 'pending' AND task = 'evaluation-due' ORDER BY task_id, fire_on")
    return [f"{r['task_id']}@{r['fire_on']}" for r in rows]


async def settles(n: Notify, expected: list[str], message: str) -> None:
    async def there() -> bool:
        return await pending(n) == expected
    await wait_until(there, message=message)


def ladder(*members: str) -> list[str]:
    return [f"evaluation:{PROPOSAL}:u-env:{m}@{d}" for m in sorted(members) for d in ("2026-04-13", "2026-04-15")]


async def on_day(n: Notify, day: date) -> int:
    n.clock.set(day, hour=9)
    return await n.parts.reminders.tick()


async def reminders_of(n: Notify, member_id: str) -> list[str]:
    return [i["template"] for i in (await inbox(n.http, member(member_id)))["items"]
            if i["template"].startswith("evaluation-due")]


async def reminder_text(n: Notify, member_id: str) -> str:
    row = await n.host.pool.fetchrow(f'SELECT template, reason, variables FROM "{n.host.schema}".notifications '
                                     "WHERE recipient_id = $1 AND reminder_id IS NOT NULL ORDER BY created_at DESC "
                                     "LIMIT 1", member_id)
    assert row is not None, f"{member_id} was reminded"
    template = mail.email_template(row["template"])
    variables = json.loads(row["variables"]) if isinstance(row["variables"], str) else dict(row["variables"])
    rendered = mail.render(template, mail.email_variables(template, variables, today=n.clock.today),
                           reason=row["reason"])
    return f"{rendered.subject}\n{rendered.text}"


async def test_each_proposer_who_has_not_rated_is_reminded_before_the_evaluation_deadline(notify: Notify) -> None:
    notify.clock.set(REPLIED_ON)
    await publish(notify, submitted(cosigners=("m-li",)), date(2026, 3, 2))
    await publish(notify, replied(), REPLIED_ON)
    await settles(notify, ladder("m-zhang", "m-li"), "each proposer's ladder scheduled from the evaluation deadline")

    await publish(notify, rated("m-zhang"), date(2026, 4, 7))
    await settles(notify, ladder("m-li"), "m-zhang's reminders cancelled by her rating")

    assert await on_day(notify, date(2026, 4, 13)) == 1
    assert await reminders_of(notify, "m-li") == ["evaluation-due-before"]
    assert await reminders_of(notify, "m-zhang") == [], "who rated is not reminded"
    text = await reminder_text(notify, "m-li")
    assert f"《{TITLE}》" in text and "2026年4月16日" in text and "还有3个工作日" in text
    assert "未评议" in text

    # The deadline passes: the proposals service records m-li as not evaluated and completes the round.
    await publish(notify, p.EvaluationLapsed(proposal_id=PROPOSAL, unit_id="u-env", round=1, deadline=DUE,
                                             not_rated_member_ids=["m-li"], not_rated=1, rated=1),
                  date(2026, 4, 14))
    await settles(notify, [], "the lapse cancels what is pending")
    assert await on_day(notify, date(2026, 4, 15)) == 0


async def test_the_round_completing_cancels_every_proposers_reminders(notify: Notify) -> None:
    notify.clock.set(REPLIED_ON)
    await publish(notify, submitted(cosigners=("m-li",)), date(2026, 3, 2))
    await publish(notify, replied(), REPLIED_ON)
    await settles(notify, ladder("m-zhang", "m-li"), "each proposer's ladder scheduled")
    await publish(notify, p.EvaluationsCompleted(
        proposal_id=PROPOSAL, unit_id="u-env", round=1, dissatisfied=False,
        ratings=[RatingEntry(member_id="m-zhang", rating="satisfied"),
                 RatingEntry(member_id="m-li", rating="satisfied")]), date(2026, 4, 8))
    await settles(notify, [], "the completed round cancels every reminder")


async def test_a_reply_recorded_before_evaluation_deadlines_brings_no_reminder(notify: Notify) -> None:
    notify.clock.set(REPLIED_ON)
    old = p.ProposalReplied(proposal_id=PROPOSAL, unit_id="u-env", result_class="A", text="已实施", round=1,
                            on_time=True, replied_on=REPLIED_ON, deadline=date(2026, 6, 30))
    await publish(notify, old, REPLIED_ON)
    await publish(notify, replied(("m-zhao",)), REPLIED_ON)  # the next fact, to know the first was heard
    await settles(notify, ladder("m-zhao"), "only the reply with a deadline opens tasks")
