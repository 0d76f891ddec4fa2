"""The suite's socket guard: a test reaching beyond loopback fails instead of leaving the box."""

from __future__ import annotations

import socket

import pytest
from pytest_socket import SocketConnectBlockedError


def test_a_connection_beyond_loopback_is_refused() -> None:
    # pytest-socket also warns, naming the host: the warning is part of what a test author sees.
    with (
        socket.socket() as sock,
        pytest.raises(SocketConnectBlockedError),
        pytest.warns(UserWarning, match="192.0.2.1"),
    ):
        sock.connect(("192.0.2.1", 443))  # TEST-NET-1: never routed anywhere real


def test_loopback_stays_open() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.create_connection(server.getsockname(), timeout=5):
            pass
