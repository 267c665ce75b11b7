"""The scored year: rulebooks as data, duty facts drawn from public events, the pure scoring function, and
the ledger that turns a score into `duty-points-*` events."""
