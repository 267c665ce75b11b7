"""What one request may ask for: depth, aliases, tokens, an estimated cost, and arguments within their bounds
(`gateway.arguments`); introspection only in development; internal errors masked outside development.

The cost estimate: every field costs 1 for each time it is resolved; a connection's children are resolved
`first` times (default 20), other lists' children an assumed 3 times. A document above MAX_COST is refused
before anything runs."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
    VariableNode,
    get_named_type,
)
from strawberry.extensions import (
    DisableIntrospection,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.extensions.query_depth_limiter import IgnoreContext

from gateway.arguments import ArgumentBounds
from gateway.errors import PublicError
from gateway.read.pagination import DEFAULT_PAGE

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 5000
MAX_COST = 25_000
LIST_FACTOR = 3


def _unwrap(t: Any) -> Any:
    while isinstance(t, GraphQLNonNull):
        t = t.of_type
    return t


class CostEstimate:
    def __init__(self, schema: GraphQLSchema, fragments: Mapping[str, FragmentDefinitionNode],
                 variables: Mapping[str, Any] | None) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables or {}

    def operation(self, op: OperationDefinitionNode) -> int:
        root = self.schema.get_root_type(op.operation)
        return self.selections(root, op.selection_set, 1, set()) if root else 0

    def selections(self, parent: Any, selection_set: SelectionSetNode | None, times: int, seen: set[str]) -> int:
        if selection_set is None:
            return 0
        total = 0
        for sel in selection_set.selections:
            if isinstance(sel, FieldNode):
                total += self.field(parent, sel, times, seen)
            elif isinstance(sel, FragmentSpreadNode):
                name = sel.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:
                    continue
                cond = self.schema.get_type(fragment.type_condition.name.value)
                total += self.selections(cond, fragment.selection_set, times, seen | {name})
            elif isinstance(sel, InlineFragmentNode):
                cond = self.schema.get_type(sel.type_condition.name.value) if sel.type_condition else parent
                total += self.selections(cond, sel.selection_set, times, seen)
        return total

    def field(self, parent: Any, node: FieldNode, times: int, seen: set[str]) -> int:
        name = node.name.value
        if name.startswith("__"):
            return 1  # introspection: only in development, not multiplied
        fields = getattr(parent, "fields", None) or {}
        definition = fields.get(name)
        if definition is None:
            return times  # validation will reject it
        child_times = times
        if "first" in definition.args:
            child_times = times * max(self._first(node), 1)
        elif isinstance(_unwrap(definition.type), GraphQLList):
            child_times = times * LIST_FACTOR
        child = get_named_type(definition.type)
        return times + self.selections(child, node.selection_set, child_times, seen)

    def _first(self, node: FieldNode) -> int:
        for arg in node.arguments or ():
            if arg.name.value != "first":
                continue
            if isinstance(arg.value, IntValueNode):
                return int(arg.value.value)
            if isinstance(arg.value, VariableNode):
                value = self.variables.get(arg.value.name.value)
                return int(value) if isinstance(value, int) else DEFAULT_PAGE
        return DEFAULT_PAGE


class CostLimiter(SchemaExtension):
    """Adds, per request, a validation rule refusing a document whose estimated cost exceeds `max_cost`
    (a rule of its own request, because the estimate needs the request's variables)."""

    def __init__(self, max_cost: int = MAX_COST) -> None:
        self.max_cost = max_cost

    def on_operation(self) -> Iterator[None]:
        ec = self.execution_context
        variables = ec.variables
        operation_name = ec.operation_name
        limit = self.max_cost

        class CostRule(ValidationRule):
            def enter_document(self, node: DocumentNode, *_: Any) -> None:
                fragments = {d.name.value: d for d in node.definitions if isinstance(d, FragmentDefinitionNode)}
                estimate = CostEstimate(self.context.schema, fragments, variables)
                for op in node.definitions:
                    if not isinstance(op, OperationDefinitionNode):
                        continue
                    if operation_name and (op.name is None or op.name.value != operation_name):
                        continue
                    cost = estimate.operation(op)
                    if cost > limit:
                        self.report_error(GraphQLError(
                            f"the query's estimated cost {cost} exceeds the limit {limit}; ask for fewer items "
                            "per page or fewer nested lists", nodes=op,
                            extensions={"code": "QUERY_TOO_COSTLY", "cost": cost, "limit": limit}))

        ec.validation_rules = (*ec.validation_rules, CostRule)
        yield


class QueryCounter(SchemaExtension):
    """Development only: reports the database round trips of a request in the response's `extensions`
    (`dbQueries`), so a test can show that nested lists cost a fixed number of queries."""

    def get_results(self) -> dict[str, Any]:
        db = getattr(self.execution_context.context, "db", None)
        return {"dbQueries": db.queries} if db is not None else {}


def should_mask(error: GraphQLError) -> bool:
    """Mask internal errors only: refusals the gateway means clients to see, and GraphQL's own validation
    errors (no original error), pass through."""
    original = error.original_error
    return original is not None and not isinstance(original, PublicError)


def _ignore_introspection(ctx: IgnoreContext) -> bool:
    return ctx.field_name.startswith("__")


def extensions(development: bool) -> list[Any]:
    """Extension factories: Strawberry makes a fresh instance of each per request (no shared state)."""
    found: list[Any] = [
        functools.partial(QueryDepthLimiter, max_depth=MAX_DEPTH, should_ignore=_ignore_introspection),
        functools.partial(MaxAliasesLimiter, max_alias_count=MAX_ALIASES),
        functools.partial(MaxTokensLimiter, max_token_count=MAX_TOKENS),
        functools.partial(CostLimiter, MAX_COST),
        ArgumentBounds,
    ]
    if development:
        found.append(QueryCounter)
    else:
        found += [DisableIntrospection, functools.partial(MaskErrors, should_mask_error=should_mask)]
    return found
