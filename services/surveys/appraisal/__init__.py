"""Democratic appraisal (民主评议) with anonymous but verifiable ballots."""
