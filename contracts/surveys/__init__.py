"""Public events of the surveys service (topic `surveys.events`): consultation, democratic supervision and
appraisal, research and inspection. The service itself is not built yet; its contracts are fixed first so
that the members service can score the work and other county systems can subscribe."""

from contracts.surveys import consultation, participation, supervision

__all__ = ["consultation", "participation", "supervision"]
