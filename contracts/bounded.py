"""Bounded inputs: the constrained types every command and event field is declared with, so that nothing a
command API accepts can later fail in a projection, outgrow a Kafka message (1 MiB) or reach PostgreSQL as
text it cannot store.

Two families:

- **Command types** (`Identifier`, `ShortText`, `PastDate`, …) are what a user may send: text that is
  required must not be blank, ids follow one pattern, past facts are not dated after today.
- **Recorded types** (`RecordedId`, `RecordedShortText`, `RecordedDate`, …) are for event payloads, which
  are read back years after they were written. Each is as loose as, or looser than, every command bound that
  feeds it, and none depends on the clock: an event a command could have produced is never refused on read.

Every text type refuses NUL (U+0000) and lone surrogates (U+D800–U+DFFF) with an error naming the problem;
pydantic puts the field's path in the error's `loc`, so the command API's 400 names the field.

A tighter bound on one field is its own type here (`PersonName`, `ActivityTitle`, …), never a
`Field(max_length=…)` or `Field(le=…)` beside a shared type: pydantic keeps the type's own bound and drops
the field's without a word. A number may narrow a shared type by nesting, e.g. `Annotated[Year, Field(ge=2000)]`
(a string cannot: after the text checks the bound is no longer the string's own)."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, TypeVar

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

from contracts import clock
from contracts.storable_text import LONE_SURROGATE_PROBLEM, NUL_PROBLEM, text_problem

T = TypeVar("T")

# ---- limits ------------------------------------------------------------------------------------------------

MAX_ID = 64  # an id a client chooses or a service generates (a uuid4 hex is 32)
MAX_DERIVED_ID = 128  # an id a service builds from others, e.g. look-back `<proposal>-c3-lb`
MAX_RECORDED_ID = 128  # any id an event carries, derived ones included
MAX_RECORDED_KEY = 1_000  # a composite key an event carries, e.g. a scorecard item `appraisal:<a>:<round>:<member>`
MAX_SHORT_TEXT = 200  # a title, a name, a reference
MAX_LONG_TEXT = 20_000  # free text: a proposal's case, a reply, a report's body (about ten pages)
MAX_LIST_ITEM = 500  # one entry of a list (a suggestion, an issue heard), or a remark
MAX_LIST_ITEMS = 50  # entries of a list a person types or picks
MAX_RECORDED_ITEMS = 100  # entries of a list in an event: some join two command lists (lead unit + co-units)
MAX_ROSTER = 1_000  # members one record may name: a plenary invites the whole committee (a county has ~200-400)
MAX_COUNT = 100_000  # a count of things (people reached, proposals in a year, findings)
MIN_YEAR, MAX_YEAR = 1950, 2100  # the committee's years: county committees date from the 1950s
MIN_DAY, MAX_DAY = date(MIN_YEAR, 1, 1), date(MAX_YEAR, 12, 31)
MIN_RECORDED_YEAR, MAX_RECORDED_YEAR = 1900, 2200  # events: looser than any command's year or date bound
MIN_RECORDED_DAY, MAX_RECORDED_DAY = date(MIN_RECORDED_YEAR, 1, 1), date(MAX_RECORDED_YEAR, 12, 31)
# Whole yuan: the gateway's GraphQL Int is 32-bit (at most 2,147,483,647); a county charity act or donation
# of more than a billion yuan is not a record this committee keeps.
MAX_WHOLE_YUAN = 1_000_000_000
# Money in yuan with fen: up to 10^10 yuan (ten billion) is above any county's yearly budget, and the value
# keeps exact cents in PostgreSQL numeric(12, 2) and in a JSON number (a double has 15-16 exact digits).
MAX_MONEY = Decimal("9999999999.99")
# A file sent in base64 (a roster): a million characters, a file of about 730 KiB, where a county's roster of
# 1,000 members is about 100 KiB as XLSX. Well inside the command body limit (8 MiB,
# eventstore.body_limit.COMMAND_BODY_LIMIT), so a body one character too long still reaches the field's rule
# (a 400 naming the field), even with every character JSON-escaped, instead of the body limit's 413.
MAX_FILE_BASE64 = 1_000_000
# An email address: 254 characters in all (RFC 5321's 256-octet path less its angle brackets), 64 before the @.
MAX_EMAIL, MAX_EMAIL_LOCAL = 254, 64
IDENTIFIER_PATTERN = rf"^[A-Za-z0-9_.-]{{1,{MAX_ID}}}$"
DERIVED_IDENTIFIER_PATTERN = rf"^[A-Za-z0-9_.-]{{1,{MAX_DERIVED_ID}}}$"
IDEMPOTENCY_KEY_PATTERN = r"^[\x21-\x7e]{1,200}$"

# ---- checks (pydantic validators) -------------------------------------------------------------------------------


def storable(value: str) -> str:
    """Refuses text PostgreSQL or UTF-8 cannot hold (NUL, lone surrogates), naming the problem."""
    problem = text_problem(value)
    if problem == NUL_PROBLEM:
        raise PydanticCustomError("text_nul_character", "text " + NUL_PROBLEM)
    if problem == LONE_SURROGATE_PROBLEM:
        raise PydanticCustomError("text_lone_surrogate", "text " + LONE_SURROGATE_PROBLEM)
    return value


def _storable_input(value: object) -> object:
    # Runs before pydantic parses the string: pydantic-core itself cannot take a lone surrogate into a
    # constrained string, and would answer only "unable to parse raw data as a unicode string".
    return storable(value) if isinstance(value, str) else value


def not_blank(value: str) -> str:
    """Refuses text that is empty or only whitespace (the text itself is kept as given, not stripped)."""
    if not value.strip():
        raise PydanticCustomError("text_blank", "text must not be blank (empty or only whitespace)")
    return value


# ASCII only (no SMTPUTF8): the local part in RFC 5322's atom characters with single dots between them, the
# domain at least two DNS labels, so that every address accepted is one the email channel can send to.
_EMAIL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")


def email_address(value: str) -> str:
    """Refuses what is not an address `name@domain.tld` (after trimming spaces); the domain is kept lower-case."""
    value = value.strip()
    local, _, domain = value.rpartition("@")
    if len(local) > MAX_EMAIL_LOCAL or not _EMAIL.match(value):
        raise PydanticCustomError("email_invalid", "not an email address (name@domain, ASCII, at most "
                                  "{local} characters before the @)", {"local": MAX_EMAIL_LOCAL})
    return f"{local}@{domain.lower()}"


def not_after_today(value: date) -> date:
    """Refuses a date later than today in China (contracts.clock)."""
    today = clock.today()
    if value > today:
        raise PydanticCustomError("date_in_future", "the date {date} is later than today ({today})",
                                  {"date": value.isoformat(), "today": today.isoformat()})
    return value


def _in_years(low: int, high: int) -> AfterValidator:
    def check(value: datetime) -> datetime:
        if not low <= value.year <= high:
            raise PydanticCustomError("datetime_out_of_range", "the time must fall in the years {low} to {high}",
                                      {"low": low, "high": high})
        return value

    return AfterValidator(check)


STORABLE = BeforeValidator(_storable_input)
NOT_BLANK = AfterValidator(not_blank)

# ---- command types: ids and text ----------------------------------------------------------------------------

# An id of something (a member, a proposal, a unit): 1-64 of A-Z a-z 0-9 _ . -
Identifier = Annotated[str, StringConstraints(max_length=MAX_ID, pattern=IDENTIFIER_PATTERN), STORABLE]
# An id a service built from other ids (a look-back `<proposal>-c3-lb`): the same characters, 1-128.
DerivedIdentifier = Annotated[str, StringConstraints(max_length=MAX_DERIVED_ID, pattern=DERIVED_IDENTIFIER_PATTERN),
                              STORABLE]
# An id of something the platform does not register, often its name (a township 城关镇, a special committee,
# a direct-report point): 1-64 characters, not blank.
Reference = Annotated[str, StringConstraints(min_length=1, max_length=MAX_ID), STORABLE, NOT_BLANK]
# An Idempotency-Key header: 1-200 printable ASCII characters, no spaces.
IdempotencyKey = Annotated[str, StringConstraints(max_length=200, pattern=IDEMPOTENCY_KEY_PATTERN), STORABLE]
# A title or a name: 1-200 characters, not blank.
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=MAX_SHORT_TEXT), STORABLE, NOT_BLANK]
# Short text that may be empty (a field defaulting to ""): 0-200 characters.
OptionalShortText = Annotated[str, StringConstraints(max_length=MAX_SHORT_TEXT), STORABLE]
# Free text: 1-20,000 characters, not blank.
LongText = Annotated[str, StringConstraints(min_length=1, max_length=MAX_LONG_TEXT), STORABLE, NOT_BLANK]
# The reason kept with a decision: 1-20,000 characters. A blank reason is refused by the deciders' own rule
# (`reason_required`, a 422 naming the field), which the proposals service's tests hold it to.
ReasonText = Annotated[str, StringConstraints(min_length=1, max_length=MAX_LONG_TEXT), STORABLE]
# Free text that may be empty (a note, a comment): 0-20,000 characters.
OptionalLongText = Annotated[str, StringConstraints(max_length=MAX_LONG_TEXT), STORABLE]
# One entry of a list, or a remark: 1-500 characters, not blank.
ListItem = Annotated[str, StringConstraints(min_length=1, max_length=MAX_LIST_ITEM), STORABLE, NOT_BLANK]
# A remark that may be empty: 0-500 characters.
OptionalListItem = Annotated[str, StringConstraints(max_length=MAX_LIST_ITEM), STORABLE]

# Tighter bounds the committee's forms always had, kept:
# A person's name: 1-40 characters, not blank.
PersonName = Annotated[str, StringConstraints(min_length=1, max_length=40), STORABLE, NOT_BLANK]
# The name of an organization, a unit, a liaison contact or a group of people: 1-80 characters, not blank.
OrgName = Annotated[str, StringConstraints(min_length=1, max_length=80), STORABLE, NOT_BLANK]
# The title of a meeting, a training, a charity act or an award: 1-120 characters, not blank.
ActivityTitle = Annotated[str, StringConstraints(min_length=1, max_length=120), STORABLE, NOT_BLANK]
# A position, a job title or a place (主委, 科长, 深圳): 1-40 characters, not blank.
Label = Annotated[str, StringConstraints(min_length=1, max_length=40), STORABLE, NOT_BLANK]
# A meeting's venue, may be empty: 0-80 characters.
Venue = Annotated[str, StringConstraints(max_length=80), STORABLE]
# A meeting's check-in code as typed: 4-12 characters.
CheckInCode = Annotated[str, StringConstraints(min_length=4, max_length=12), STORABLE]
# A phone number as typed (kept privately, never in an event): 0-20 characters.
PhoneText = Annotated[str, StringConstraints(max_length=20), STORABLE]
# An email address (kept privately, never in an event): name@domain.tld, ASCII, at most 254 characters, spaces
# around it trimmed and the domain lower-cased.
EmailAddress = Annotated[str, StringConstraints(max_length=MAX_EMAIL), AfterValidator(email_address), STORABLE]
# A reference of a stored document (its id or URI): 1-500 characters.
DocumentRef = Annotated[str, StringConstraints(min_length=1, max_length=MAX_LIST_ITEM), STORABLE]
# A file's content in base64: 1 to 1,000,000 characters.
Base64File = Annotated[str, StringConstraints(min_length=1, max_length=MAX_FILE_BASE64), STORABLE]

# ---- command types: lists ------------------------------------------------------------------------------------

# A list a person types or picks: at most 50 entries (generic: BoundedList[Promise]).
BoundedList = Annotated[list[T], Field(max_length=MAX_LIST_ITEMS)]
# A list of text entries: at most 50, each 1-500 characters.
TextList = BoundedList[ListItem]
# A list of ids: at most 50.
IdList = BoundedList[Identifier]
# Members one record names (invitations, a training's attendees): at most 1,000 ids.
Roster = Annotated[list[Identifier], Field(max_length=MAX_ROSTER)]

# ---- command types: numbers ------------------------------------------------------------------------------------

# A count of things: 0-100,000.
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
# A 1-based number in a sequence (a term 届, a session 次, a version, a round): 1-100,000.
Ordinal = Annotated[int, Field(ge=1, le=MAX_COUNT)]
# A position in a proposal's list of suggestions (0-based): 0-49.
SuggestionIndex = Annotated[int, Field(ge=0, le=MAX_LIST_ITEMS - 1)]
# An amount in whole yuan: 0-1,000,000,000.
WholeYuan = Annotated[int, Field(ge=0, le=MAX_WHOLE_YUAN)]
# An amount of money in yuan with fen: 0.00-9,999,999,999.99.
Money = Annotated[Decimal, Field(ge=0, le=MAX_MONEY, max_digits=12, decimal_places=2)]
# A year of the committee's work: 1950-2100.
Year = Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR)]

# ---- command types: dates and times ------------------------------------------------------------------------

# The day of a past fact (a visit, a meeting held, a reply received): 1950-01-01 to today in China.
PastDate = Annotated[date, Field(ge=MIN_DAY), AfterValidator(not_after_today)]
# Any day the committee plans or records (a deadline, a plan): 1950-01-01 to 2100-12-31.
AnyDate = Annotated[date, Field(ge=MIN_DAY, le=MAX_DAY)]
# The days of one year (a holiday schedule): at most 366.
YearDays = Annotated[list[AnyDate], Field(max_length=366)]
# An instant with its time zone, in the years 1950-2100.
Moment = Annotated[AwareDatetime, _in_years(MIN_YEAR, MAX_YEAR)]
# The day a workflow step happened, given by the office when it enters the step from paper days later
# (`occurredOn` on a back-datable command): 1950-01-01 to 2100-12-31. Who may give one, and that it is not
# later than today nor in another year than today's, are the command API's rules (`eventstore.backdating`):
# they depend on the caller and the committee's clock, and each is refused by its own name.
OccurredOn = Annotated[date, Field(ge=MIN_DAY, le=MAX_DAY)]

# ---- recorded types (event payloads) -----------------------------------------------------------------------

# Any id an event carries: 0-128 characters, no pattern (ids recorded before the commands checked one, and ids
# built from others, e.g. `<proposal>-c3-lb`), empty included (an optional id once given as "").
RecordedId = Annotated[str, StringConstraints(max_length=MAX_RECORDED_ID), STORABLE]
# A composite key an event carries (a scorecard item, `<fact>:<id>:<member>`): 0-1,000 characters.
RecordedKey = Annotated[str, StringConstraints(max_length=MAX_RECORDED_KEY), STORABLE]
# Short text in an event: 0-200 characters.
RecordedShortText = OptionalShortText
# A title an event requires: 1-200 characters.
RecordedTitle = Annotated[str, StringConstraints(min_length=1, max_length=MAX_SHORT_TEXT), STORABLE]
# Free text in an event: 0-20,000 characters.
RecordedLongText = OptionalLongText
# A list entry or a remark in an event: 0-500 characters.
RecordedListItem = OptionalListItem
# A person's name in an event: 1-40 characters.
RecordedPersonName = Annotated[str, StringConstraints(min_length=1, max_length=40), STORABLE]
# An organization's, unit's, contact's or group's name in an event: 1-80 characters.
RecordedOrgName = Annotated[str, StringConstraints(min_length=1, max_length=80), STORABLE]
# A meeting's, training's, charity act's or award's title in an event: 1-120 characters.
RecordedActivityTitle = Annotated[str, StringConstraints(min_length=1, max_length=120), STORABLE]
# A position, job title or place in an event: 0-40 characters.
RecordedLabel = Annotated[str, StringConstraints(max_length=40), STORABLE]
# A list in an event: at most 100 entries (room for lists an event joins from two command lists).
RecordedList = Annotated[list[T], Field(max_length=MAX_RECORDED_ITEMS)]
# A year in an event: 1900-2200.
RecordedYear = Annotated[int, Field(ge=MIN_RECORDED_YEAR, le=MAX_RECORDED_YEAR)]
# A day in an event: 1900-01-01 to 2200-12-31, whatever today is when the event is read.
RecordedDate = Annotated[date, Field(ge=MIN_RECORDED_DAY, le=MAX_RECORDED_DAY)]
# The days of one year in an event (a holiday schedule): at most 366.
RecordedYearDays = Annotated[list[RecordedDate], Field(max_length=366)]
# An instant in an event, in the years 1900-2200.
RecordedMoment = Annotated[datetime, _in_years(MIN_RECORDED_YEAR, MAX_RECORDED_YEAR)]
