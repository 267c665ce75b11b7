"""The surveys service's pure deciders: `tracking` (the one outcome-tracking mechanism), `plan` (the yearly
consultation & supervision plan) and `consultation` (sessions and their outcomes)."""
