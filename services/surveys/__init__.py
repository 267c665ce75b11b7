"""The surveys service: the yearly consultation & supervision plan, consultation sessions and their
outcomes, and the one outcome-tracking mechanism they share with supervision and research (declared in
`surveys.service`)."""
