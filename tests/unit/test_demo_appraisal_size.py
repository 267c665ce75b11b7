"""The demo county's secret-ballot round at full size, from the generator alone (no platform): 30 departments,
40 entitled raters, 36 attend (slips handed out) and 35 ballots stand (one rater corrects theirs), as the
issue's demo asks. `Size.small()` is what the e2e tests load; this is the only check of the full county."""

from __future__ import annotations

from datetime import UTC, datetime

from yizheng.demo.generator import Size, generate
from yizheng.demo.surveys_year import APPRAISED, RATERS


def test_the_full_county_appraises_30_departments_by_40_raters_36_attending_35_returned() -> None:
    script = generate(now=datetime(2026, 11, 20, 6, tzinfo=UTC), size=Size())
    assert script.expected.surveys is not None
    figures = script.expected.surveys.appraisal
    assert figures is not None
    assert (figures.departments, figures.entitled, figures.issued, figures.returned) == (30, 40, 36, 35)
    assert (APPRAISED, RATERS) == (30, 40)
    assert len(figures.bottom) >= 3 and len(figures.rectifications) == len(figures.bottom)

    # The steps say the same: the round opened, the ballots cast (one twice), the close.
    mine = [s for s in script.steps if s.body.get("appraisal_id") == figures.appraisal_id]
    opened = next(s.body for s in mine if s.command == "open-appraisal")
    assert len(opened["subjects"]) == 30
    assert len(opened["special_supervisor_ids"]) + len(opened["member_ids"]) == 40
    assert len(set(opened["special_supervisor_ids"]) | set(opened["member_ids"])) == 40
    cast = [s for s in mine if s.command == "cast-appraisal-ballot"]
    assert len(cast) == 36 and len({s.body["slip"].key for s in cast}) == 35
    closed = next(s.body for s in mine if s.command == "close-appraisal")
    assert closed["issued"] == 36 and len(closed["attendee_member_ids"]) == 36
