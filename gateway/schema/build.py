"""Assembles the schema: queries, the generated mutations, subscriptions, and the request limits."""

from __future__ import annotations

from collections.abc import Sequence

import strawberry
from strawberry.schema.config import StrawberryConfig

from gateway import limits
from gateway.commands.catalog import CommandInfo, load_catalog
from gateway.schema import route_mutations
from gateway.schema.acyclic_executor import AcyclicExecutor
from gateway.schema.mutation import build_mutation
from gateway.schema.query import Query
from gateway.schema.scalars import SCALARS
from gateway.schema.subscription import Subscription


def build_schema(catalog: Sequence[CommandInfo] | None = None, *, development: bool = True) -> strawberry.Schema:
    """The gateway's schema. `catalog` defaults to every command the services offer."""
    commands = load_catalog() if catalog is None else list(catalog)
    return strawberry.Schema(
        query=Query,
        mutation=build_mutation(commands, route_mutations.MUTATIONS),
        subscription=Subscription,
        extensions=limits.extensions(development),
        config=StrawberryConfig(auto_camel_case=True, scalar_map=SCALARS),
        execution_context_class=AcyclicExecutor,
    )
