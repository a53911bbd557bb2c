"""The ports tests hand to servers they start are ones no connection takes meanwhile."""

from __future__ import annotations

import socket

from tests import ports


def test_ports_lie_below_the_ephemeral_range_and_leave_the_next_port_free():
    chosen = ports.unused_ports(50)
    assert len(set(chosen)) == 50
    assert all(ports.LOWEST <= port < ports._ephemeral_start() for port in chosen)
    # a server taking the next port too (the dev server's own UI) never meets another's port
    assert not {port + 1 for port in chosen} & set(chosen)


def test_a_port_something_listens_on_is_passed_over():
    with socket.socket() as listening:
        listening.bind((ports.HOST, ports.unused_port()))
        listening.listen()
        taken = listening.getsockname()[1]
        assert taken not in ports.unused_ports(len(ports._SLICE))  # a whole round of the slice
