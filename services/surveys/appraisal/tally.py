"""The tally of an appraisal: a pure function over the ballots of the published board.

Per department, over every ballot: counts per choice (满意, 基本满意, 不满意, 不了解) and abstentions (a blank: no
choice), pooled over the round's dimensions and per dimension. The satisfaction rate is 满意 + 基本满意 over
those who knew the department (满意 + 基本满意 + 不满意: 不了解 and blanks are left out); a department nobody knew
has no rate and no rank. Ranks are by rate, highest first, compared exactly (fractions); equal rates share a
rank and the next rank skips (1, 2, 2, 4). The top three are the departments ranked 1-3, the bottom three those
with fewer than three departments below them: ties included, so either list may hold more than three.

The board carries no sector or group of any rater, so nothing is broken down by sector or group (a group
label on a ballot would narrow it to that group's attendees, who are on the sign-in sheet)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

CHOICES = ("satisfied", "basically_satisfied", "dissatisfied", "unknown")
NAMED = 3  # top and bottom three


def rate_text(rate: Fraction | None) -> str | None:
    """A rate as the board and the event write it: four places, half up ("0.8333")."""
    if rate is None:
        return None
    value = (Decimal(rate.numerator) / Decimal(rate.denominator)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    return f"{value:.4f}"


def _counts() -> dict[str, int]:
    return {**dict.fromkeys(CHOICES, 0), "abstained": 0}


def _rate(c: Mapping[str, int]) -> Fraction | None:
    knew = c["satisfied"] + c["basically_satisfied"] + c["dissatisfied"]
    return Fraction(c["satisfied"] + c["basically_satisfied"], knew) if knew else None


def tally(unit_ids: Sequence[str], dimension_ids: Sequence[str],
          ballots: Iterable[Mapping[str, Mapping[str, str]]]) -> dict[str, Any]:
    """`ballots`: each ballot's marks (unit id -> {dimension id -> choice}). The order of the ballots does not
    matter; the result lists the departments in the round's order."""
    pooled = {u: _counts() for u in unit_ids}
    per_dim = {u: {d: _counts() for d in dimension_ids} for u in unit_ids}
    n = 0
    for marks in ballots:
        n += 1
        for u in unit_ids:
            given = marks.get(u, {})
            for d in dimension_ids:
                key = given.get(d) or "abstained"
                pooled[u][key] += 1
                per_dim[u][d][key] += 1
    rates = {u: _rate(pooled[u]) for u in unit_ids}
    rated = [r for r in rates.values() if r is not None]
    rank = {u: 1 + sum(o > r for o in rated) for u, r in rates.items() if r is not None}
    from_bottom = {u: 1 + sum(o < r for o in rated) for u, r in rates.items() if r is not None}
    order = {u: i for i, u in enumerate(unit_ids)}
    top = sorted((u for u in rank if rank[u] <= NAMED), key=lambda u: (rank[u], order[u]))
    bottom = sorted((u for u in from_bottom if from_bottom[u] <= NAMED), key=lambda u: (from_bottom[u], order[u]))
    return {
        "ballots": n,
        "results": [{"unit_id": u, **pooled[u], "knew": pooled[u]["satisfied"] + pooled[u]["basically_satisfied"]
                     + pooled[u]["dissatisfied"], "rate": rate_text(rates[u]), "rank": rank.get(u),
                     "dimensions": [{"dimension_id": d, **per_dim[u][d], "rate": rate_text(_rate(per_dim[u][d]))}
                                    for d in dimension_ids]}
                    for u in unit_ids],
        "top_unit_ids": top,
        "bottom_unit_ids": bottom,
    }
