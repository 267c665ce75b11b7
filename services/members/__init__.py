"""The members service: the registry, duty records (meetings, visits, training, charity, awards) and the
scored year (the duty-points ledger fed by every service's public events)."""
