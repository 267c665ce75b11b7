"""No public form of a completed evaluation round names a proposer's rating (contracts.proposals.public,
`EvaluationsCompletedPublic`). The proposers of a proposal are public, so the property is: for every round
and every rater, some other assignment of ratings to the same raters gives the same public event and a
different rating to that rater — also for a reader who knows one rater's own rating (a co-proposer)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from hypothesis import given
from hypothesis import strategies as st

from contracts.proposals.common import RatingEntry
from contracts.proposals.enums import Rating
from contracts.proposals.proposal import EvaluationsCompleted
from contracts.proposals.public import MIN_RATERS, EvaluationsCompletedPublic
from contracts.public import PUBLIC

Ratings = Sequence[Rating]
PublicForm = Callable[[Ratings], object]


def completed(ratings: Ratings) -> EvaluationsCompleted:
    return EvaluationsCompleted(proposal_id="p-1", unit_id="u-1", round=1,
                                ratings=[RatingEntry(member_id=f"m-{i}", rating=r) for i, r in enumerate(ratings)],
                                dissatisfied=Rating.dissatisfied in ratings)


def published(ratings: Ratings) -> object:
    """The public event the contract makes of the round (what an outside system reads)."""
    public = PUBLIC.view("evaluations-completed")(completed(ratings))
    assert public is not None
    return public.model_dump(mode="json")


def _alternatives(ratings: Ratings, target: int, known: int | None) -> Iterator[list[Rating]]:
    """Assignments that give `target` another rating and change at most one other rater's (never `known`'s)."""
    for mine in Rating:
        if mine is ratings[target]:
            continue
        base = [*ratings]
        base[target] = mine
        yield base
        for other in range(len(ratings)):
            if other in (target, known):
                continue
            for theirs in Rating:
                if theirs is not ratings[other]:
                    yield [*base[:other], theirs, *base[other + 1:]]


def named_rating(public_form: PublicForm, ratings: Ratings, *, known: int | None = None) -> int | None:
    """A rater whose rating `public_form` gives away to a reader who knows who rated (and, with `known`, that
    rater's own rating), or None. An alternative found proves the rating is not determined; the search is
    narrow (one other rater changed at most), so a miss can only fail a rule, never pass a leaky one."""
    seen = public_form(ratings)
    for target in range(len(ratings)):
        if target != known and not any(public_form(alt) == seen for alt in _alternatives(ratings, target, known)):
            return target
    return None


rounds = st.lists(st.sampled_from(list(Rating)), max_size=8)


@given(rounds, st.data())
def test_no_public_form_of_a_round_names_a_proposers_rating(ratings: list[Rating], data: st.DataObject) -> None:
    assert named_rating(published, ratings) is None
    if ratings:
        known = data.draw(st.integers(0, len(ratings) - 1), label="the rater who reads the topic")
        assert named_rating(published, ratings, known=known) is None


@given(rounds)
def test_the_public_form_is_the_rounds_size_and_from_three_raters_whether_any_was_dissatisfied(
        ratings: list[Rating]) -> None:
    public = PUBLIC.view("evaluations-completed")(completed(ratings))
    assert isinstance(public, EvaluationsCompletedPublic)
    assert public.raters == len(ratings)
    expected = (Rating.dissatisfied in ratings) if len(ratings) >= MIN_RATERS else None
    assert public.any_dissatisfied is expected
    assert "m-0" not in public.model_dump_json()


def _counts(ratings: Ratings) -> object:
    return tuple(list(ratings).count(r) for r in Rating)


def test_the_property_fails_the_rules_that_would_name_a_rating() -> None:
    s, d = Rating.satisfied, Rating.dissatisfied
    # Version 1's exact tally: a one-proposer round, and a unanimous one.
    assert named_rating(_counts, [s]) == 0
    assert named_rating(_counts, [d] * 5) == 0
    assert named_rating(_counts, [s, d, Rating.basically_satisfied]) is None
    # Counts left out only when unanimous: leaving them out tells.
    def unless_unanimous(r: Ratings) -> object:
        return len(r) if len(set(r)) <= 1 else _counts(r)

    assert named_rating(unless_unanimous, [d] * 4) == 0
    # The dissatisfied flag from one rater on, or from two on for a co-proposer who knows their own.
    def always_flagged(r: Ratings) -> object:
        return len(r), d in r

    assert named_rating(always_flagged, [d]) == 0
    assert named_rating(always_flagged, [s, d]) is None
    assert named_rating(always_flagged, [s, d], known=0) == 1
