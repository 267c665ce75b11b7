"""What one request may ask for: depth, aliases, tokens, an estimated cost, and arguments within their bounds
(`gateway.arguments`); introspection only in development; internal errors masked outside development.

The cost estimate: every field costs 1 for each time it is resolved; a connection's children are resolved
`first` times (default 20), other lists' children an assumed 3 times. A document above MAX_COST is refused
before anything runs.

Every limit costs what it checks. Tokens, nesting, depth, aliases, fragment cycles and cost are measured on
the document's text before graphql-core parses it (`gateway.prescan`: one pass, each fragment measured once, in
dependency order, its figures multiplied per use, never expanded again), and a document it refuses is never
parsed: graphql-core's parser and validation are pure Python, tens of milliseconds for a document of a few
thousand tokens. graphql-core's rule that overlapping fields can merge compares same-named fields pairwise, so
that is bounded too (at most MAX_REPEATS fields answering one response name at one place of the answer,
fragments merged in), on the parsed document whose cost is within its limit. A document that passes is parsed
and validated once: repeated, it is neither parsed nor validated by graphql-core's own rules again. Raw
request JSON nested deeper than MAX_JSON_NESTING is refused before it is decoded."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    parse,
)
from strawberry.extensions import (
    DisableIntrospection,
    MaskErrors,
    SchemaExtension,
)

from gateway import prescan
from gateway.arguments import ArgumentBounds
from gateway.document_caches import Lru, PerSchema
from gateway.errors import PublicError

# The figures' limits, measured on the document's text before graphql-core parses it (`gateway.prescan`).
MAX_DEPTH, MAX_ALIASES, MAX_TOKENS, MAX_COST, LIST_FACTOR = prescan.MAX_DEPTH, prescan.MAX_ALIASES, \
    prescan.MAX_TOKENS, prescan.MAX_COST, prescan.LIST_FACTOR
# Fields answering one response name at one place of the answer (`id` asked by several fragments): real
# clients repeat a field a few times; graphql-core compares them pairwise.
MAX_REPEATS = 20
# Levels of `{`/`[` in a request's JSON (variables, input values): far deeper than any input the schema takes.
MAX_JSON_NESTING = 32
# Parsed documents kept (by their text), and documents known to pass graphql-core's own validation rules (by
# schema and text): a client's repeated document is neither parsed nor validated again. Only documents up to
# CACHED_TEXT characters are kept, so the caches hold at most a few megabytes.
CACHED_DOCUMENTS = 256
CACHED_TEXT = 64 * 1024


_parsed = Lru(CACHED_DOCUMENTS)
_validated = PerSchema(CACHED_DOCUMENTS)


def parse_document(text: str) -> DocumentNode:
    """graphql-core's parse (at most MAX_TOKENS tokens), the result kept for the next request of the same text."""
    if (found := _parsed.get(text)) is not None:
        return found  # type: ignore[no-any-return]
    document = parse(text, max_tokens=MAX_TOKENS)
    if len(text) <= CACHED_TEXT:
        _parsed.put(text, document)
    return document


def _valid_documents(schema: GraphQLSchema) -> Lru:
    return _validated.of(schema)


def _refusal(message: str, code: str, rule: str, nodes: Any = None, **extensions: Any) -> GraphQLError:
    return GraphQLError(message, nodes=nodes, extensions={"code": code, "rule": rule, **extensions})


def text_refusals(schema: GraphQLSchema, text: str, variables: Mapping[str, Any] | None,
                  operation_name: str | None, *, max_depth: int = MAX_DEPTH, max_aliases: int = MAX_ALIASES,
                  max_cost: int = MAX_COST) -> tuple[list[GraphQLError], prescan.Scan]:
    """What the limits refuse in a document's text, measured before it is parsed (empty: within them), and the
    scan taken."""
    scan = prescan.Scan(schema, text, variables or {}, operation_name, max_depth=max_depth,
                        max_aliases=max_aliases, max_cost=max_cost)
    return [_refusal(r.message, r.code, r.rule, **r.extensions) for r in scan.refusals()], scan


class Repeats:
    """Fields answering one response name at one place of the answer, fragments merged in (as graphql-core's
    rule that overlapping fields can merge compares them, pairwise). Walks the expanded document, so it runs
    only on one whose cost is within the limit (which bounds the expansion)."""

    def __init__(self, schema: GraphQLSchema, document: DocumentNode) -> None:
        self.schema = schema
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}

    def _type(self, name: str) -> Any:
        return self.schema.get_type(name)

    def first_over(self, op: OperationDefinitionNode, budget: int) -> str | None:
        """The first response name answered by more than MAX_REPEATS fields at one place, or None; stops after
        `budget` fields."""
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


def repeat_refusals(schema: GraphQLSchema, document: DocumentNode, operation_name: str | None,
                    max_cost: int = MAX_COST) -> list[GraphQLError]:
    """The operations of a parsed document (within the text's limits) that ask one field over MAX_REPEATS times
    at one place."""
    repeats = Repeats(schema, document)
    found: list[GraphQLError] = []
    for op in document.definitions:
        if not isinstance(op, OperationDefinitionNode):
            continue
        if operation_name and (op.name is None or op.name.value != operation_name):
            continue
        if (response_name := repeats.first_over(op, max_cost)) is not None:
            found.append(_refusal(
                f"'{response_name}' is asked more than {MAX_REPEATS} times at one place of the answer "
                "(fragments included); ask for it once", "QUERY_TOO_REPETITIVE", "max_repeats", op,
                field=response_name, limit=MAX_REPEATS))
    return found


class DocumentLimits(SchemaExtension):
    """The request's document within its limits before graphql-core works on it. On parsing: tokens, nesting,
    depth, aliases, fragment cycles and cost measured on the text (`gateway.prescan`), a refused document
    answered with the refusal and never parsed; an accepted one parsed once (`parse_document`). On validation:
    repeats (on the parsed document), and graphql-core's own rules skipped for a document already known to pass
    them (the per-request rules, `per_request`, still run)."""

    def __init__(self, max_depth: int = MAX_DEPTH, max_aliases: int = MAX_ALIASES, max_cost: int = MAX_COST) -> None:
        self.max_depth, self.max_aliases, self.max_cost = max_depth, max_aliases, max_cost
        self._known_valid = False

    def on_parse(self) -> Iterator[None]:
        ec = self.execution_context
        text = ec.query
        if ec.graphql_document is None and text:
            schema = ec.schema._schema
            found, scan = text_refusals(schema, text, ec.variables, ec.operation_name,
                                        max_depth=self.max_depth, max_aliases=self.max_aliases, max_cost=self.max_cost)
            if found:
                raise found[0]  # answered as the request's error; the document is never parsed
            ec.graphql_document = parse_document(text)  # a syntax error raises here, answered as ever
            if not scan.followed:
                # parsed, yet not operations and fragments the scan measures (type definitions): refused as
                # graphql-core's validation would, before it walks anything
                raise _refusal("the document may hold only operations and fragments", "GRAPHQL_VALIDATION_FAILED",
                               "executable_definitions")
            self._known_valid = _valid_documents(schema).get((text, ec.operation_name)) is not None
        yield

    def on_validate(self) -> Iterator[None]:
        ec = self.execution_context
        schema = ec.schema._schema
        if ec.graphql_document is not None and ec.pre_execution_errors is None:
            if self._known_valid:
                # Passed every rule before (as this operation, repeats included): only what depends on this
                # request's variables runs again, answered without a walk by a rule that can
                # (`known_valid_errors`); the walk runs only for a rule that cannot.
                errors: list[GraphQLError] = []
                walked = []
                for rule in ec.validation_rules:
                    if not getattr(rule, "per_request", False):
                        continue
                    found = rule.known_valid_errors(schema, ec.graphql_document) if hasattr(
                        rule, "known_valid_errors") else None
                    if found is None:
                        walked.append(rule)
                    else:
                        errors += found
                ec.validation_rules = tuple(walked)
                if errors or not walked:
                    ec.pre_execution_errors = errors  # Strawberry then skips its own validation
            elif found := repeat_refusals(ec.schema._schema, ec.graphql_document, ec.operation_name,
                                          self.max_cost):
                ec.pre_execution_errors = found  # Strawberry then skips its own validation
        yield
        if not self._known_valid and ec.pre_execution_errors == [] and ec.query and len(ec.query) <= CACHED_TEXT:
            _valid_documents(ec.schema._schema).put((ec.query, ec.operation_name), True)


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
        DocumentLimits,
        ArgumentBounds,
    ]
    if development:
        found.append(QueryCounter)
    else:
        found += [DisableIntrospection, functools.partial(MaskErrors, should_mask_error=should_mask)]
    return found
