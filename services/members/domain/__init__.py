"""Pure deciders, one module per aggregate: `decide(state, issued) -> events` (the kernel's `Issued`:
command, actor, committee, time, the members it names), `evolve(state, event) -> state`."""
