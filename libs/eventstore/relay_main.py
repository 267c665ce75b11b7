"""Runs one relay as its own process: `python -m eventstore.relay_main --schema S --topic T`, reaching Kafka
as the KAFKA_* variables say (`eventstore.kafka_access`; `--bootstrap` overrides KAFKA_BOOTSTRAP_SERVERS).
Operators run relays through `yizheng`; the kernel's crash tests kill this process with SIGKILL."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal

from eventstore.db import create_pool
from eventstore.install import install
from eventstore.kafka_access import BOOTSTRAP_SERVERS, KafkaAccess
from eventstore.relay import Relay
from eventstore.store import EventStore


async def main(dsn: str, schema: str, topic: str, bootstrap: KafkaAccess, source: str, batch_size: int,
               hold_after_batches: int | None = None) -> None:
    pool = await create_pool(dsn, max_size=4)
    await install(pool, schema)

    async def hold(batches: int) -> None:
        # Fault injection for crash tests: stop between publishing a batch and saving its checkpoint.
        if hold_after_batches is not None and batches >= hold_after_batches:
            print(f"holding after batch {batches}", flush=True)
            await asyncio.Event().wait()

    relay = Relay(EventStore(pool, schema, source), topic, bootstrap, batch_size=batch_size,
                  after_publish=hold if hold_after_batches else None)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await relay.start()
    print("relay started", flush=True)
    await stop.wait()
    await relay.stop()
    await pool.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--schema", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--bootstrap", default=None)
    parser.add_argument("--source", default="relay")
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--hold-after-batches", type=int, default=None,
                        help="(crash tests) stop after publishing this many batches, before checkpointing")
    a = parser.parse_args()
    kafka = KafkaAccess.from_env({**os.environ, **({BOOTSTRAP_SERVERS: a.bootstrap} if a.bootstrap else {})})
    asyncio.run(main(a.dsn, a.schema, a.topic, kafka, a.source, a.batch_size, a.hold_after_batches))
