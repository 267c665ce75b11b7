"""The shared bounded types (contracts.bounded): what each accepts and refuses, that a refusal names the field
and the problem, and (by property) that accepted text is always within bounds and storable."""

from __future__ import annotations

import re
import typing
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError, create_model

from contracts import bounded as b
from contracts import clock

CHINA = timezone(timedelta(hours=8))
TODAY = date(2026, 6, 15)


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    # PastDate asks contracts.clock for today in China; the tests fix it.
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def probe(tp: Any, name: str = "field") -> type[BaseModel]:
    """A model with one required field `name` of type `tp`."""
    fields: dict[str, Any] = {name: (tp, ...)}
    return create_model("Probe", **fields)


def accepts(tp: Any, value: Any) -> bool:
    try:
        probe(tp).model_validate({"field": value})
    except ValidationError:
        return False
    return True


def refusal(tp: Any, value: Any, name: str = "field") -> dict[str, Any]:
    with pytest.raises(ValidationError) as err:
        probe(tp, name).model_validate({name: value})
    errors = err.value.errors()
    assert len(errors) == 1, errors
    return dict(errors[0])


# (type, values it accepts, values it refuses)
CASES: list[tuple[str, list[Any], list[Any]]] = [
    ("Identifier", ["m-1", "a", "A.b_c-9", "x" * 64], ["", "x" * 65, "有", "a b", "a/b", "a:b", 1]),
    ("DerivedIdentifier", ["p-1-c2-lb", "x" * 128], ["", "x" * 129, "a b"]),
    ("Reference", ["城关镇", "pt-town-3", "x" * 64], ["", "  ", "x" * 65]),
    ("ReasonText", ["符合立案条件", "  ", "x" * 20_000], ["", "x" * 20_001]),
    ("IdempotencyKey", ["k", "key-1:2/3", "~" * 200], ["", "k" * 201, "two words", "键", "tab\tkey"]),
    ("ShortText", ["关于加强农村饮用水安全保障的建议", "a", " padded ", "长" * 200], ["", "   ", "\u3000", "长" * 201]),
    ("OptionalShortText", ["", "   ", "长" * 200], ["长" * 201]),
    ("LongText", ["一段案由。\n第二段。", "x" * 20_000], ["", "\n\t ", "x" * 20_001]),
    ("OptionalLongText", ["", "x" * 20_000], ["x" * 20_001]),
    ("ListItem", ["更新老旧管网", "x" * 500], ["", " ", "x" * 501]),
    ("OptionalListItem", ["", "x" * 500], ["x" * 501]),
    ("PersonName", ["欧阳明", "x" * 40], ["", " ", "x" * 41]),
    ("OrgName", ["县水利局", "x" * 80], ["", "x" * 81]),
    ("ActivityTitle", ["十届三次全体会议", "x" * 120], ["", "x" * 121]),
    ("Label", ["主委", "x" * 40], ["", "x" * 41]),
    ("Venue", ["", "县政协会议室", "x" * 80], ["x" * 81]),
    ("CheckInCode", ["1234", "x" * 12], ["123", "x" * 13]),
    ("PhoneText", ["", "0571-88888888", "x" * 20], ["x" * 21]),
    ("EmailAddress", ["wang@example.cn", " Li.Ming+cppcc@mail.county.gov.cn ", "x" * 64 + "@example.cn",
                      "a@" + "b" * 61 + "." + "c" * 63 + "." + "d" * 63 + "." + "e" * 61],
     ["", "wang", "wang@", "@example.cn", "wang@localhost", "a..b@example.cn", ".a@example.cn", "王芳@example.cn",
      "wang@例子.中国", "a b@example.cn", "x" * 65 + "@example.cn", "a@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 63
      + "." + "e" * 62, "wang@-example.cn"]),
    ("DocumentRef", ["doc-1", "https://docs.example/a/b.pdf", "x" * 500], ["", "x" * 501]),
    ("RecordedId", ["", "p-1-c2-lb", "张三", "x" * 128], ["x" * 129]),
    ("RecordedKey", ["", "appraisal:a-1:r-1:m-1", "x" * 1_000], ["x" * 1_001]),
    ("RecordedShortText", ["", " ", "长" * 200], ["长" * 201]),
    ("RecordedTitle", [" ", "长" * 200], ["", "长" * 201]),
    ("RecordedLongText", ["", "x" * 20_000], ["x" * 20_001]),
    ("RecordedListItem", ["", "x" * 500], ["x" * 501]),
    ("RecordedPersonName", [" ", "x" * 40], ["", "x" * 41]),
    ("RecordedOrgName", ["县水利局"], ["", "x" * 81]),
    ("RecordedActivityTitle", ["学习班"], ["", "x" * 121]),
    ("RecordedLabel", ["", "x" * 40], ["x" * 41]),
    ("TextList", [[], ["a"], ["x" * 500] * 50], [["x"] * 51, [""], ["x" * 501]]),
    ("IdList", [[], ["m-1"] * 50], [["m-1"] * 51, ["bad id"]]),
    ("Roster", [[], [f"m-{i}" for i in range(1_000)]], [[f"m-{i}" for i in range(1_001)], ["张三"]]),
    ("Count", [0, 1, 100_000], [-1, 100_001, 1.5, "many"]),
    ("Ordinal", [1, 100_000], [0, -1, 100_001]),
    ("SuggestionIndex", [0, 49], [-1, 50]),
    ("WholeYuan", [0, 2_000, 1_000_000_000], [-1, 1_000_000_001]),
    ("Money", [Decimal("0"), Decimal("0.01"), Decimal("9999999999.99"), "12.5"],
     [Decimal("-0.01"), Decimal("10000000000.00"), Decimal("0.001"), "abc"]),
    ("Year", [1950, 2026, 2100], [1949, 2101]),
    ("RecordedYear", [1900, 2200], [1899, 2201]),
    ("PastDate", [date(1950, 1, 1), TODAY, "2026-06-15"],
     [date(1949, 12, 31), TODAY + timedelta(days=1), "2099-01-01"]),
    ("AnyDate", [date(1950, 1, 1), date(2100, 12, 31), TODAY + timedelta(days=400)],
     [date(1949, 12, 31), date(2101, 1, 1), date(1, 1, 1)]),
    ("RecordedDate", [date(1900, 1, 1), date(2200, 12, 31), TODAY + timedelta(days=4_000)],
     [date(1899, 12, 31), date(2201, 1, 1)]),
    ("YearDays", [[], [date(2026, 1, 1)] * 366], [[date(2026, 1, 1)] * 367]),
    ("Moment", [datetime(2026, 3, 1, 9, tzinfo=CHINA), datetime(1950, 1, 1, tzinfo=UTC), "2100-12-31T23:59:59+08:00"],
     [datetime(2026, 3, 1, 9), datetime(1949, 12, 31, 23, tzinfo=UTC), datetime(2101, 1, 1, tzinfo=UTC)]),
    ("RecordedMoment",
     [datetime(2026, 3, 1, 9), datetime(1900, 1, 1, tzinfo=UTC), datetime(2200, 12, 31, tzinfo=CHINA)],
     [datetime(1899, 12, 31, tzinfo=UTC), datetime(2201, 1, 1, tzinfo=UTC)]),
]


@pytest.mark.parametrize(("name", "good", "bad"), CASES, ids=[c[0] for c in CASES])
def test_each_shared_type_accepts_and_refuses(name: str, good: list[Any], bad: list[Any]) -> None:
    tp = getattr(b, name)
    assert [v for v in good if not accepts(tp, v)] == []
    assert [v for v in bad if accepts(tp, v)] == []


TEXT_TYPES = ["Identifier", "DerivedIdentifier", "Reference", "ReasonText", "IdempotencyKey", "ShortText",
              "OptionalShortText", "LongText", "OptionalLongText", "ListItem", "OptionalListItem", "PersonName",
              "OrgName", "ActivityTitle", "Label", "Venue", "CheckInCode", "PhoneText", "EmailAddress", "DocumentRef",
              "Base64File",
              "RecordedId", "RecordedKey", "RecordedShortText", "RecordedTitle", "RecordedLongText",
              "RecordedListItem", "RecordedPersonName", "RecordedOrgName", "RecordedActivityTitle", "RecordedLabel"]


@pytest.mark.parametrize("name", TEXT_TYPES)
def test_every_text_type_refuses_nul_and_lone_surrogates_naming_field_and_problem(name: str) -> None:
    tp = getattr(b, name)
    for bad, kind, words in [("ab\x00cd", "text_nul_character", "NUL character (U+0000)"),
                             ("ab\ud800cd", "text_lone_surrogate", "lone surrogate"),
                             ("ab\udfffcd", "text_lone_surrogate", "lone surrogate")]:
        error = refusal(tp, bad, name="title")
        assert error["loc"] == ("title",)
        assert error["type"] == kind
        assert words in error["msg"]


def test_every_text_type_of_the_module_is_checked_above() -> None:
    texts = {name for name, tp in vars(b).items()
             if typing.get_origin(tp) is typing.Annotated and typing.get_args(tp)[0] is str}
    assert texts == set(TEXT_TYPES)


def test_a_refusal_in_a_list_names_the_field_and_the_entry() -> None:
    error = refusal(b.TextList, ["更新老旧管网", "加强\x00监管"], name="suggestions")
    assert error["loc"] == ("suggestions", 1) and error["type"] == "text_nul_character"
    error = refusal(b.IdList, ["m-1", "m 2"], name="member_ids")
    assert error["loc"] == ("member_ids", 1) and error["type"] == "string_pattern_mismatch"
    error = refusal(b.Roster, ["m-1"] * 1_001, name="member_ids")
    assert error["loc"] == ("member_ids",) and error["type"] == "too_long"


def test_refusals_name_the_field_and_the_rule() -> None:
    blank = refusal(b.ShortText, "   ", "title")
    assert (blank["loc"], blank["type"]) == (("title",), "text_blank")
    long = refusal(b.ShortText, "长" * 201, "title")
    assert (long["loc"], long["type"]) == (("title",), "string_too_long")
    later = refusal(b.PastDate, TODAY + timedelta(days=1), "held_on")
    assert (later["loc"], later["type"]) == (("held_on",), "date_in_future")
    assert TODAY.isoformat() in later["msg"]
    count = refusal(b.Count, 100_001, "people_reached")
    assert (count["loc"], count["type"]) == (("people_reached",), "less_than_equal")


def test_an_email_is_trimmed_its_domain_lower_cased_and_a_refusal_names_the_field() -> None:
    model = probe(b.EmailAddress)
    assert model.model_validate({"field": " Wang.Fang@Example.CN "}).model_dump() == {"field": "Wang.Fang@example.cn"}
    error = refusal(b.EmailAddress, "wang@localhost", "email")
    assert (error["loc"], error["type"]) == (("email",), "email_invalid")
    assert "email address" in error["msg"]
    error = refusal(b.EmailAddress, "a@" + "b" * 253, "email")
    assert (error["loc"], error["type"]) == (("email",), "string_too_long")


def test_text_is_kept_as_given() -> None:
    model = probe(b.ShortText)
    assert model.model_validate({"field": "  两端有空格  "}).model_dump() == {"field": "  两端有空格  "}


def test_past_date_follows_the_committee_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    day = date(2030, 1, 2)
    assert not accepts(b.PastDate, day)
    monkeypatch.setattr(clock, "today", lambda: day)
    assert accepts(b.PastDate, day)


def test_no_recorded_type_depends_on_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: date(1960, 1, 1))
    assert accepts(b.RecordedDate, date(2200, 12, 31))
    assert accepts(b.AnyDate, date(2100, 12, 31))
    assert not accepts(b.PastDate, date(1960, 1, 2))


# ---- properties --------------------------------------------------------------------------------------------

# (type, min length, max length, must not be blank, pattern)
TEXT_BOUNDS: list[tuple[str, int, int, bool, str | None]] = [
    ("ShortText", 1, 200, True, None), ("OptionalShortText", 0, 200, False, None),
    ("LongText", 1, 20_000, True, None), ("OptionalLongText", 0, 20_000, False, None),
    ("ListItem", 1, 500, True, None), ("OptionalListItem", 0, 500, False, None),
    ("PersonName", 1, 40, True, None), ("OrgName", 1, 80, True, None), ("ActivityTitle", 1, 120, True, None),
    ("Label", 1, 40, True, None), ("Venue", 0, 80, False, None), ("CheckInCode", 4, 12, False, None),
    ("RecordedId", 0, 128, False, None), ("RecordedTitle", 1, 200, False, None),
    ("Reference", 1, 64, True, None), ("ReasonText", 1, 20_000, False, None),
    ("Identifier", 1, 64, False, b.IDENTIFIER_PATTERN), ("IdempotencyKey", 1, 200, False, b.IDEMPOTENCY_KEY_PATTERN),
]
SURROGATE = re.compile("[\ud800-\udfff]")
# Characters that matter: NUL, both ends of the surrogate range, whitespace (ASCII and ideographic), control
# characters, CJK, an astral character, and the characters ids allow.
CHARS = st.one_of(st.sampled_from(["\x00", "\ud800", "\udbff", "\udc00", "\udfff", " ", "\t", "\n", "\u3000",
                                   "\x01", "\x7f", "长", "😀", "a", "Z", "0", "_", "-", ".", "~", ":"]),
                  st.characters(exclude_categories=()))


@settings(max_examples=400, deadline=None)
@given(case=st.sampled_from(TEXT_BOUNDS), head=st.text(CHARS, max_size=12), pad=st.integers(-3, 3),
       filler=st.sampled_from(["a", "长", " "]))
def test_accepted_text_is_within_its_bounds_and_storable(case: tuple[str, int, int, bool, str | None], head: str,
                                                         pad: int, filler: str) -> None:
    name, low, high, required, pattern = case
    edge = max(0, (high if pad >= 0 else low) + pad - len(head))
    value = head + filler * edge
    expected = (low <= len(value) <= high and "\x00" not in value and not SURROGATE.search(value)
                and (not required or bool(value.strip())) and (pattern is None or re.fullmatch(pattern, value)))
    assert accepts(getattr(b, name), value) == bool(expected), (name, value[:40], len(value))


@settings(max_examples=200, deadline=None)
@given(value=st.integers(-200_000, 200_000))
def test_accepted_counts_are_within_bounds(value: int) -> None:
    assert accepts(b.Count, value) == (0 <= value <= b.MAX_COUNT)
    assert accepts(b.Ordinal, value) == (1 <= value <= b.MAX_COUNT)
    assert accepts(b.Year, value) == (b.MIN_YEAR <= value <= b.MAX_YEAR)
