"""Argument bounds: what a request's arguments may hold, checked before anything runs, so that text the
database cannot store or an id of the wrong shape is answered as a validation error naming the argument, never
as a database error, and never reaches a resolver.

Every string an argument holds, inline or from a variable, nested in input objects, lists and JSON values:

- no NUL (U+0000) and no lone surrogate (U+D800–U+DFFF): `contracts.storable_text` (rules
  `text_nul_character`, `text_lone_surrogate`);
- at most `MAX_LONG_TEXT` (20,000) characters (`string_too_long`). A command's input (an argument of a
  mutation) may hold up to `MAX_FILE_BASE64`, the widest bound any command field has (a roster file in base64):
  the command's own model bounds each field exactly and the service answers `CommandInvalid` naming it;
- an `ID` is an `Identifier`: at most `MAX_ID` (64) characters (`string_too_long`), matching
  `IDENTIFIER_PATTERN` (`string_pattern_mismatch`). Pagination cursors (`after`) are `String`, opaque and
  longer than an id: they get the text bounds.

The rule names are the ones the command APIs give for the same fault (pydantic's names over
`contracts.bounded`), so a client handles a read and a write alike.

Why here, and this way: one per-request validation rule (the request limits are `gateway.limits`), walking the
values graphql-core itself coerces (`get_variable_values`, `get_argument_values`): literals, variables and
defaults arrive as one value per argument, in the shape the resolver would get it. A validation error refuses
the whole request before execution, the way the other limits do. A field-resolve extension would instead run
on every resolved field of every response (thousands per page), and refuse field by field after other
resolvers had run. The cost here is one extra coercion of the arguments only, small beside the request."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any, NamedTuple

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLField,
    GraphQLID,
    GraphQLInputType,
    GraphQLSchema,
    ListValueNode,
    Node,
    ObjectValueNode,
    OperationDefinitionNode,
    ValidationRule,
    ValueNode,
    VariableNode,
    get_nullable_type,
    is_input_object_type,
    is_list_type,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from graphql.pyutils import Undefined
from strawberry.extensions import SchemaExtension

from contracts.bounded import IDENTIFIER_PATTERN, MAX_FILE_BASE64, MAX_ID, MAX_LONG_TEXT
from contracts.storable_text import LONE_SURROGATE_PROBLEM, NUL_PROBLEM, text_problem
from gateway.document_caches import PerSchema

BAD_USER_INPUT = "BAD_USER_INPUT"
# The rules, named as pydantic names them for the same types in the command APIs' answers.
NUL_RULE = "text_nul_character"
LONE_SURROGATE_RULE = "text_lone_surrogate"
TOO_LONG_RULE = "string_too_long"
PATTERN_RULE = "string_pattern_mismatch"

_IDENTIFIER = re.compile(IDENTIFIER_PATTERN)
_STORABLE_RULES = {NUL_PROBLEM: NUL_RULE, LONE_SURROGATE_PROBLEM: LONE_SURROGATE_RULE}


def problem_of_text(text: str, limit: int) -> tuple[str, str, dict[str, Any]] | None:
    """(rule, what is wrong, extensions) of a string argument, or None when it is fine."""
    if (problem := text_problem(text)) is not None:
        return _STORABLE_RULES[problem], problem, {}
    if len(text) > limit:
        return TOO_LONG_RULE, f"has {len(text)} characters, more than the {limit} allowed", {"limit": limit}
    return None


def problem_of_id(text: str) -> tuple[str, str, dict[str, Any]] | None:
    """(rule, what is wrong, extensions) of an `ID` argument (an `Identifier`), or None when it is fine."""
    if (found := problem_of_text(text, MAX_ID)) is not None:
        return found
    if _IDENTIFIER.match(text) is None:
        return (PATTERN_RULE, f"is not an id: 1-{MAX_ID} characters of A-Z a-z 0-9 _ . -",
                {"pattern": IDENTIFIER_PATTERN})
    return None


class _Value:
    """One value met while walking an argument: where it sits, the literal it came from (if any: below a
    variable there is none), and the node an error points at."""

    __slots__ = ("at", "node", "path", "type", "value", "variable")

    def __init__(self, value: Any, type_: Any, path: str, variable: str | None, node: Node | None,
                 at: Node | None) -> None:
        self.value, self.type, self.path, self.variable, self.node = value, type_, path, variable, node
        self.at = node or at

    def child(self, value: Any, type_: Any, step: str | int, node: Node | None) -> _Value:
        variable = f"{self.variable}.{step}" if self.variable else None
        return _Value(value, type_, f"{self.path}.{step}", variable, node, self.at)


def problems(value: Any, type_: GraphQLInputType, path: str, node: ValueNode,
             limit: int) -> Iterator[tuple[_Value, tuple[str, str, dict[str, Any]]]]:
    """The problems of one coerced argument value of `type_`, each with where it sits. Iterative: a JSON value
    may nest deeper than Python's recursion allows."""
    stack = [_Value(value, type_, path, None, node, node)]
    while stack:
        here = stack.pop()
        if here.value is None or here.value is Undefined:
            continue
        if isinstance(here.node, VariableNode):
            here.variable, here.node = f"${here.node.name.value}", None
        kind = get_nullable_type(here.type) if here.type is not None else None
        children: list[_Value] = []
        if kind is not None and is_list_type(kind):
            items = here.value if isinstance(here.value, list | tuple) else [here.value]
            nodes = here.node.values if isinstance(here.node, ListValueNode) else ()
            children = [here.child(item, kind.of_type, i, nodes[i] if i < len(nodes) else None)
                        for i, item in enumerate(items)]
        elif kind is not None and is_input_object_type(kind) and isinstance(here.value, dict):
            fields = here.node.fields if isinstance(here.node, ObjectValueNode) else ()
            literal = {f.name.value: f.value for f in fields}
            children = [here.child(here.value[key], field.type, name, literal.get(name))
                        for name, field in kind.fields.items()
                        if (key := field.out_name or name) in here.value]
        elif isinstance(here.value, str):
            found = problem_of_id(here.value) if _is_id(kind) else problem_of_text(here.value, limit)
            if found is not None:
                yield here, found
        elif isinstance(here.value, dict):  # a JSON value: its keys are text too
            for i, (key, item) in enumerate(here.value.items()):
                step = _step(str(key), i)
                if isinstance(key, str) and (found := problem_of_text(key, limit)) is not None:
                    yield here.child(key, None, step, None), found
                children.append(here.child(item, None, step, None))
        elif isinstance(here.value, list | tuple):
            children = [here.child(item, None, i, None) for i, item in enumerate(here.value)]
        stack.extend(reversed(children))


def _step(key: str, index: int) -> str:
    # A key in a path as itself when it is short storable text; else by its place (the path is echoed back).
    return key if problem_of_text(key, MAX_ID) is None else f"[key {index}]"


def _is_id(kind: Any) -> bool:
    return kind is GraphQLID or getattr(kind, "name", None) == GraphQLID.name


def _error(here: _Value, found: tuple[str, str, dict[str, Any]]) -> GraphQLError:
    rule, what, extra = found
    subject = f"variable {here.variable} (argument {here.path})" if here.variable else f"argument {here.path}"
    extensions: dict[str, Any] = {"code": BAD_USER_INPUT, "rule": rule, "argument": here.path}
    if here.variable:
        extensions["variable"] = here.variable
    return GraphQLError(f"{subject} {what}", nodes=here.at, extensions={**extensions, **extra})


def _holds_text(value: object) -> bool:
    if isinstance(value, str):
        return True
    if isinstance(value, dict):  # an input object, or a JSON value whose keys are text too: always looked at
        return bool(value)
    if isinstance(value, list | tuple):
        return any(_holds_text(v) for v in value)
    return False


def _selected(document: DocumentNode, operation_name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        return next((op for op in operations if op.name and op.name.value == operation_name), None)
    return operations[0] if len(operations) == 1 else None


def _references_variable(node: ValueNode) -> bool:
    stack: list[ValueNode] = [node]
    while stack:
        here = stack.pop()
        if isinstance(here, VariableNode):
            return True
        if isinstance(here, ListValueNode):
            stack.extend(here.values)
        elif isinstance(here, ObjectValueNode):
            stack.extend(f.value for f in here.fields)
    return False


class _Checked:
    """A field whose arguments the rule checks: its definition, its node, and the text bound its arguments get."""

    __slots__ = ("definition", "limit", "node")

    def __init__(self, definition: GraphQLField, node: FieldNode, limit: int) -> None:
        self.definition, self.node, self.limit = definition, node, limit


# Per (document text, operation name): the fields whose arguments reference variables, as the rule's walk met
# them. Once a document is known to pass every rule, its literals passed too, so only these depend on the next
# request's variables: they are checked without walking the document again (graphql-core's visit with its type
# info was about a seventh of the gateway's time for a mutation).
_VARIABLE_FIELDS = PerSchema(512)


def _field_problems(checked: _Checked, variables: VariableValues | None,
                    only_variables: bool) -> Iterator[tuple[_Value, tuple[str, str, dict[str, Any]]]]:
    node, definition = checked.node, checked.definition
    try:
        values = get_argument_values(definition, node, variables)
    except (GraphQLError, TypeError, ValueError):
        return  # arguments that do not coerce: execution refuses the field before its resolver
    literals = {a.name.value: a for a in node.arguments or ()}
    for name, argument in definition.args.items():
        key = argument.out_name or name
        literal = literals.get(name)
        if key not in values or literal is None:
            continue  # a schema default: the gateway's own
        if only_variables and not _references_variable(literal.value):
            continue  # a literal of a document known valid: it passed
        yield from problems(values[key], argument.type, f"{node.name.value}.{name}", literal.value, checked.limit)


def _coerced_variables(schema: GraphQLSchema, operation: OperationDefinitionNode,
                       raw_variables: dict[str, Any]) -> VariableValues | None:
    """The operation's variables as execution will coerce them; None when they do not coerce (execution then
    refuses the request before any resolver runs)."""
    try:
        coerced = get_variable_values(schema, operation.variable_definitions or (), raw_variables)
    except (GraphQLError, TypeError, ValueError):
        return None
    return None if isinstance(coerced, list) else coerced


class _Request(NamedTuple):
    raw_variables: dict[str, Any]
    operation_name: str | None
    key: tuple[str | None, str | None]  # the document's text and operation: what `_VARIABLE_FIELDS` is keyed by


# The request being validated, for the rule: graphql-core makes a rule from its class alone, and a class made
# per request (as this was) cost a type's creation and left ~90 objects in cycles behind every request, which
# the gateway's full garbage collections then walked and freed (~100,000 at a time, 110-220 ms).
_THIS_REQUEST: ContextVar[_Request] = ContextVar("argument_bounds_request")


class ArgumentBoundsRule(ValidationRule):
    """Refuses an argument of the request being validated (`_THIS_REQUEST`) that breaks the bounds above."""

    per_request = True  # depends on the request's variables: run even on a document known valid
    variables: VariableValues | None = None
    operation: OperationDefinitionNode | None = None
    checking = False  # inside the operation to be run, or a fragment it may spread
    checked: list[_Checked]
    request: _Request

    @classmethod
    def known_valid_errors(cls, schema: GraphQLSchema, document: DocumentNode) -> list[GraphQLError] | None:
        """The rule's errors for a document known to pass every rule, found without walking it; None
        when that takes the walk (the fields to look at are not known yet)."""
        request = _THIS_REQUEST.get()
        if not any(_holds_text(v) for v in request.raw_variables.values()):
            return []  # every bound is on text, and the literals passed
        fields: tuple[_Checked, ...] | None = _VARIABLE_FIELDS.of(schema).get(request.key)
        if fields is None:
            return None
        operation = _selected(document, request.operation_name)
        variables = None if operation is None else _coerced_variables(schema, operation, request.raw_variables)
        if variables is None:
            return []
        return [_error(here, found) for checked in fields
                for here, found in _field_problems(checked, variables, only_variables=True)]

    def enter_document(self, node: DocumentNode, *_: Any) -> None:
        self.checked = []
        self.request = request = _THIS_REQUEST.get()
        operation = _selected(node, request.operation_name)
        if operation is None:
            return  # no operation to run: execution refuses the request
        self.variables = _coerced_variables(self.context.schema, operation, request.raw_variables)
        self.operation = operation

    def leave_document(self, node: DocumentNode, *_: Any) -> None:
        key = self.request.key
        if self.variables is not None and key[0] is not None:
            _VARIABLE_FIELDS.of(self.context.schema).put(key, tuple(c for c in self.checked if any(
                _references_variable(a.value) for a in c.node.arguments or ())))

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        self.checking = self.variables is not None and node is self.operation

    def enter_fragment_definition(self, node: FragmentDefinitionNode, *_: Any) -> None:
        self.checking = self.variables is not None

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        if not self.checking or not node.arguments:
            return
        definition = self.context.get_field_def()
        if definition is None:
            return  # an unknown field: another rule reports it
        schema = self.context.schema
        parent = self.context.get_parent_type()
        limit = MAX_FILE_BASE64 if parent is not None and parent is schema.mutation_type else MAX_LONG_TEXT
        checked = _Checked(definition, node, limit)
        self.checked.append(checked)
        for here, found in _field_problems(checked, self.variables, only_variables=False):
            self.report_error(_error(here, found))


class ArgumentBounds(SchemaExtension):
    """Adds, per request, the validation rule refusing an argument that breaks the bounds above (the check needs
    the request's variables, which the rule finds in `_THIS_REQUEST`)."""

    def on_operation(self) -> Iterator[None]:
        ec = self.execution_context
        raw_variables = ec.variables if isinstance(ec.variables, dict) else {}
        token = _THIS_REQUEST.set(_Request(raw_variables, ec.operation_name, (ec.query, ec.operation_name)))
        ec.validation_rules = (*ec.validation_rules, ArgumentBoundsRule)
        try:
            yield
        finally:
            _THIS_REQUEST.reset(token)
