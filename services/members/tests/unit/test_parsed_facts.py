"""The scorer's parsed facts, kept by their stored text: whatever was kept, evicted or asked twice, a member-year's
facts come back as parsing each stored text would give them, in the order asked, and never more are kept than the
bound."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.members.enums import FactKind
from members.scoring.facts import DutyFact
from members.scoring.inputs import ParsedFacts


def stored(n: int, member: str = "m-zhang") -> str:
    """A duty fact's text as the duty_facts table returns it (jsonb as text)."""
    return DutyFact(key=f"visit:v-{n}:{member}", member_id=member, year=2026, kind=FactKind.visit,
                    occurred_on=date(2026, 3, 1 + n % 28), source_event_id=UUID(int=n),
                    source_event_type="visit-logged", source_service="members").model_dump_json()


@settings(max_examples=60, deadline=None)
@given(asks=st.lists(st.lists(st.integers(min_value=0, max_value=12), max_size=10), max_size=8),
       size=st.integers(min_value=1, max_value=6))
def test_kept_facts_are_what_their_text_says(asks: list[list[int]], size: int) -> None:
    facts = ParsedFacts(size)
    for ask in asks:
        texts = [stored(n) for n in ask]
        assert facts.of(texts) == [DutyFact.model_validate_json(t) for t in texts]
        assert len(facts._kept) <= size


def test_a_rescoring_parses_only_the_new_fact() -> None:
    facts = ParsedFacts()
    year = [stored(n) for n in range(5)]
    first = facts.of(year)
    again = facts.of([*year, stored(5)])
    assert all(a is b for a, b in zip(first, again, strict=False))  # the kept objects, not parsed again
    assert again[5] == DutyFact.model_validate_json(stored(5))
