"""`python -m gateway [--host H] [--port P]`: the gateway alone, from the environment (GatewayConfig.from_env)."""

from __future__ import annotations

import argparse
import contextlib

import uvicorn

from gateway.app import build_gateway
from gateway.config import GatewayConfig
from runtime import event_loop


async def serve(host: str, port: int) -> None:
    gateway = await build_gateway(GatewayConfig.from_env())
    await gateway.start()
    try:
        server = uvicorn.Server(uvicorn.Config(gateway.app, host=host, port=port, log_level="info"))
        print(f"GraphQL at http://{host}:{port}/graphql", flush=True)
        await server.serve()
    finally:
        await gateway.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m gateway")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        event_loop.run(serve(args.host, args.port))


if __name__ == "__main__":
    main()
