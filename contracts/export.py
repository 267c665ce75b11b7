"""Writes the event contracts, the public and the internal apart:

    <dir>/public/<type>.schema.json, <dir>/public/asyncapi.yaml      for other county systems
    <dir>/internal/<type>.schema.json, <dir>/internal/asyncapi.yaml  for the platform's own consumers

A public message's `ce_type` header is `<type>.v<version>`: its schema is `public/<type>.schema.json`."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, Field, create_model

from contracts import topics
from contracts.envelope import EventEnvelope
from contracts.public import PUBLIC, PublicRegistry, message_model
from contracts.registry import REGISTRY, EventRegistry

SCHEMA_BASE = "https://yizheng.example/contracts"
HEADERS = ("CloudEvents attributes in headers: ce_id, ce_type (<type>.v<version>), ce_source, ce_specversion, "
           "ce_time, ce_subject (stream id), ce_committee (tenant).")


def envelope_model(name: str, registry: EventRegistry = REGISTRY) -> type[BaseModel]:
    """The internal message as it travels: the envelope with `type` fixed and `data` typed."""
    model = registry.model(name)
    version = registry.current_version(name)
    return create_model(  # type: ignore[call-overload,no-any-return]
        f"{model.__name__}Message",
        __base__=EventEnvelope,
        __doc__=(model.__doc__ or name).strip(),
        type=(Literal[name], Field(description="the event type name")),  # type: ignore[valid-type,arg-type]
        schema_version=(int, Field(default=version, ge=1, description=f"current version: {version}")),
        data=(model, ...),
    )


def event_json_schema(name: str, registry: EventRegistry = REGISTRY) -> dict[str, Any]:
    """The internal event's schema (`internal/<type>.schema.json`)."""
    schema = envelope_model(name, registry).model_json_schema()
    schema["$id"] = f"{SCHEMA_BASE}/internal/{name}.schema.json"
    schema["title"] = name
    schema["x-schema-version"] = registry.current_version(name)
    schema["x-topic"] = registry.topic(name)
    return schema


def public_json_schema(name: str, public: PublicRegistry = PUBLIC) -> dict[str, Any]:
    """The public event's schema (`public/<type>.schema.json`); LookupError if the type is not published."""
    view = public.view(name)
    if view.model is None:
        raise LookupError(f"{name} is not published ({view.withheld_because})")
    schema = message_model(view).model_json_schema()
    schema["$id"] = f"{SCHEMA_BASE}/public/{name}.schema.json"
    schema["title"] = name
    schema["x-schema-version"] = view.version
    schema["x-topic"] = topics.public(view.service, "COMMITTEE").replace("COMMITTEE", "{committee}")
    if view.only_if:
        schema["x-published-only-if"] = view.only_if
    return schema


def _asyncapi(channels: Mapping[str, Sequence[type[BaseModel]]], *, title: str, description: str,
              channel_description: str, server: str) -> str:
    from faststream.kafka import KafkaBroker
    from faststream.security import SASLScram512
    from faststream.specification import AsyncAPI

    # Every listener wants a SCRAM-SHA-512 login over TLS (deploy/k8s: `tls` 9093 for the platform, `external`
    # 9094 for other county systems); the values here only make FastStream document the scheme.
    security = SASLScram512("your-user", "your-password", use_ssl=True)
    broker = KafkaBroker(server, description=description, security=security)
    for topic, members in sorted(channels.items()):
        payload: Any = members[0] if len(members) == 1 else Annotated[
            Union[tuple(members)],  # noqa: UP007 - a runtime tuple of models needs Union[...]
            Field(discriminator="type"),
        ]
        publisher = broker.publisher(topic, title=topic, schema=payload,
                                     description=channel_description.format(service=topic.split(".")[0]))

        async def _documented(*_: Any) -> None:  # never called: a publisher needs a function to document
            return None

        publisher(_documented)
    return str(AsyncAPI(broker, title=title, version="1.0.0", description=description).to_specification().to_yaml())


def internal_asyncapi_yaml(registry: EventRegistry = REGISTRY) -> str:
    channels = {topic: [envelope_model(n, registry) for n in names] for topic, names in registry.topics().items()}
    return _asyncapi(channels, title="Yizheng internal events",
                     description="Every fact the platform records, in full, for the platform's own consumers "
                                 "(read only by platform principals).",
                     channel_description="Every event of the {service} service, keyed by stream id "
                                         "(per-aggregate order). " + HEADERS, server="yizheng-kafka-bootstrap:9093")


def public_asyncapi_yaml(public: PublicRegistry = PUBLIC) -> str:
    channels: dict[str, list[type[BaseModel]]] = {}
    for view in public.published():
        channel = topics.public(view.service, "COMMITTEE").replace("COMMITTEE", "{committee}")
        channels.setdefault(channel, []).append(message_model(view))
    document = _asyncapi(channels, title="Yizheng public events",
                     description="What other county systems may know of the platform's facts: one topic per "
                                 "service and committee; ids, dates, kinds, counts and titles, never personal "
                                 "contact data, free text people wrote or an individual rating.",
                     channel_description="Public events of the {service} service for one committee ({{committee}} "
                                         "in the name), keyed by stream id. " + HEADERS,
                         server="kafka.county.example:9094")
    return _with_committee_parameter(document)


def _with_committee_parameter(document: str) -> str:
    """AsyncAPI 3 wants a parameter declared for `{committee}` in a channel's address."""
    import yaml

    spec = yaml.safe_load(document)
    for channel in spec.get("channels", {}).values():
        channel["parameters"] = {"committee": {
            "description": "the committee (tenant) id; a subscriber is allowed its own committee's topics only"}}
    return str(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False))


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def export(directory: Path, registry: EventRegistry = REGISTRY, public: PublicRegistry = PUBLIC) -> list[Path]:
    written = []
    for name in registry.names():
        written.append(_write(directory / "internal" / f"{name}.schema.json",
                              json.dumps(event_json_schema(name, registry), ensure_ascii=False, indent=2) + "\n"))
    for view in public.published():
        written.append(_write(directory / "public" / f"{view.type}.schema.json",
                              json.dumps(public_json_schema(view.type, public), ensure_ascii=False, indent=2) + "\n"))
    written.append(_write(directory / "internal" / "asyncapi.yaml", internal_asyncapi_yaml(registry)))
    written.append(_write(directory / "public" / "asyncapi.yaml", public_asyncapi_yaml(public)))
    return written
