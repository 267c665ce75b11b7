"""`yizheng bench limits`: how long the gateway takes to accept or refuse a document against its request limits
(`gateway.prescan`, on the text, before graphql-core parses it), next to what graphql-core's parse and
validation cost for the same document, and the path of a document asked again (parsed and validated once).

In process, no database: the gateway's production schema, each figure the median of `rounds` runs."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLObjectType, GraphQLSchema, get_named_type, is_leaf_type, parse, validate

from gateway import limits
from gateway.schema.build import build_schema

FIGURES = "numerator denominator value"
RATES = (f"assigned replied unitId category replyOnTime {{ {FIGURES} items {{ proposalId unitId counted }} }} "
         f"meeting {{ {FIGURES} }} satisfaction {{ {FIGURES} items {{ counted evaluation {{ memberId rating }} }} }} "
         "classes { resultClass count share items { proposalId } }")
# What the gateway's own tests ask, as clients do.
NORMAL = {
    "me": "{ me { role committeeId memberId } }",
    "proposal page": ("query P($first: Int, $after: String, $f: ProposalFilter) { proposals(first: $first, "
                      "after: $after, filter: $f) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor } "
                      "edges { cursor node { id } } } }"),
    "proposal list": ("query N($first: Int) { proposals(first: $first) { edges { node { id number leadMember "
                      "{ name sector } cosigners { state member { name } } handling { unit { name } replies "
                      "{ resultClass } evaluations { rating member { name } } contacts { kind } } } } } }"),
    "members": "{ members(first: 3, filter: {sector: education}) { totalCount edges { node { id } } } }",
    "meetings": "{ meetings { edges { node { id } } } plenary: meetings(filter: {kind: plenary}) { totalCount } }",
    "oversight": (f"query O($y: Int!, $d: Date) {{ oversight(year: $y, asOf: $d) {{ asOf overdueByUnit {{ unitId "
                  "count unit { name } items { proposalId number daysOverdue deadline proposal { title } } } "
                  f"byUnit {{ {RATES} }} byCategory {{ {RATES} }} overall {{ {RATES} }} }} }}"),
}


def doubling(n: int) -> str:
    """n fragments, each spreading the previous one twice: 2^(n-1) fields once expanded."""
    fragments = ["fragment F0 on Me { role }"] + [f"fragment F{i} on Me {{ ...F{i - 1} ...F{i - 1} }}"
                                                   for i in range(1, n)]
    return f"{{ me {{ ...F{n - 1} }} }}\n" + "\n".join(fragments)


def every_field(schema: GraphQLSchema, type_name: str, depth: int) -> str:
    """Every field of a type without required arguments, `depth` levels down, pages of 3: a large client query."""
    def selection(t: Any, level: int) -> str:
        t = get_named_type(t)
        if not isinstance(t, GraphQLObjectType):
            return ""
        parts = []
        for name, f in t.fields.items():
            if any(a.type.__class__.__name__ == "GraphQLNonNull" for a in f.args.values()):
                continue
            named = get_named_type(f.type)
            if is_leaf_type(named):
                parts.append(name)
            elif level < depth and (inner := selection(named, level + 1)):
                parts.append(f"{name}{'(first: 3)' if 'first' in f.args else ''} {inner}")
        return "{ " + " ".join(parts) + " }" if parts else ""

    return f"query Oversight {{ oversight(year: 2026) {selection(schema.get_type(type_name), 1)} }}"


def documents(schema: GraphQLSchema) -> dict[str, str]:
    kb64 = 64 * 1024 - 64
    return {
        "17 fragments doubling": doubling(17),
        "64 KB of small fields": "{ me { " + "role " * ((kb64 - 10) // 5) + "} }",
        "64 KB nested": "{ me " * (kb64 // 6) + "}" * (kb64 // 6),
        "64 KB of aliases": "{ " + " ".join(f"a{i}: me {{ role }}" for i in range(kb64 // 21)) + " }",
        "realistic oversight query": every_field(schema, "Oversight", 4),
    }


@dataclass
class Row:
    name: str
    size: int
    tokens: int
    verdict: str
    decide_ms: float  # the limits' accept-or-refuse, on the text
    parse_ms: float | None  # graphql-core's parse of the same text (None: it refuses it)
    validate_ms: float | None  # graphql-core's validation of the parsed document
    again_ms: float | None  # an accepted document asked again: scan, cached parse, repeats, no revalidation


def _median_ms(fn: Callable[[], Any], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def measure(name: str, text: str, schema: GraphQLSchema, rounds: int) -> Row:
    found, scan = limits.text_refusals(schema, text, {}, None)
    decide = _median_ms(lambda: limits.text_refusals(schema, text, {}, None), rounds)
    verdict = ",".join(str((e.extensions or {}).get("rule")) for e in found) or "accepted"
    parse_ms = validate_ms = again_ms = None
    try:
        document = parse(text, no_location=True)
        parse_ms = _median_ms(lambda: parse(text, no_location=True), max(1, rounds // 4))
        validate_ms = _median_ms(lambda: validate(schema, document), max(1, rounds // 4))
    except Exception:
        pass
    if not found:
        limits.parse_document(text)

        def again() -> None:
            limits.text_refusals(schema, text, {}, None)
            limits.repeat_refusals(schema, limits.parse_document(text), None)

        again_ms = _median_ms(again, rounds)
    return Row(name, len(text.encode()), scan.token_count, verdict, decide, parse_ms, validate_ms, again_ms)


def run_limits_bench(rounds: int = 21) -> dict[str, Any]:
    schema = build_schema(development=False)._schema
    rows = [measure(name, text, schema, rounds) for name, text in documents(schema).items()]
    normal = [measure(name, text, schema, rounds) for name, text in NORMAL.items()]
    return {"rows": rows, "normal": normal,
            "normal_median_decide_ms": statistics.median(r.decide_ms for r in normal),
            "normal_median_again_ms": statistics.median(r.again_ms or 0.0 for r in normal),
            "normal_median_cold_ms": statistics.median(r.decide_ms + (r.parse_ms or 0) + (r.validate_ms or 0)
                                                       for r in normal)}


def render(result: dict[str, Any]) -> str:
    def ms(value: float | None) -> str:
        return "—" if value is None else f"{value:.2f}"

    lines = ["| document | bytes | tokens read | verdict | limits decide (ms) | graphql-core parse (ms) | "
             "validate (ms) | asked again (ms) |", "|---|---:|---:|---|---:|---:|---:|---:|"]
    for row in [*result["rows"], *result["normal"]]:
        lines.append(f"| {row.name} | {row.size} | {row.tokens} | {row.verdict} | {ms(row.decide_ms)} | "
                     f"{ms(row.parse_ms)} | {ms(row.validate_ms)} | {ms(row.again_ms)} |")
    lines.append("")
    lines.append(f"normal client queries, median: limits decide {result['normal_median_decide_ms']:.2f} ms; first "
                 f"time (decide + parse + validate) {result['normal_median_cold_ms']:.2f} ms; asked again "
                 f"{result['normal_median_again_ms']:.2f} ms")
    return "\n".join(lines)
