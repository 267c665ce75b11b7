"""Questionnaire reminders (问卷提醒), with the service's clock driven by the test: each invited member is
reminded 3 and 1 working days before the questionnaire closes; closing it cancels what is pending for
everybody; an identified (实名) response cancels the member's own reminders. An anonymous (匿名) response
names nobody, so every invitee is reminded until the close, and the reminder says to ignore it if answered."""

from __future__ import annotations

import json
from datetime import date

from contracts import topics
from contracts.surveys.questionnaire import (
    QuestionnaireClosed,
    QuestionnaireInvitationsSent,
    QuestionnaireResponseSubmitted,
)
from notify import mail
from yizheng.testing.command_client import member, on
from yizheng.testing.wait import wait_until

from ..conftest import Notify
from ..kit import envelope, inbox

QID = "q-2026-03"
TITLE = "关于县域养老服务体系建设的委员问卷"
INVITED_ON = date(2026, 3, 2)  # a Monday
CLOSES_ON = date(2026, 3, 13)  # Friday: reminded Tuesday 10 and Thursday 12 March
STREAM = f"questionnaire-cppcc-county-a-{QID}"
IGNORE = "如已填写，请忽略本提醒"


def invited(mode: str, members: tuple[str, ...] = ("m-li", "m-zhao")) -> QuestionnaireInvitationsSent:
    return QuestionnaireInvitationsSent(questionnaire_id=QID, title=TITLE, mode=mode, closes_on=CLOSES_ON,
                                        member_ids=list(members))


async def publish(n: Notify, event: object, day: date, stream: str = STREAM) -> None:
    await n.topics.publish(topics.SURVEYS, envelope(event, stream, on(day), source="surveys"))  # type: ignore[arg-type]


async def answered(n: Notify, member_id: str, day: date) -> None:
    await publish(n, QuestionnaireResponseSubmitted(questionnaire_id=QID, response_id=f"r-{member_id}",
                                                    member_id=member_id, answers=[]),
                  day, f"questionnaireResponse-cppcc-county-a-{QID}-{member_id}")


async def closed(n: Notify, day: date, responses: int) -> None:
    await publish(n, QuestionnaireClosed(questionnaire_id=QID, closed_on=day, responses=responses, invited=2), day)


async def pending(n: Notify) -> list[str]:
    rows = await n.host.pool.fetch(f'SELECT task_id, kind, fire_on FROM "{n.host.schema}".reminders '
                                   "WHERE status = 'pending' ORDER BY task_id, fire_on")
    return [f"{r['task_id']}@{r['fire_on']}" for r in rows]


async def settles(n: Notify, expected: list[str], message: str) -> None:
    async def there() -> bool:
        return await pending(n) == expected
    await wait_until(there, message=message)


async def on_day(n: Notify, day: date) -> int:
    n.clock.set(day, hour=9)
    return await n.parts.reminders.tick()


async def templates(n: Notify, member_id: str) -> list[str]:
    return [i["template"] for i in (await inbox(n.http, member(member_id)))["items"]]


async def reminder_text(n: Notify, member_id: str) -> str:
    """The mail of the member's latest reminder, as they read it."""
    row = await n.host.pool.fetchrow(f'SELECT template, reason, variables FROM "{n.host.schema}".notifications '
                                     "WHERE recipient_id = $1 AND reminder_id IS NOT NULL ORDER BY created_at DESC "
                                     "LIMIT 1", member_id)
    assert row is not None, f"{member_id} was reminded"
    template = mail.email_template(row["template"])
    variables = json.loads(row["variables"]) if isinstance(row["variables"], str) else dict(row["variables"])
    rendered = mail.render(template, mail.email_variables(template, variables, today=n.clock.today),
                           reason=row["reason"])
    return f"{rendered.subject}\n{rendered.text}"


def ladder(*members: str) -> list[str]:
    return [f"questionnaire:{QID}:{m}@{d}" for m in members for d in ("2026-03-10", "2026-03-12")]


async def test_an_identified_response_stops_the_members_reminders_and_the_close_stops_the_rest(notify: Notify) -> None:
    notify.clock.set(INVITED_ON)
    await publish(notify, invited("identified"), INVITED_ON)
    await settles(notify, ladder("m-li", "m-zhao"), "each invitee's ladder scheduled from closes_on")
    assert await templates(notify, "m-li") == ["questionnaire-invitation"]

    await answered(notify, "m-li", date(2026, 3, 5))
    await settles(notify, ladder("m-zhao"), "m-li's reminders cancelled by her response")

    assert await on_day(notify, date(2026, 3, 10)) == 1
    assert await templates(notify, "m-zhao") == ["questionnaire-due-before", "questionnaire-invitation"]
    assert await templates(notify, "m-li") == ["questionnaire-invitation"], "who answered is not reminded"
    text = await reminder_text(notify, "m-zhao")
    assert f"问卷《{TITLE}》还有3个工作日截止" in text and "2026年3月13日" in text
    assert IGNORE not in text, "an identified questionnaire knows who answered"

    await closed(notify, date(2026, 3, 11), responses=1)
    await settles(notify, [], "the close cancels what is pending")
    assert await on_day(notify, date(2026, 3, 12)) == 0
    assert await templates(notify, "m-zhao") == ["questionnaire-due-before", "questionnaire-invitation"]


async def test_an_anonymous_questionnaires_invitees_are_reminded_until_it_closes(notify: Notify) -> None:
    notify.clock.set(INVITED_ON)
    await publish(notify, invited("anonymous"), INVITED_ON)
    await settles(notify, ladder("m-li", "m-zhao"), "each invitee's ladder scheduled")

    # Nobody can tell who answered: both are reminded, and told to ignore it if they have.
    assert await on_day(notify, date(2026, 3, 10)) == 2
    for who in ("m-li", "m-zhao"):
        assert await templates(notify, who) == ["questionnaire-due-before", "questionnaire-invitation"]
        assert IGNORE in await reminder_text(notify, who)

    await closed(notify, date(2026, 3, 11), responses=1)
    await settles(notify, [], "the close cancels every invitee's reminders")
    assert await on_day(notify, date(2026, 3, 12)) == 0


async def test_a_response_heard_before_the_invitation_still_keeps_the_member_from_being_reminded(
        notify: Notify) -> None:
    """The response travels on its own stream, so a replay may bring it first."""
    notify.clock.set(INVITED_ON)
    await answered(notify, "m-li", INVITED_ON)
    await wait_until(lambda: notify.host.pool.fetchval(
        f'SELECT count(*) FROM "{notify.host.schema}".questionnaire_answered'), message="the response kept")
    await publish(notify, invited("identified"), INVITED_ON)
    await settles(notify, ladder("m-zhao"), "only m-zhao, who has not answered, is to be reminded")
