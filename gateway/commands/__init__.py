"""Commands: which the services offer (catalog), how they become GraphQL inputs (inputs), and how a
mutation reaches the owning service (forward)."""
