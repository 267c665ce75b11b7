"""The members service's notification-address route as the notify service asks it
(`GET /notification-addresses?member_id=…`, see notify.contacts), served on loopback by a real HTTP server
(keep-alive, as uvicorn serves it), noting the client port of every request."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class AddressRoute:
    url: str
    ports: list[int] = field(default_factory=list)  # the client port of each request, in order


@contextlib.contextmanager
def address_route(email_of: Callable[[str], str]) -> Iterator[AddressRoute]:
    route = AddressRoute("")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # http.server's hook
            route.ports.append(self.client_address[1])
            ids = parse_qs(urlsplit(self.path).query).get("member_id", [])
            body = json.dumps({"members": {m: {"email": email_of(m)} for m in ids}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    route.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield route
    finally:
        server.shutdown()
        server.server_close()
