"""Renders a notification's Chinese email from its Jinja2 templates (`services/notify/templates/email/`):
a subject from the catalog, a text part and an HTML part. `StrictUndefined` makes a variable the template
uses but the caller did not give an error (the template test renders every template with its declared
sample, so such a mistake fails there, not at a send)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, TemplateNotFound, TemplateSyntaxError
from jinja2 import UndefinedError as UndefinedError  # re-exported: what a missing variable raises

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates" / "email"
DIGEST = "digest"
# Given by the channel to every template (the layout's footer and the urgency mark).
CHANNEL_VARIABLES = ("reason", "unsubscribe_url", "urgency")


class TemplateError(Exception):
    """A template that cannot be rendered: unknown, malformed, or missing a variable."""


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class TemplateSpec:
    template_id: str
    subject: str  # a Jinja expression of the template's variables
    sample: Mapping[str, Any]  # declared variables with example values


@cache
def _environment() -> Environment:
    # Autoescape the HTML part only: the text part and the subject are not markup.
    return Environment(loader=FileSystemLoader(TEMPLATE_DIR), undefined=StrictUndefined,
                       autoescape=lambda name: bool(name and name.endswith(".html")),
                       trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


@cache
def catalog() -> Mapping[str, TemplateSpec]:
    """Every email template id with its subject and sample variables."""
    raw = yaml.safe_load((TEMPLATE_DIR / "catalog.yaml").read_text(encoding="utf-8"))
    return {tid: TemplateSpec(tid, spec["subject"], spec.get("sample", {})) for tid, spec in raw.items()}


@cache
def _subject(template_id: str) -> Template:
    """A template's subject, compiled once (compiling it for every message was a twentieth of the delivery
    worker's time under a backlog)."""
    return _environment().from_string(catalog()[template_id].subject)


def _one_line(text: str) -> str:
    return " ".join(text.split())  # a subject is one header line; a newline in a variable must not split it


def render(template_id: str, variables: Mapping[str, Any], *, reason: str = "", unsubscribe_url: str | None = None,
           urgency: str = "normal") -> Rendered:
    spec = catalog().get(template_id)
    if spec is None:
        raise TemplateError(f"no email template {template_id!r}")
    context = {**variables, "reason": reason, "unsubscribe_url": unsubscribe_url, "urgency": urgency}
    env = _environment()
    try:
        subject = _one_line(_subject(template_id).render(context))
        if urgency == "critical":
            subject = f"【紧急】{subject}"
        context["subject"] = subject
        text = env.get_template(f"{template_id}.txt").render(context)
        html = env.get_template(f"{template_id}.html").render(context)
    except UndefinedError as err:
        raise TemplateError(f"template {template_id!r}: {err.message}") from err
    except (TemplateNotFound, TemplateSyntaxError) as err:
        raise TemplateError(f"template {template_id!r}: {err}") from err
    return Rendered(subject=subject, text=text, html=html)


def render_sample(template_id: str) -> Rendered:
    spec = catalog()[template_id]
    return render(template_id, spec.sample, reason="您是提案2026-015的提案者",
                  unsubscribe_url="https://cppcc.example/unsubscribe?token=v1.x.y")
