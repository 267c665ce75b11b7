"""The local mail and SMS sinks take their usual port only when a server can bind it."""

from __future__ import annotations

import socket

from yizheng.infra.ports import can_bind, free_port, preferred_or_free

LOOPBACK = "127.0.0.1"


def test_a_port_held_by_a_socket_that_does_not_listen_is_not_offered() -> None:
    # What broke CI: an outgoing connection's local port (bound, never listening) was the sink's usual port.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as held:
        held.bind((LOOPBACK, 0))
        port = held.getsockname()[1]
        assert not can_bind(LOOPBACK, port)
        other = preferred_or_free(LOOPBACK, port)
        assert other != port
        assert can_bind(LOOPBACK, other)


def test_a_free_usual_port_is_kept() -> None:
    port = free_port(LOOPBACK)
    assert preferred_or_free(LOOPBACK, port) == port
