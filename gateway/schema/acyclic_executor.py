"""The executor the gateway's schema runs with: strawberry's, without the cycle graphql-core 3.3 builds into
every execution.

graphql-core hands resolvers helpers bound to the executor itself (`async_helpers`: its `track_async_work` and
`gather_async_work`), so each executor is in a reference cycle, and with it everything it holds: the request's
context (viewer, loaders, database handle), starlette's request and response, uvicorn's cycle. Reference counting
never frees a cycle; each request's ~70 objects waited for a full collection, which in the gateway under 16
mutating clients freed 76,000 of them at once and held the process 110-220 ms. Here the helpers reach the
executor through a weak reference: while it runs, its callers hold it; when it returns, the request is freed at
once."""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Sequence
from typing import Any

from graphql import GraphQLResolveInfoHelpers
from graphql.pyutils.gather_with_cancel import gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext


def _gather(values: Sequence[Awaitable[Any]]) -> Awaitable[list[Any]]:
    return gather_with_cancel(*values)  # what the executor's own `gather_async_work` does, without the executor


class AcyclicExecutor(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        executor = weakref.ref(self)

        def track(values: Sequence[Any]) -> None:
            alive = executor()
            if alive is not None:
                alive.track_async_work(values)

        self.async_helpers = GraphQLResolveInfoHelpers(gather=_gather, track=track)
