"""The surveys service's streams (`eventstore.streams`: `<category>-<committee>-<id>`)."""

from __future__ import annotations

from eventstore.streams import category_of, stream_id


def consultation_plan(committee_id: str, year: int) -> str:
    """The committee's consultation & supervision plan of one year."""
    return stream_id("consultationPlan", committee_id, year)


def consultation(committee_id: str, consultation_id: str) -> str:
    """One consultation session and the outcomes it recorded."""
    return stream_id("consultation", committee_id, consultation_id)


def tracked_item(committee_id: str, item_id: str) -> str:
    """One tracked item (a consultation outcome; later a rectification or a research recommendation)."""
    return stream_id("trackedItem", committee_id, item_id)


__all__ = ["category_of", "consultation", "consultation_plan", "tracked_item"]
