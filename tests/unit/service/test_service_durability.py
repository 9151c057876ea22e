"""An acknowledged booking survives SIGKILL of the server process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.unit.service.service_helpers import SlotAllocator, booking_body

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

_READY_ATTEMPTS = 300  # x 50 ms wait on the process between attempts: 15 s at most


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_accepting(process: subprocess.Popen[bytes], port: int) -> None:
    for _ in range(_READY_ATTEMPTS):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            pass
        # Waiting on the process (not sleeping) also notices at once if it died on start-up.
        try:
            code = process.wait(timeout=0.05)
        except subprocess.TimeoutExpired:
            continue
        output = process.stdout.read().decode() if process.stdout else ""
        raise AssertionError(f"service exited with {code} before accepting:\n{output}")
    raise AssertionError(f"service not accepting on port {port} after {_READY_ATTEMPTS} tries")


@contextmanager
def _server(db: Path, port: int) -> Iterator[subprocess.Popen[bytes]]:
    env = {**os.environ, "RUNBOOK_ADMIN_TOKEN": "durability-token"}
    command = [sys.executable, "-m", "runbook.service", "--port", str(port), "--db", str(db)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    try:
        _wait_until_accepting(process, port)
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
        if process.stdout:
            process.stdout.close()


def test_booking_survives_sigkill(tmp_path: Path, slots: SlotAllocator) -> None:
    db = tmp_path / "durable.sqlite3"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with _server(db, port) as process:
        with httpx.Client(base_url=base) as client:
            created = client.post("/api/bookings", json=booking_body(slots.next()))
            assert created.status_code == 201, created.text
            booking = created.json()
        os.kill(process.pid, signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
    with _server(db, port), httpx.Client(base_url=base) as client:
        again = client.get(f"/api/bookings/{booking['id']}")
        assert again.status_code == 200
        assert again.json() == booking
        # The invariant survives too: the same slot is still taken.
        clash = client.post("/api/bookings", json=booking_body_for(booking))
        assert clash.status_code == 409


def booking_body_for(booking: dict[str, object]) -> dict[str, object]:
    return {
        "service_id": booking["service_id"],
        "staff_id": booking["staff_id"],
        "start": booking["start"],
        "customer": {"name": "Second", "email": "second@example.co.za"},
    }
