"""The GraphQL schema: the views as typed queries, every service command as a mutation, live feeds as
subscriptions. `build_schema()` assembles it (see build.py)."""
