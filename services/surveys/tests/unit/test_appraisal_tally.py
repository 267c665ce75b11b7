"""The appraisal's tally, as the office announces it on the spot: satisfaction over those who knew the
department, 不了解 and blanks left out, ties sharing a rank, the top and bottom three with ties; the same
whatever order the ballots come in, and the same from the stand-alone verifier's own reading of the rules."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from surveys.appraisal.tally import tally

from ..appraisal_kit import standalone_verifier

UNITS = ["A", "B", "C", "D", "E"]
ONE = ["overall"]


def marks(**by_unit: str) -> dict[str, dict[str, str]]:
    return {u: {"overall": c} for u, c in by_unit.items()}


GOLDEN = [
    marks(A="satisfied", B="satisfied", C="dissatisfied", D="unknown"),  # E left blank
    marks(A="basically_satisfied", B="satisfied", C="dissatisfied", D="unknown", E="satisfied"),
    marks(A="dissatisfied", B="basically_satisfied", C="satisfied", E="satisfied"),  # D blank
    marks(A="satisfied", B="dissatisfied", C="unknown", D="unknown", E="dissatisfied"),
]


def by_unit(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["unit_id"]: r for r in result["results"]}


def test_rates_count_only_those_who_knew_the_department_and_blanks_are_abstentions() -> None:
    r = by_unit(tally(UNITS, ONE, GOLDEN))
    assert {k: r["A"][k] for k in ("satisfied", "basically_satisfied", "dissatisfied", "unknown", "abstained")} == {
        "satisfied": 2, "basically_satisfied": 1, "dissatisfied": 1, "unknown": 0, "abstained": 0}
    assert (r["A"]["rate"], r["C"]["rate"], r["E"]["rate"]) == ("0.7500", "0.3333", "0.6667")
    assert (r["E"]["abstained"], r["E"]["knew"]) == (1, 3)
    assert (r["D"]["unknown"], r["D"]["abstained"], r["D"]["rate"], r["D"]["rank"]) == (3, 1, None, None)


def test_equal_rates_share_a_rank_and_both_lists_keep_ties() -> None:
    result = tally(UNITS, ONE, GOLDEN)
    ranks = {u: r["rank"] for u, r in by_unit(result).items()}
    assert ranks == {"A": 1, "B": 1, "E": 3, "C": 4, "D": None}
    assert result["top_unit_ids"] == ["A", "B", "E"]
    # C is last, E second to last, A and B tie third from the bottom: four named, as the tie demands.
    assert result["bottom_unit_ids"] == ["C", "E", "A", "B"]


def test_a_department_nobody_knew_is_neither_ranked_nor_named() -> None:
    result = tally(["A", "D"], ONE, [marks(A="satisfied", D="unknown"), marks(D="unknown")])
    assert by_unit(result)["D"]["rate"] is None
    assert result["top_unit_ids"] == ["A"] and result["bottom_unit_ids"] == ["A"]


def test_dimensions_are_pooled_for_the_rank_and_kept_apart_in_the_breakdown() -> None:
    ballots = [{"A": {"style": "satisfied", "speed": "dissatisfied"}, "B": {"style": "satisfied"}},
               {"A": {"style": "satisfied", "speed": "satisfied"}, "B": {"speed": "unknown"}}]
    r = by_unit(tally(["A", "B"], ["style", "speed"], ballots))
    assert (r["A"]["satisfied"], r["A"]["dissatisfied"], r["A"]["rate"]) == (3, 1, "0.7500")
    assert [(d["dimension_id"], d["rate"]) for d in r["A"]["dimensions"]] == [("style", "1.0000"), ("speed", "0.5000")]
    assert (r["B"]["abstained"], r["B"]["unknown"], r["B"]["rate"]) == (2, 1, "1.0000")
    assert (r["A"]["rank"], r["B"]["rank"]) == (2, 1)


def test_no_ballots_no_results() -> None:
    result = tally(UNITS, ONE, [])
    assert result["ballots"] == 0 and result["top_unit_ids"] == [] and result["bottom_unit_ids"] == []


CHOICE = st.sampled_from(["satisfied", "basically_satisfied", "dissatisfied", "unknown"])
BALLOT = st.dictionaries(st.sampled_from(UNITS), st.fixed_dictionaries({}, optional={"overall": CHOICE}), max_size=5)


@given(st.lists(BALLOT, max_size=40), st.randoms(use_true_random=False))
def test_the_tally_does_not_depend_on_the_order_of_the_ballots(ballots: list[Any], rnd: Any) -> None:
    shuffled = list(ballots)
    rnd.shuffle(shuffled)
    assert tally(UNITS, ONE, shuffled) == tally(UNITS, ONE, ballots)


@given(st.lists(BALLOT, max_size=40))
def test_every_ballot_counts_once_per_department_and_the_outside_verifier_agrees(ballots: list[Any]) -> None:
    result = tally(UNITS, ONE, ballots)
    for r in result["results"]:
        assert sum(r[k] for k in ("satisfied", "basically_satisfied", "dissatisfied", "unknown", "abstained")) \
            == len(ballots)
    assert standalone_verifier().tally(UNITS, ONE, ballots) == result
