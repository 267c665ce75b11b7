"""The public contract: what other county systems may know of each fact, on `<svc>.public.<committee>`.

Every internal event type has exactly one `PublicView`, declared in `contracts/<svc>/public.py`:

- `publish(Internal, omit=...)`: the public event is the internal one without the named fields (its model is made
  from the internal model's fields, so a new internal field is public only if nobody omits it, and the
  forbidden-field test below catches the names that must never be public);
- `derive(Internal, Public, fn)`: a public model of its own, computed by a pure function (a tally of ratings);
- `withhold(Internal, because=...)`: not published at all (a draft, a contact person, the platform's own traffic).

What outsiders never get, whatever the type: free text people wrote (reasons, notes, comments, summaries, a
reply's text, a proposal's case), contact data, individual ratings, and — unless the committee publishes them
(`Publication.member_performance`) — individual points, grades and flags. `FORBIDDEN_FIELDS` names these; the
contract test fails a public model that carries one, anywhere in its schema (nested models included), before it
can ship (`forbidden_names`).

The public message is a smaller envelope than the internal one: no actor (a staff account's subject is a
person's login), no correlation ids; the committee, the stream and its position, when it happened, and `data`.
For the same reason no public payload carries an actor id in its data either: a field named `…_by`
(`graded_by`, `rescored_by`) or one of `ACTOR_FIELDS` (`staff_id`, the token subject of a unit's staff
account) fails the contract test like a forbidden field."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, create_model

from contracts.registry import REGISTRY, DomainEvent, EventRegistry
from contracts.topics import COMMITTEE_ID_PATTERN

# Field names no public event may carry (anywhere in its data, nested models included).
FREE_TEXT = frozenset({
    "reason", "note", "notes", "comment", "text", "summary", "body", "case", "analysis", "suggestions",
    "description", "findings", "purpose", "issues_heard", "follow_up", "plan", "instruction", "detail",
    "progress", "amendment_text", "attachments",
})
CONTACT_DATA = frozenset({"email", "mobile", "phone", "address", "contact", "id_card", "wechat", "url"})
INDIVIDUAL_RATINGS = frozenset({"rating", "attitude", "ratings"})
# Individual performance: published only by committees that publish their members' assessment.
MEMBER_PERFORMANCE = frozenset({"points", "nominal_points", "grade", "grade_by_points", "flags", "flag",
                                "total", "max_grade", "label_zh"})
FORBIDDEN_FIELDS = FREE_TEXT | CONTACT_DATA | INDIVIDUAL_RATINGS
# Who did it: a staff account's login (the token subject). Besides these names, every field named `…_by`.
ACTOR_FIELDS = frozenset({"actor", "actor_id", "staff_id", "subject_id", "login", "account_id", "user_id"})
ACTOR_SUFFIX = "_by"


def is_actor_field(name: str) -> bool:
    return name in ACTOR_FIELDS or name.endswith(ACTOR_SUFFIX)


@dataclass(frozen=True)
class Publication:
    """What one committee chooses to publish beyond the default."""

    member_performance: bool = False  # members' points, grades and flags (a committee's 通报 of its assessment)


DEFAULT_PUBLICATION = Publication()


class PublicEvent(BaseModel):
    """Base of every public payload that is not simply an internal one with fields left out."""

    model_config = ConfigDict(frozen=True, extra="forbid")


Derive = Callable[[DomainEvent, Publication], BaseModel | None]


@dataclass(frozen=True)
class PublicView:
    internal: type[DomainEvent]
    model: type[BaseModel] | None  # None: withheld
    derive: Derive
    version: int = 1  # the public payload's own schema version
    withheld_because: str = ""
    # Published only if the committee publishes this (a `Publication` flag name); None: always.
    only_if: str | None = None
    # Free-text fields that are themselves a public notice (a call for proposals' reference list): the
    # forbidden-field test lets these names through for this type only.
    notice_text: frozenset[str] = frozenset()
    # Names the forbidden-field test would flag that, in this type only, describe no person: a committee's
    # rule (a rulebook's points, grade bands and flag rules), a body that adopted a report (`adopted_by`).
    not_personal: frozenset[str] = frozenset()
    # `publish`: the internal fields left out (`"item.notes"` for a nested one); the derive test checks them.
    omitted: frozenset[str] = frozenset()

    @property
    def type(self) -> str:
        return self.internal.event_type

    @property
    def service(self) -> str:
        return self.internal.topic.split(".")[0]

    def __call__(self, event: DomainEvent, publication: Publication = DEFAULT_PUBLICATION) -> BaseModel | None:
        if self.model is None:
            return None
        if self.only_if is not None and not getattr(publication, self.only_if):
            return None
        return self.derive(event, publication)


def _subset_model(model: type[BaseModel], omit: frozenset[str], *, name: str, base: type[BaseModel]) -> type[BaseModel]:
    """`model` without the `omit` fields; `"item.notes"` leaves `notes` out of the nested model in `item`."""
    top = {o for o in omit if "." not in o}
    nested: dict[str, set[str]] = {}
    for o in omit - top:
        head, rest = o.split(".", 1)
        nested.setdefault(head, set()).add(rest)
    unknown = (top | set(nested)) - set(model.model_fields)
    if unknown:
        raise ValueError(f"{name}: cannot omit fields it does not have: {sorted(unknown)}")
    fields: dict[str, Any] = {}
    for field_name, info in model.model_fields.items():
        if field_name in top:
            continue
        if field_name in nested:
            inner = info.annotation
            if not (isinstance(inner, type) and issubclass(inner, BaseModel)):
                raise ValueError(f"{name}.{field_name}: only a nested model's fields can be omitted")
            sub = _subset_model(inner, frozenset(nested[field_name]), name=f"{name}.{field_name}",
                                base=PublicEvent)
            fields[field_name] = (sub, info)
        else:
            fields[field_name] = (info.annotation, info)
    return create_model(  # type: ignore[call-overload,no-any-return]
        f"{model.__name__}Public", __base__=base, __doc__=(model.__doc__ or name).strip(), **fields)


def _exclusion(omit: frozenset[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for o in omit:
        head, _, rest = o.partition(".")
        out[head] = True if not rest else {**(out.get(head) or {}), **_exclusion(frozenset({rest}))}
    return out


def publish(internal: type[DomainEvent], *, omit: Iterable[str] = (), only_if: str | None = None,
            notice_text: Iterable[str] = (), not_personal: Iterable[str] = ()) -> PublicView:
    omitted = frozenset(omit)
    model = _subset_model(internal, omitted, name=internal.event_type, base=PublicEvent)
    exclude = _exclusion(omitted)

    def derive(event: DomainEvent, _: Publication) -> BaseModel:
        return model.model_validate(event.model_dump(exclude=exclude))

    return PublicView(internal, model, derive, only_if=only_if, notice_text=frozenset(notice_text),
                      not_personal=frozenset(not_personal), omitted=omitted)


def derive(internal: type[DomainEvent], model: type[BaseModel], fn: Derive, *, version: int = 1) -> PublicView:
    return PublicView(internal, model, fn, version=version)


def withhold(internal: type[DomainEvent], *, because: str) -> PublicView:
    if not because:
        raise ValueError(f"{internal.event_type}: say why it is withheld")
    return PublicView(internal, None, lambda *_: None, withheld_because=because)


class PublicEnvelope(BaseModel):
    """A public event as it travels on `<svc>.public.<committee>`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: UUID = Field(description="the internal event's id (a subscriber drops duplicates by it)")
    type: str
    schema_version: int = Field(ge=1, description="the public payload's version")
    stream_id: str
    stream_version: int = Field(ge=1)
    occurred_at: datetime
    committee_id: str = Field(pattern=COMMITTEE_ID_PATTERN)
    source: str = Field(description="the service that recorded the fact")
    data: dict[str, Any]


@dataclass
class PublicRegistry:
    views: dict[str, PublicView] = field(default_factory=dict)

    def declare(self, views: Iterable[PublicView]) -> None:
        for view in views:
            existing = self.views.get(view.type)
            if existing is not None and existing.internal is not view.internal:
                raise ValueError(f"public view of {view.type!r} declared twice")
            self.views[view.type] = view

    def view(self, event_type: str) -> PublicView:
        try:
            return self.views[event_type]
        except KeyError:
            raise LookupError(f"no public view declared for {event_type!r} (contracts/<svc>/public.py)") from None

    def published(self, service: str | None = None) -> list[PublicView]:
        return [v for _, v in sorted(self.views.items())
                if v.model is not None and (service is None or v.service == service)]

    def publishing_services(self) -> list[str]:
        return sorted({v.service for v in self.published()})

    def undeclared(self, registry: EventRegistry = REGISTRY) -> list[str]:
        return [name for name in registry.names() if name not in self.views]


PUBLIC = PublicRegistry()


def public_message(view: PublicView, *, event_id: UUID, stream_id: str, stream_version: int,
                   occurred_at: datetime, committee_id: str, source: str, payload: BaseModel) -> PublicEnvelope:
    return PublicEnvelope(event_id=event_id, type=view.type, schema_version=view.version, stream_id=stream_id,
                          stream_version=stream_version, occurred_at=occurred_at, committee_id=committee_id,
                          source=source, data=payload.model_dump(mode="json"))


def message_model(view: PublicView) -> type[BaseModel]:
    """The message as it travels, with `type` fixed and `data` typed: what the JSON Schema describes."""
    assert view.model is not None
    return create_model(  # type: ignore[call-overload,no-any-return]
        f"{view.model.__name__}Message", __base__=PublicEnvelope,
        __doc__=(view.model.__doc__ or view.type).strip(),
        type=(Literal[view.type], Field(description="the event type name")),  # type: ignore[valid-type,arg-type]
        schema_version=(int, Field(default=view.version, ge=1, description=f"current version: {view.version}")),
        data=(view.model, ...),
    )


def field_names(schema: dict[str, Any]) -> set[str]:
    """Every property name anywhere in a JSON Schema (nested models and `$defs` included)."""
    names: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "properties" and isinstance(value, dict):
                    names.update(value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(schema)
    return names



def forbidden_names(view: PublicView, names: Iterable[str]) -> set[str]:
    """Which of `names` (every property name of the view's public schema, `field_names`) the view must not
    publish: free text, contact data, individual ratings, actor ids, and individual performance unless the
    view is published only where the committee publishes it (`only_if`)."""
    names = set(names)
    bad = (names & FORBIDDEN_FIELDS) - view.notice_text
    bad |= {n for n in names if is_actor_field(n)}
    if view.only_if is None:
        bad |= names & MEMBER_PERFORMANCE
    return bad - view.not_personal
