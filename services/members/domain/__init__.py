"""Pure deciders, one module per aggregate: `decide(state, command) -> events`, `evolve(state, event)`."""
