"""What one request may ask for: depth, aliases, tokens, an estimated cost, and arguments within their bounds
(`gateway.arguments`); introspection only in development; internal errors masked outside development.

The cost estimate: every field costs 1 for each time it is resolved; a connection's children are resolved
`first` times (default 20), other lists' children an assumed 3 times. A document above MAX_COST is refused
before anything runs.

Every limit costs what it checks: one pass over the document (`measure`), each fragment measured once, in
dependency order, and its figures multiplied per use, never expanded again (a fragment spreading the previous
one twice, 30 deep, is measured in 30 steps, not 2^30). The pass runs before graphql-core's validation, and a
document it refuses is never validated further: graphql-core's rule that overlapping fields can merge compares
same-named fields pairwise, so it is bounded too (at most MAX_REPEATS fields answering one response name at
one place of the answer, fragments merged in), which keeps every document under the body limit answered in
milliseconds. Raw request JSON nested deeper than MAX_JSON_NESTING is refused before it is decoded."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
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
    VariableNode,
    get_named_type,
)
from strawberry.extensions import (
    DisableIntrospection,
    MaskErrors,
    MaxTokensLimiter,
    SchemaExtension,
)

from gateway.arguments import ArgumentBounds
from gateway.errors import PublicError
from gateway.read.pagination import DEFAULT_PAGE

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 5000
MAX_COST = 25_000
LIST_FACTOR = 3
# Fields answering one response name at one place of the answer (`id` asked by several fragments): real
# clients repeat a field a few times; graphql-core compares them pairwise.
MAX_REPEATS = 20
# Levels of `{`/`[` in a request's JSON (variables, input values): far deeper than any input the schema takes.
MAX_JSON_NESTING = 32
# Saturation of the figures, so that arithmetic on a hostile document stays on small integers.
_CAP = 10**15


def _unwrap(t: Any) -> Any:
    while isinstance(t, GraphQLNonNull):
        t = t.of_type
    return t


@dataclass(frozen=True)
class Figures:
    """A selection set's figures: `depth` (nested fields with selections, as Strawberry's depth limiter counts
    them), `aliases`, and `cost` for one resolution of the set (multiplied by the times it is resolved)."""

    depth: int = 0
    aliases: int = 0
    cost: int = 0


class FragmentCycle(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


@dataclass
class Measure:
    """The figures of a document, fragments measured once each. `visited` counts the selections looked at, so
    a test can show the work is linear in the document."""

    schema: GraphQLSchema
    document: DocumentNode
    variables: Mapping[str, Any]
    visited: int = 0
    fragments: dict[str, FragmentDefinitionNode] = field(init=False)
    _figures: dict[str, Figures] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.fragments = {d.name.value: d for d in self.document.definitions if isinstance(d, FragmentDefinitionNode)}
        for name in self._dependency_order():
            fragment = self.fragments[name]
            self._figures[name] = self.selections(self._type(fragment.type_condition.name.value),
                                                  fragment.selection_set, 0)

    def operation(self, op: OperationDefinitionNode) -> Figures:
        return self.selections(self.schema.get_root_type(op.operation), op.selection_set, 0)

    def _dependency_order(self) -> list[str]:
        """Fragments, each after those it spreads (iteratively: a chain of a thousand fragments is no deeper
        a recursion than one); a fragment reaching itself raises FragmentCycle."""
        order: list[str] = []
        state: dict[str, int] = {}  # 1: in progress, 2: done
        for root in self.fragments:
            if root in state:
                continue
            stack: list[tuple[str, Iterator[str]]] = [(root, iter(self._spreads(root)))]
            state[root] = 1
            while stack:
                name, children = stack[-1]
                child = next(children, None)
                if child is None:
                    stack.pop()
                    state[name] = 2
                    order.append(name)
                elif child not in self.fragments or state.get(child) == 2:
                    continue
                elif state.get(child) == 1:
                    raise FragmentCycle(child)
                else:
                    state[child] = 1
                    stack.append((child, iter(self._spreads(child))))
        return order

    def _spreads(self, name: str) -> list[str]:
        found: list[str] = []
        pending: list[SelectionSetNode] = [self.fragments[name].selection_set]
        while pending:
            for sel in pending.pop().selections:
                self.visited += 1
                if isinstance(sel, FragmentSpreadNode):
                    found.append(sel.name.value)
                elif isinstance(sel, (FieldNode, InlineFragmentNode)) and sel.selection_set is not None:
                    pending.append(sel.selection_set)
        return found

    def _type(self, name: str) -> Any:
        return self.schema.get_type(name)

    def selections(self, parent: Any, selection_set: SelectionSetNode | None, level: int) -> Figures:
        depth = aliases = cost = 0
        if selection_set is None:
            return Figures()
        if level > MAX_DEPTH:  # refused by depth whatever lies below: not looked at
            return Figures(depth=1)
        for sel in selection_set.selections:
            self.visited += 1
            if isinstance(sel, FieldNode):
                found = self.field(parent, sel, level)
            elif isinstance(sel, FragmentSpreadNode):
                found = self._figures.get(sel.name.value, Figures())
            else:
                assert isinstance(sel, InlineFragmentNode)
                cond = self._type(sel.type_condition.name.value) if sel.type_condition else parent
                found = self.selections(cond, sel.selection_set, level)
            depth = max(depth, found.depth)
            aliases = min(aliases + found.aliases, _CAP)
            cost = min(cost + found.cost, _CAP)
        return Figures(depth, aliases, cost)

    def field(self, parent: Any, node: FieldNode, level: int) -> Figures:
        name = node.name.value
        alias = 1 if node.alias else 0
        definition = (getattr(parent, "fields", None) or {}).get(name)
        child = self.selections(get_named_type(definition.type) if definition else None, node.selection_set,
                                level + 1)
        if name.startswith("__"):  # introspection (development only): not deep, costs 1 whatever it holds
            return Figures(0, alias + child.aliases, 1)
        factor = 1
        if definition is not None and "first" in definition.args:
            factor = max(self._first(node), 1)
        elif definition is not None and isinstance(_unwrap(definition.type), GraphQLList):
            factor = LIST_FACTOR
        depth = 1 + child.depth if node.selection_set is not None else 0
        return Figures(depth, alias + child.aliases, min(1 + factor * child.cost, _CAP))

    def _first(self, node: FieldNode) -> int:
        for arg in node.arguments or ():
            if arg.name.value != "first":
                continue
            if isinstance(arg.value, IntValueNode):
                return min(int(arg.value.value), _CAP)
            if isinstance(arg.value, VariableNode):
                value = self.variables.get(arg.value.name.value)
                return min(value, _CAP) if isinstance(value, int) else DEFAULT_PAGE
        return DEFAULT_PAGE

    def repeats(self, op: OperationDefinitionNode, budget: int) -> str | None:
        """The first response name answered by more than MAX_REPEATS fields at one place, fragments merged in
        (as graphql-core merges them to compare), or None. Walks the expanded document, so it runs only on
        one whose cost is within the limit (which bounds the expansion), and stops after `budget` fields."""
        level: list[tuple[Any, SelectionSetNode]] = [(self.schema.get_root_type(op.operation), op.selection_set)]
        pending = [level]
        while pending:
            groups: dict[str, list[tuple[Any, FieldNode]]] = {}
            for parent, selection_set in pending.pop():
                for owner, node in self._collect(parent, selection_set):
                    budget -= 1
                    if budget < 0:  # not reached while the cost is within its limit; a guard all the same
                        return node.name.value
                    groups.setdefault((node.alias or node.name).value, []).append((owner, node))
            for response_name, nodes in groups.items():
                if len(nodes) > MAX_REPEATS:
                    return response_name
                children = []
                for owner, node in nodes:
                    if node.selection_set is not None and not node.name.value.startswith("__"):
                        definition = (getattr(owner, "fields", None) or {}).get(node.name.value)
                        children.append((get_named_type(definition.type) if definition else None,
                                         node.selection_set))
                if children:
                    pending.append(children)
        return None

    def _collect(self, parent: Any, selection_set: SelectionSetNode) -> Iterator[tuple[Any, FieldNode]]:
        """The fields of a selection set with inline fragments and spreads merged in (each fragment once)."""
        seen: set[str] = set()
        stack: list[tuple[Any, SelectionSetNode]] = [(parent, selection_set)]
        while stack:
            owner, current = stack.pop()
            for sel in current.selections:
                if isinstance(sel, FieldNode):
                    yield owner, sel
                elif isinstance(sel, InlineFragmentNode):
                    cond = self._type(sel.type_condition.name.value) if sel.type_condition else owner
                    stack.append((cond, sel.selection_set))
                elif (isinstance(sel, FragmentSpreadNode) and sel.name.value not in seen
                      and sel.name.value in self.fragments):
                    seen.add(sel.name.value)
                    fragment = self.fragments[sel.name.value]
                    stack.append((self._type(fragment.type_condition.name.value), fragment.selection_set))


def _refusal(message: str, code: str, rule: str, nodes: Any = None, **extensions: Any) -> GraphQLError:
    return GraphQLError(message, nodes=nodes, extensions={"code": code, "rule": rule, **extensions})


def refusals(schema: GraphQLSchema, document: DocumentNode, variables: Mapping[str, Any] | None,
             operation_name: str | None, *, max_depth: int = MAX_DEPTH, max_aliases: int = MAX_ALIASES,
             max_cost: int = MAX_COST) -> tuple[list[GraphQLError], Measure | None]:
    """What the limits refuse in a document (empty: within them), and the measure taken."""
    try:
        measure = Measure(schema, document, variables or {})
    except FragmentCycle as cycle:
        return [_refusal(f"the fragment {cycle.name} spreads itself", "FRAGMENT_CYCLE", "fragment_cycle",
                         fragment=cycle.name)], None
    found: list[GraphQLError] = []
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    aliases = 0
    for op in operations:
        if operation_name and (op.name is None or op.name.value != operation_name):
            continue
        label = op.name.value if op.name else "anonymous"
        figures = measure.operation(op)
        aliases += figures.aliases
        if figures.depth > max_depth:
            found.append(_refusal(f"'{label}' exceeds maximum operation depth of {max_depth}", "QUERY_TOO_DEEP",
                                  "max_depth", op, limit=max_depth))
        elif figures.cost > max_cost:
            found.append(_refusal(
                f"the query's estimated cost {figures.cost} exceeds the limit {max_cost}; ask for fewer items "
                "per page or fewer nested lists", "QUERY_TOO_COSTLY", "max_cost", op, cost=figures.cost,
                limit=max_cost))
        elif (response_name := measure.repeats(op, max_cost)) is not None:
            found.append(_refusal(
                f"'{response_name}' is asked more than {MAX_REPEATS} times at one place of the answer "
                "(fragments included); ask for it once", "QUERY_TOO_REPETITIVE", "max_repeats", op,
                field=response_name, limit=MAX_REPEATS))
    if aliases > max_aliases:
        found.append(_refusal(f"{aliases} aliases found. Allowed: {max_aliases}", "TOO_MANY_ALIASES", "max_aliases",
                              limit=max_aliases))
    return found, measure


class DocumentLimits(SchemaExtension):
    """Depth, aliases, cost and repeats of the request's document, measured in one linear pass before
    validation; a refused document is answered with the refusals alone (graphql-core's validation, which
    would expand it again, never runs on it)."""

    def __init__(self, max_depth: int = MAX_DEPTH, max_aliases: int = MAX_ALIASES, max_cost: int = MAX_COST) -> None:
        self.max_depth, self.max_aliases, self.max_cost = max_depth, max_aliases, max_cost

    def on_validate(self) -> Iterator[None]:
        ec = self.execution_context
        if ec.graphql_document is not None and ec.pre_execution_errors is None:
            found, _ = refusals(ec.schema._schema, ec.graphql_document, ec.variables, ec.operation_name,
                                max_depth=self.max_depth, max_aliases=self.max_aliases, max_cost=self.max_cost)
            if found:
                ec.pre_execution_errors = found  # Strawberry then skips its own validation
        yield


class InputTooDeep(ValueError):
    """A request's JSON nested deeper than MAX_JSON_NESTING: refused before it is decoded, since decoding and
    every walk over the value after would recurse once per level."""

    def __init__(self, depth: int) -> None:
        super().__init__(f"the request's JSON nests deeper than {MAX_JSON_NESTING} levels")
        self.depth = depth

    def body(self) -> dict[str, Any]:
        return {"errors": [{"message": str(self), "extensions": {
            "code": "BAD_USER_INPUT", "rule": "json_too_deep", "limit": MAX_JSON_NESTING}}]}


def json_nesting(data: str | bytes, limit: int = MAX_JSON_NESTING) -> int:
    """How deep `{`/`[` nest in JSON text (outside strings), counted up to `limit + 1`, in one pass."""
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    return deepest
        elif ch in "]}":
            depth -= 1
    return deepest


def decode_json(data: str | bytes) -> object:
    """json.loads, after refusing JSON nested deeper than MAX_JSON_NESTING (InputTooDeep)."""
    if (depth := json_nesting(data)) > MAX_JSON_NESTING:
        raise InputTooDeep(depth)
    return json.loads(data)


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


def extensions(development: bool) -> list[Any]:
    """Extension factories: Strawberry makes a fresh instance of each per request (no shared state)."""
    found: list[Any] = [
        functools.partial(MaxTokensLimiter, max_token_count=MAX_TOKENS),
        DocumentLimits,
        ArgumentBounds,
    ]
    if development:
        found.append(QueryCounter)
    else:
        found += [DisableIntrospection, functools.partial(MaskErrors, should_mask_error=should_mask)]
    return found
