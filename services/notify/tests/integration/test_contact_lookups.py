"""The delivery worker asks the members service for each message's address: a run of deliveries asks over one
kept-open connection, not a new one per message, and still asks every time (nothing is cached)."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from notify.contacts import MembersContacts


class _Addresses(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as uvicorn serves the members service
    seen: ClassVar[list[int]] = []  # the client port of each request

    def do_GET(self) -> None:  # http.server's hook
        _Addresses.seen.append(self.client_address[1])
        member = parse_qs(urlsplit(self.path).query)["member_id"][0]
        body = json.dumps({"members": {member: {"email": f"{member}@example.cn"}}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: Any) -> None:
        pass


@contextlib.contextmanager
def _members_service() -> Iterator[str]:
    _Addresses.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Addresses)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


async def test_twenty_deliveries_ask_for_twenty_addresses_over_one_connection() -> None:
    with _members_service() as url:
        contacts = MembersContacts(url)
        try:
            found = [await contacts.address("demo-county", "member", f"m{i:03}", "email") for i in range(20)]
        finally:
            await contacts.aclose()
    assert found == [f"m{i:03}@example.cn" for i in range(20)]
    assert len(_Addresses.seen) == 20, "asked for each delivery"
    assert len(set(_Addresses.seen)) == 1, "over one connection"
