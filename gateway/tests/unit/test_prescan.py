"""The limits measured on a document's text (`gateway.prescan`) give the figures of the cost model, as a full
expansion of the parsed document gives them, in work linear in the text."""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    parse,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.prescan import CAP, LIST_FACTOR, MAX_DEPTH, MAX_NESTING, MAX_TOKENS, Figures, Scan
from gateway.read.pagination import DEFAULT_PAGE
from gateway.schema.build import build_schema


@cache
def schema() -> GraphQLSchema:
    return build_schema([], development=True)._schema


def expanded(text: str, variables: dict[str, Any]) -> Figures:
    """The cost model applied to the parsed document, every spread expanded again where it is used (exponential:
    for small documents only). The oracle the scan is compared with."""
    document = parse(text)
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    s = schema()

    def selections(parent: Any, node: SelectionSetNode | None, level: int) -> Figures:
        if node is None:
            return Figures()
        if level > MAX_DEPTH:
            return Figures(depth=1)
        depth = aliases = cost = 0
        for sel in node.selections:
            if isinstance(sel, FieldNode):
                found = field(parent, sel, level)
            elif isinstance(sel, FragmentSpreadNode):
                fragment = fragments.get(sel.name.value)
                found = selections(s.get_type(fragment.type_condition.name.value), fragment.selection_set,
                                   0) if fragment else Figures()
            else:
                assert isinstance(sel, InlineFragmentNode)
                cond = s.get_type(sel.type_condition.name.value) if sel.type_condition else parent
                found = selections(cond, sel.selection_set, level)
            depth, aliases, cost = max(depth, found.depth), aliases + found.aliases, cost + found.cost
        return Figures(depth, aliases, min(cost, CAP))

    def field(parent: Any, node: FieldNode, level: int) -> Figures:
        definition = (getattr(parent, "fields", None) or {}).get(node.name.value)
        child = selections(get_named_type(definition.type) if definition else None, node.selection_set, level + 1)
        alias = 1 if node.alias else 0
        if node.name.value.startswith("__"):
            return Figures(0, alias + child.aliases, 1)
        factor = 1
        if definition is not None and "first" in definition.args:
            first = DEFAULT_PAGE
            for arg in node.arguments or ():
                if arg.name.value == "first" and isinstance(arg.value, IntValueNode):
                    first = int(arg.value.value)
                elif arg.name.value == "first" and isinstance(arg.value, VariableNode):
                    value = variables.get(arg.value.name.value)
                    first = value if isinstance(value, int) else DEFAULT_PAGE
            factor = max(first, 1)
        elif definition is not None:
            t = definition.type.of_type if isinstance(definition.type, GraphQLNonNull) else definition.type
            factor = LIST_FACTOR if isinstance(t, GraphQLList) else 1
        return Figures(1 + child.depth if node.selection_set else 0, alias + child.aliases,
                       min(1 + factor * child.cost, CAP))

    op = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    return selections(s.get_root_type(op.operation), op.selection_set, 0)


# Fragments on Proposal spreading earlier fragments (any number of times), nested in lists and inline fragments;
# the operation asks a page of proposals (a literal `first`, a variable's, or the default) spreading some.
SCALARS = st.sampled_from(["id", "title", "__typename", "nope"])


@st.composite
def fragment_graphs(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    count = draw(st.integers(1, 7))

    def items(i: int, depth: int) -> str:
        parts = []
        for _ in range(draw(st.integers(1, 4))):
            kind = draw(st.sampled_from(["field", "spread", "spread", "inline", "list"]))
            if kind == "spread" and i > 0:
                parts.append(f"...F{draw(st.integers(0, i - 1))}")
            elif kind == "inline" and depth < 3:
                parts.append(f"... on Proposal {{ {items(i, depth + 1)} }}")
            elif kind == "list" and depth < 3:
                parts.append("supervisingLeaders { name }")
            else:
                alias = f"a{draw(st.integers(0, 9))}: " if draw(st.booleans()) else ""
                parts.append(alias + draw(SCALARS))
        return " ".join(parts)

    fragments = [f"fragment F{i} on Proposal {{ {items(i, 0)} }}" for i in range(count)]
    first = draw(st.sampled_from(["", "(first: 3)", "(first: 0)", "(first: -2)", "(first: $n)", "(first: 12345)"]))
    spreads = " ".join(f"...F{draw(st.integers(0, count - 1))}" for _ in range(draw(st.integers(1, 3))))
    header = "query Q($n: Int) " if "$n" in first else ""
    text = f"{header}{{ proposals{first} {{ nodes {{ {spreads} }} totalCount }} }}\n" + "\n".join(fragments)
    return text, draw(st.sampled_from([{}, {"n": 7}, {"n": None}]))


@settings(max_examples=300, deadline=None)
@given(fragment_graphs())
def test_the_scan_gives_the_full_expansions_figures_in_linear_work(case: tuple[str, dict[str, Any]]) -> None:
    text, variables = case
    scan = Scan(schema(), text, variables)
    assert scan.refusals() is not None and scan.followed, text
    assert scan.operations == [(scan.operations[0][0], expanded(text, variables))], text
    # each token once finding the definitions, once in its fragment's or operation's walk, each spread once
    # ordering the fragments: however many times the fragments expand
    assert scan.work <= 3 * scan.token_count, text


def doubling(n: int) -> str:
    fragments = ["fragment F0 on Me { role }"] + [f"fragment F{i} on Me {{ ...F{i - 1} ...F{i - 1} }}"
                                                   for i in range(1, n)]
    return f"{{ me {{ ...F{n - 1} }} }}\n" + "\n".join(fragments)


@pytest.mark.parametrize("n", [10, 17, 40, 200])
def test_fragments_doubling_are_counted_not_expanded(n: int) -> None:
    scan = Scan(schema(), doubling(n))
    refused = scan.refusals()
    assert [r.rule for r in refused] == (["max_cost"] if n > 14 else [])
    assert scan.operations[0][1].cost == min(2 ** (n - 1) + 1, CAP)
    assert scan.work <= 3 * scan.token_count <= 3 * 11 * n


def rules(text: str, variables: dict[str, Any] | None = None) -> list[str]:
    return [r.rule for r in Scan(schema(), text, variables or {}).refusals()]


def test_documents_of_64_kb_are_refused_by_the_rule_they_break_after_reading_at_most_the_token_limit() -> None:
    fields = "{ me { " + "role " * 13_000 + "} }"
    nested = "{ me " * 10_000 + "}" * 10_000
    aliases = "{ " + " ".join(f"a{i}: me {{ role }}" for i in range(3_000)) + " }"
    for text in (fields, nested, aliases):
        assert len(text) > 50_000 and rules(text) == ["max_tokens"]
    assert rules("{ me { role } " + "# " + "{ " * 30_000 + "\n}") == []  # a comment is not tokens
    assert rules('{ proposals(filter: {search: "' + "{ " * 30_000 + '"}) { totalCount } }') == []  # nor a string
    just_under = "{ me { " + "role " * (MAX_TOKENS - 5) + "} }"  # 3 + 4995 + 2 tokens
    assert rules(just_under) == [] and rules(just_under.replace("role", "role role", 1)) == ["max_tokens"]


def test_depth_aliases_cycles_and_nesting_are_refused_on_the_text() -> None:
    deep = "{ me { member { " + "unit { members(first: 1) { nodes { " * 5 + "id" + " } } }" * 5 + " } } }"
    assert rules(deep) == ["max_depth"]
    assert rules("{ " + " ".join(f"a{i}: me {{ role }}" for i in range(31)) + " }") == ["max_aliases"]
    assert rules("{ " + " ".join(f"a{i}: me {{ role }}" for i in range(30)) + " }") == []
    assert rules("{ me { ...A } } fragment A on Me { ...B } fragment B on Me { role ...A }") == ["fragment_cycle"]
    inline = "{ me { " + "... on Me { " * (MAX_NESTING + 1) + "role" + " }" * (MAX_NESTING + 1) + " } }"
    assert rules(inline) == ["max_nesting"]
    brackets = "[" * (MAX_NESTING + 1) + "]" * (MAX_NESTING + 1)
    bracketed = "{ proposals(filter: {search: " + brackets + "}) { totalCount } }"
    assert rules(bracketed) == ["max_nesting"]


def test_text_the_scan_does_not_follow_is_left_to_graphql_core() -> None:
    for text in ("type X { a: Int } { me { role } }", "{ me { role }", "{ me { role } } }", "{ me { ro\u00e9le } }",
                 '{ me(x: "unterminated) { role } }'):
        scan = Scan(schema(), text)
        assert scan.refusals() == [] and not scan.followed, text


def test_a_page_size_from_a_variable_counts_as_asked() -> None:
    text = "query Q($n: Int) { proposals(first: $n) { nodes { supervisingLeaders { name } } } }"
    page = 1 + 3 * (1 + 3 * 1)  # a proposal of the page: its `nodes` entry and its leaders' names
    for variables, first in (({"n": 5}, 5), ({}, DEFAULT_PAGE), ({"n": 80}, 80)):
        scan = Scan(schema(), text, variables)
        assert scan.refusals() == []
        assert scan.operations[0][1].cost == 1 + first * page == expanded(text, variables).cost
