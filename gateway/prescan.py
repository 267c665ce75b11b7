"""The request limits measured on the document's text, before graphql-core parses it: tokens, nesting, depth,
aliases, fragment cycles and the estimated cost (`gateway.limits` holds the cost model and the limits).

Why on the text: graphql-core's lexer and parser are pure Python and cost ~3 µs a byte (a 64 KB document of
small fields took ~170 ms to parse, its validation ~400 ms more), so a limit checked on the parsed document has
already paid for it. Here one regular expression splits the text into tokens (at most MAX_TOKENS + 1 are
taken: a longer document is refused without reading the rest), and one walk over those tokens measures what
`limits` limits, looking at each token a bounded number of times:

1. each fragment's spreads, one pass over its tokens;
2. fragments in dependency order (each after those it spreads; a fragment reaching itself is a cycle);
3. each fragment's figures once, in that order, a spread of it counting its figures (never walked again);
4. the operations, the same way.

A fragment spreading the previous one twice, 30 deep, is measured in 30 small steps, not 2^30. The figures
are exactly those the cost model gives the parsed document (a property test compares them with a full
expansion). Text the walk does not follow (a syntax error, type definitions) is left to graphql-core, which
refuses it, parsing at most MAX_TOKENS tokens."""

from __future__ import annotations

import operator
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, NamedTuple

from graphql import GraphQLList, GraphQLNonNull, GraphQLSchema, OperationType, get_named_type

from gateway.read.pagination import DEFAULT_PAGE

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 5000
MAX_COST = 25_000
LIST_FACTOR = 3
# Brackets of any kind (`{`, `(`, `[`) open at once: far more than a document within the depth limit needs
# (inline fragments and input objects nest without adding depth), and it keeps the walk's recursion small.
MAX_NESTING = 64
# Saturation of the figures, so that arithmetic on a hostile document stays on small integers.
CAP = 10**15

# GraphQL's tokens (the spec's lexical grammar), each after the ignored text before it (whitespace, commas, the
# BOM, comments): one match a token, found by `findall` without a Python step per token. Possessive quantifiers:
# an unterminated string, or trailing ignored text, is never backtracked into. A character GraphQL does not
# know is a token of its own, which the walk does not follow (graphql-core reports it).
_TOKEN = re.compile(r"""
    (?:[\s,\ufeff]++|\#[^\n\r]*+)*+
    ( \.\.\. | [!$&()\[\]{}:=@|]
    | [_A-Za-z][_0-9A-Za-z]*+
    | -?[0-9][0-9.eE+\-]*+
    | \"\"\"(?:[^"\\]++|\\\"\"\"|\\|"(?!""))*+\"\"\"
    | "(?:[^"\\\n\r]++|\\.)*+"
    | . | $ )
""", re.VERBOSE | re.DOTALL)
_INT = re.compile(r"-?(?:0|[1-9][0-9]*)")
_NAME_START = frozenset("_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_OPEN, _CLOSE = frozenset("([{"), frozenset(")]}")
OPERATIONS = frozenset({"query", "mutation", "subscription"})
_TEXT = operator.itemgetter(1)


class Figures(NamedTuple):
    """A selection set's figures: `depth` (nested fields with selections, as Strawberry's depth limiter counts
    them), `aliases`, and `cost` for one resolution of the set (multiplied by the times it is resolved). A
    tuple: made once a field, cheaply."""

    depth: int = 0
    aliases: int = 0
    cost: int = 0


NONE = Figures()


@dataclass(frozen=True)
class Refusal:
    """A limit the document breaks: the rule, a message naming it, and the figures for the error's extensions."""

    rule: str
    code: str
    message: str
    extensions: dict[str, Any] = field(default_factory=dict)


class _Unfollowed(Exception):
    """Text the walk does not follow: left to graphql-core (which refuses it)."""

    def refusals(self) -> list[Refusal]:
        return []


class _TooNested(_Unfollowed):
    def refusals(self) -> list[Refusal]:
        return [Refusal("max_nesting", "QUERY_TOO_NESTED",
                        f"the document nests brackets deeper than {MAX_NESTING} levels", {"limit": MAX_NESTING})]


class _Cycle(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def tokens(text: str, limit: int = MAX_TOKENS) -> list[str]:
    """The document's tokens (their text), at most `limit + 1` of them: the rest of a longer text is not read."""
    found: list[str] = list(map(_TEXT, islice(_TOKEN.finditer(text), limit + 2)))
    while found and found[-1] == "":
        found.pop()  # the end of the text
    return found[:limit + 1]


def _is_name(token: str) -> bool:
    return token[:1] in _NAME_START


@dataclass
class Scan:
    """The figures of one document's text. `work` counts the tokens stepped over, so that a test can show the
    work is linear in the document (a constant number of steps a token, whatever the fragments expand to)."""

    schema: GraphQLSchema
    text: str
    variables: Mapping[str, Any] = field(default_factory=dict)
    operation_name: str | None = None
    max_depth: int = MAX_DEPTH
    max_aliases: int = MAX_ALIASES
    max_cost: int = MAX_COST
    max_tokens: int = MAX_TOKENS
    work: int = 0
    token_count: int = 0
    followed: bool = True  # False: text the walk does not follow (a syntax error, a type definition)
    figures: dict[str, Figures] = field(default_factory=dict)  # fragment -> its figures
    operations: list[tuple[str, Figures]] = field(default_factory=list)  # selected operation -> its figures
    _toks: list[str] = field(default_factory=list)
    _at: int = 0

    def refusals(self) -> list[Refusal]:
        """What the limits refuse in the document (empty: within them, or text left to graphql-core)."""
        toks = tokens(self.text, self.max_tokens)
        self.token_count = len(toks)
        if self.token_count > self.max_tokens:
            return [Refusal("max_tokens", "TOO_MANY_TOKENS",
                            f"the document has more than {self.max_tokens} tokens", {"limit": self.max_tokens})]
        self._toks = [*toks, ""]  # "": the end, never taken
        try:
            try:
                operations, fragments = self._definitions()
                order = self._dependency_order(fragments)
                for name in order:
                    self._at = fragments[name][1]
                    self.figures[name] = self._walk(self.schema.get_type(fragments[name][0]))
                for kind, op_name, start in operations:
                    if self.operation_name and op_name != self.operation_name:
                        continue
                    self._at = start
                    root = self.schema.get_root_type(OperationType(kind))
                    self.operations.append((op_name or "anonymous", self._walk(root)))
            except IndexError:
                raise _Unfollowed from None  # past the end: text graphql-core refuses
        except _Cycle as cycle:
            return [Refusal("fragment_cycle", "FRAGMENT_CYCLE", f"the fragment {cycle.name} spreads itself",
                            {"fragment": cycle.name})]
        except _Unfollowed as stop:
            self.followed = False
            return stop.refusals()
        return self._judge()

    def _judge(self) -> list[Refusal]:
        found: list[Refusal] = []
        for label, figures in self.operations:
            if figures.depth > self.max_depth:
                found.append(Refusal("max_depth", "QUERY_TOO_DEEP",
                                     f"'{label}' exceeds maximum operation depth of {self.max_depth}",
                                     {"limit": self.max_depth}))
            elif figures.cost > self.max_cost:
                found.append(Refusal(
                    "max_cost", "QUERY_TOO_COSTLY",
                    f"the query's estimated cost {figures.cost} exceeds the limit {self.max_cost}; ask for fewer "
                    "items per page or fewer nested lists", {"cost": figures.cost, "limit": self.max_cost}))
        aliases = sum(f.aliases for _, f in self.operations)
        if aliases > self.max_aliases:
            found.append(Refusal("max_aliases", "TOO_MANY_ALIASES",
                                 f"{aliases} aliases found. Allowed: {self.max_aliases}", {"limit": self.max_aliases}))
        return found

    # -- the walk: `_at` is the index of the current token; each step past a token adds one to `work` ---------

    def _walk(self, root: Any) -> Figures:
        start = self._at
        found = self._selections(root, 0, 0)
        self.work += self._at - start
        return found

    def _name(self) -> str:
        token = self._toks[self._at]
        if not _is_name(token):
            raise _Unfollowed
        self._at += 1
        return token

    def _skip_group(self, level: int) -> None:
        """Past one bracketed group (`(…)`, `[…]`, `{…}`) starting at the current token."""
        toks, at, depth = self._toks, self._at, 0
        while True:
            token = toks[at]
            at += 1
            if token in _OPEN:
                depth += 1
                if level + depth > MAX_NESTING:
                    raise _TooNested
            elif token in _CLOSE:
                depth -= 1
                if depth == 0:
                    self._at = at
                    return
            elif not token:
                raise _Unfollowed

    def _directives(self, level: int) -> None:
        while self._toks[self._at] == "@":
            self._at += 1
            self._name()
            if self._toks[self._at] == "(":
                self._skip_group(level)

    def _definitions(self) -> tuple[list[tuple[str, str | None, int]], dict[str, tuple[str, int, list[str]]]]:
        """Operations (kind, name, index of their `{`) and fragments (type, index of their `{`, spreads)."""
        operations: list[tuple[str, str | None, int]] = []
        fragments: dict[str, tuple[str, int, list[str]]] = {}
        toks = self._toks
        start = 0
        while toks[self._at]:
            token = toks[self._at]
            if token == "{":
                operations.append(("query", None, self._at))
                self._skip_group(0)
            elif token in OPERATIONS:
                self._at += 1
                name = self._name() if _is_name(toks[self._at]) else None
                if toks[self._at] == "(":
                    self._skip_group(0)
                self._directives(0)
                if toks[self._at] != "{":
                    raise _Unfollowed
                operations.append((token, name, self._at))
                self._skip_group(0)
            elif token == "fragment":
                self._at += 1
                name = self._name()
                if self._name() != "on":
                    raise _Unfollowed
                type_name = self._name()
                self._directives(0)
                if toks[self._at] != "{":
                    raise _Unfollowed
                fragments[name] = (type_name, self._at, self._spreads())
            else:
                raise _Unfollowed
        self.work += self._at - start
        return operations, fragments

    def _spreads(self) -> list[str]:
        """The fragments spread in the group starting at the current `{`, stepping past it."""
        toks, at, depth = self._toks, self._at, 0
        found: list[str] = []
        while True:
            token = toks[at]
            at += 1
            if token in _OPEN:
                depth += 1
                if depth > MAX_NESTING:
                    raise _TooNested
            elif token in _CLOSE:
                depth -= 1
                if depth == 0:
                    self._at = at
                    return found
            elif token == "..." and _is_name(toks[at]) and toks[at] != "on":
                found.append(toks[at])
                at += 1
            elif not token:
                raise _Unfollowed

    def _dependency_order(self, fragments: dict[str, tuple[str, int, list[str]]]) -> list[str]:
        """Fragments, each after those it spreads (iteratively); a fragment reaching itself raises _Cycle."""
        order: list[str] = []
        state: dict[str, int] = {}  # 1: in progress, 2: done
        for root in fragments:
            if root in state:
                continue
            stack: list[tuple[str, Iterator[str]]] = [(root, iter(fragments[root][2]))]
            state[root] = 1
            while stack:
                name, children = stack[-1]
                child = next(children, None)
                self.work += 1
                if child is None:
                    stack.pop()
                    state[name] = 2
                    order.append(name)
                elif child not in fragments or state.get(child) == 2:
                    continue
                elif state.get(child) == 1:
                    raise _Cycle(child)
                else:
                    state[child] = 1
                    stack.append((child, iter(fragments[child][2])))
        return order

    def _selections(self, parent: Any, level: int, nesting: int) -> Figures:
        """The figures of the selection set starting at the current `{`, stepping past it."""
        if nesting > MAX_NESTING:
            raise _TooNested
        if level > self.max_depth:  # refused by depth whatever lies below: not looked at
            self._skip_group(nesting)
            return Figures(depth=1)
        toks = self._toks
        self._at += 1  # {
        depth = aliases = cost = 0
        while True:
            token = toks[self._at]
            if token == "}":
                self._at += 1
                return Figures(depth, aliases, min(cost, CAP))
            if token == "...":
                self._at += 1
                token = toks[self._at]
                if token != "on" and _is_name(token):
                    self._at += 1
                    self._directives(nesting)
                    found = self.figures.get(token, NONE)
                else:
                    cond = parent
                    if token == "on":
                        self._at += 1
                        cond = self.schema.get_type(self._name())
                    self._directives(nesting)
                    if toks[self._at] != "{":
                        raise _Unfollowed
                    found = self._selections(cond, level, nesting + 1)
            elif _is_name(token):
                found = self._field(parent, level, nesting)
            else:
                raise _Unfollowed
            if found.depth > depth:
                depth = found.depth
            aliases += found.aliases
            cost += found.cost

    def _field(self, parent: Any, level: int, nesting: int) -> Figures:
        toks = self._toks
        name = self._name()
        alias = 0
        if toks[self._at] == ":":
            self._at += 1
            name, alias = self._name(), 1
        fields = getattr(parent, "fields", None)
        definition = fields.get(name) if fields else None
        first: int | None = None
        if toks[self._at] == "(":
            first = self._arguments(nesting)
        if toks[self._at] == "@":
            self._directives(nesting)
        if toks[self._at] != "{":
            return Figures(0, alias, 1)
        child = self._selections(get_named_type(definition.type) if definition else None, level + 1, nesting + 1)
        if name.startswith("__"):  # introspection (development only): not deep, costs 1 whatever it holds
            return Figures(0, alias + child.aliases, 1)
        factor = 1
        if definition is not None:
            if "first" in definition.args:
                factor = max(DEFAULT_PAGE if first is None else first, 1)
            elif isinstance(_unwrap(definition.type), GraphQLList):
                factor = LIST_FACTOR
        return Figures(1 + child.depth, alias + child.aliases, min(1 + factor * child.cost, CAP))

    def _arguments(self, nesting: int) -> int | None:
        """Past a field's `(…)`; the page size its `first` asks (a literal, or a variable's value), if any."""
        toks = self._toks
        self._at += 1  # (
        first: int | None = None
        while toks[self._at] != ")":
            name = self._name()
            if toks[self._at] != ":":
                raise _Unfollowed
            self._at += 1
            token = toks[self._at]
            if token in _OPEN:
                self._skip_group(nesting + 1)
                continue
            self._at += 1
            if token == "$":
                variable = self._name()
                if name == "first":
                    value = self.variables.get(variable)
                    first = min(value, CAP) if isinstance(value, int) and not isinstance(value, bool) else DEFAULT_PAGE
            elif not token:
                raise _Unfollowed
            elif name == "first":
                first = min(int(token), CAP) if _INT.fullmatch(token) else DEFAULT_PAGE
        self._at += 1  # )
        return first


def _unwrap(t: Any) -> Any:
    while isinstance(t, GraphQLNonNull):
        t = t.of_type
    return t
