"""The gateway's views: read models of every internal topic, in the gateway's own schema. Each one is a
projection (setup / reset / apply) that `yizheng replay <name>` can rebuild from the topics."""

from __future__ import annotations

from gateway.views.appraisals import AppraisalsView
from gateway.views.backdated import BackdatedView
from gateway.views.base import Fact, View
from gateway.views.consultations import ConsultationsView
from gateway.views.directory import DirectoryView
from gateway.views.meetings import MeetingsView
from gateway.views.opinion_reports import OpinionReportsView
from gateway.views.proposals import ProposalsView
from gateway.views.questionnaires import QuestionnairesView
from gateway.views.research import ResearchView
from gateway.views.scorecard import ScorecardView
from gateway.views.supervision import SupervisionView
from gateway.views.tracked_items import TrackedItemsView
from gateway.views.visits import VisitsView

VIEW_CLASSES: tuple[type[View], ...] = (
    DirectoryView, MeetingsView, VisitsView, ProposalsView, OpinionReportsView, ScorecardView,
    ConsultationsView, TrackedItemsView, SupervisionView, ResearchView, AppraisalsView, QuestionnairesView,
    BackdatedView,
)


def all_views(schema: str) -> list[View]:
    return [cls(schema) for cls in VIEW_CLASSES]


def view_named(name: str, schema: str) -> View:
    for cls in VIEW_CLASSES:
        if cls.name == name:
            return cls(schema)
    raise KeyError(f"no gateway view {name!r} (known: {', '.join(c.name for c in VIEW_CLASSES)})")


__all__ = ["VIEW_CLASSES", "Fact", "View", "all_views", "view_named"]
