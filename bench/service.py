"""Load benchmark for the reference service, side by side with a bare Starlette/uvicorn peer.

Starts the service (``python -m runbook.service``) and a trivial "hello" app in separate
processes on loopback, then drives a bounded load at each concurrency level from this
process with one httpx.AsyncClient: a fixed request count per level and a time cap.

    python bench/service.py [--requests 2000] [--levels 1,10,50] [--time-cap 60] [--json out]

The ratio columns read as "overhead versus bare uvicorn": latency and throughput of the
service divided by the peer's under the same load. Target: p95 < 200 ms at 50 clients, no
errors.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta, timezone
from datetime import time as clock_time
from pathlib import Path
from typing import Any

import httpx

SAST = timezone(timedelta(hours=2))
STAFF = ("stf-thandi", "stf-lerato", "stf-aisha", "stf-naledi")
READY_ATTEMPTS = 400  # x 50 ms of waiting on the process between connection attempts


@dataclass
class LevelResult:
    target: str
    scenario: str
    clients: int
    requests: int
    seconds: float
    throughput: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    conflicts: int
    capped: bool
    first_request_max_ms: float


def run_peer(port: int) -> None:
    """The comparison peer: the least a Starlette app on uvicorn can do per request."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def hello(request: Request) -> JSONResponse:
        if request.method == "POST":
            return JSONResponse(await request.json(), status_code=201)
        return JSONResponse({"status": "ok"})

    app = Starlette(routes=[Route("/hello", hello, methods=["GET", "POST"])])
    uvicorn.run(app, host="127.0.0.1", port=port, access_log=False, log_level="warning")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_accepting(process: subprocess.Popen[bytes], port: int) -> None:
    for _ in range(READY_ATTEMPTS):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            pass
        try:
            code = process.wait(timeout=0.05)
        except subprocess.TimeoutExpired:
            continue
        raise SystemExit(f"server on port {port} exited with {code} before accepting")
    raise SystemExit(f"server on port {port} not accepting after {READY_ATTEMPTS} attempts")


def booking_slots() -> Iterator[dict[str, Any]]:
    """Distinct 30-minute slots (stylist x open day x half hour), so bookings succeed."""
    day = datetime.now(SAST).date() + timedelta(days=2)
    while True:
        day += timedelta(days=1)
        if day.weekday() not in {1, 2, 3, 4, 5}:
            continue
        for minutes in range(0, 600, 30):
            for staff_id in STAFF:
                start = datetime.combine(day, clock_time(8, 0), SAST) + timedelta(minutes=minutes)
                yield {
                    "service_id": "svc-treatment",
                    "staff_id": staff_id,
                    "start": start.isoformat(),
                    "customer": {"name": "Bench Customer", "email": "bench@example.co.za"},
                }


def percentile(ordered: list[float], fraction: float) -> float:
    if not ordered:
        return 0.0
    return ordered[max(0, min(len(ordered) - 1, int(round(fraction * len(ordered))) - 1))]


async def drive(
    base_url: str,
    clients: int,
    total: int,
    time_cap: float,
    make_request: Callable[[httpx.AsyncClient], Any],
    ok_status: int,
    warm_path: str,
) -> tuple[list[float], int, int, float, bool, float]:
    """Run ``total`` requests over ``clients`` keep-alive connections.

    Each simulated client first connects and sends one untimed request; timing starts once
    all are connected. On this machine opening 50 loopback connections at once costs up to
    ~1.5 s for some of them (for the bare peer too), which would otherwise swamp the
    percentiles; that cost is reported separately as the slowest first request.
    """
    latencies: list[float] = []
    first_requests: list[float] = []
    errors = conflicts = 0
    counter = itertools.count()
    connected = 0
    all_connected = asyncio.Event()
    timing: dict[str, float] = {}

    async def worker() -> None:
        # One keep-alive connection per simulated client, each its own AsyncClient: a single
        # shared httpx pool serialises on its own lock at ~50 connections and would measure
        # the client rather than the server.
        nonlocal errors, conflicts, connected
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
            sent = time.perf_counter()
            await http.get(warm_path)
            first_requests.append((time.perf_counter() - sent) * 1000.0)
            connected += 1
            if connected == clients:
                timing["started"] = time.perf_counter()
                all_connected.set()
            await all_connected.wait()
            deadline = timing["started"] + time_cap
            while next(counter) < total and time.perf_counter() < deadline:
                sent = time.perf_counter()
                try:
                    response = await make_request(http)
                except httpx.HTTPError:
                    errors += 1
                    continue
                latencies.append((time.perf_counter() - sent) * 1000.0)
                if response.status_code == 409:
                    conflicts += 1
                elif response.status_code != ok_status:
                    errors += 1

    await asyncio.gather(*(worker() for _ in range(clients)))
    elapsed = time.perf_counter() - timing["started"]
    capped = len(latencies) + errors < total
    return sorted(latencies), errors, conflicts, elapsed, capped, max(first_requests)


def measure(
    target: str,
    scenario: str,
    base_url: str,
    clients: int,
    total: int,
    time_cap: float,
    slots: Iterator[dict[str, Any]],
) -> LevelResult:
    if target == "service":
        path = "/api/health" if scenario == "health" else "/api/bookings"
    else:
        path = "/hello"

    async def request(http: httpx.AsyncClient) -> httpx.Response:
        if scenario == "health":
            return await http.get(path)
        return await http.post(path, json=next(slots))

    ok_status = 200 if scenario == "health" else 201
    warm_path = "/api/health" if target == "service" else "/hello"
    latencies, errors, conflicts, elapsed, capped, first_max = asyncio.run(
        drive(base_url, clients, total, time_cap, request, ok_status, warm_path)
    )
    done = len(latencies)
    return LevelResult(
        target=target,
        scenario=scenario,
        clients=clients,
        requests=done,
        seconds=round(elapsed, 3),
        throughput=round(done / elapsed, 1) if elapsed else 0.0,
        p50_ms=round(percentile(latencies, 0.50), 2),
        p95_ms=round(percentile(latencies, 0.95), 2),
        p99_ms=round(percentile(latencies, 0.99), 2),
        errors=errors,
        conflicts=conflicts,
        capped=capped,
        first_request_max_ms=round(first_max, 1),
    )


def start(command: list[str], port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
    )
    wait_until_accepting(process, port)
    return process


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


def report(results: list[LevelResult]) -> None:
    header = (
        f"{'scenario':<9} {'clients':>7} {'target':<8} {'req':>5} {'req/s':>8} "
        f"{'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6} {'409s':>5} {'1st max':>8}"
    )
    print(header)
    print("-" * len(header))
    for result in results:
        print(
            f"{result.scenario:<9} {result.clients:>7} {result.target:<8} {result.requests:>5} "
            f"{result.throughput:>8.1f} {result.p50_ms:>8.2f} {result.p95_ms:>8.2f} "
            f"{result.p99_ms:>8.2f} {result.errors:>6} {result.conflicts:>5}"
            f" {result.first_request_max_ms:>8.1f}"
            f"{'  (time cap hit)' if result.capped else ''}"
        )
    print()
    print("service vs bare uvicorn peer (ratio > 1: service slower / fewer req/s)")
    by_key = {(r.scenario, r.clients, r.target): r for r in results}
    for scenario, clients in sorted({(r.scenario, r.clients) for r in results}):
        service, peer = by_key[(scenario, clients, "service")], by_key[(scenario, clients, "peer")]
        p95_ratio = service.p95_ms / peer.p95_ms if peer.p95_ms else float("nan")
        throughput_ratio = service.throughput / peer.throughput if peer.throughput else float("nan")
        print(
            f"  {scenario:<9} {clients:>3} clients: p95 x{p95_ratio:.2f}, "
            f"throughput x{throughput_ratio:.2f}"
        )
    worst = max(
        (
            r
            for r in results
            if r.target == "service" and r.clients == max(x.clients for x in results)
        ),
        key=lambda r: r.p95_ms,
    )
    errors = sum(r.errors for r in results if r.target == "service")
    verdict = "PASS" if worst.p95_ms < 200 and errors == 0 else "FAIL"
    print(
        f"\ntarget p95 < 200 ms at {worst.clients} clients with no errors: {verdict} "
        f"(worst p95 {worst.p95_ms:.2f} ms in {worst.scenario}, {errors} service errors)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="per level and target")
    parser.add_argument("--levels", default="1,10,50", help="concurrent clients, comma-separated")
    parser.add_argument("--time-cap", type=float, default=60.0, help="seconds per level")
    parser.add_argument("--json", type=Path, default=None, help="also write results here")
    parser.add_argument("--peer", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.peer:
        run_peer(args.port)
        return 0
    levels = [int(level) for level in args.levels.split(",")]
    workdir = Path(tempfile.mkdtemp(prefix="runbook-bench-"))
    env = {**os.environ, "RUNBOOK_ADMIN_TOKEN": "bench-token"}
    service_port, peer_port = free_port(), free_port()
    service = start(
        [
            sys.executable,
            "-m",
            "runbook.service",
            "--port",
            str(service_port),
            "--db",
            str(workdir / "bench.sqlite3"),
        ],
        service_port,
        env,
    )
    peer = start([sys.executable, __file__, "--peer", "--port", str(peer_port)], peer_port, env)
    slots = booking_slots()
    results: list[LevelResult] = []
    try:
        for scenario in ("health", "bookings"):
            for clients in levels:
                # Side by side: the peer runs right after the service at the same level.
                for target, port in (("service", service_port), ("peer", peer_port)):
                    result = measure(
                        target,
                        scenario,
                        f"http://127.0.0.1:{port}",
                        clients,
                        args.requests,
                        args.time_cap,
                        slots,
                    )
                    results.append(result)
                    print(
                        f"  {scenario} x{clients} {target}: {result.throughput:.0f} req/s, "
                        f"p95 {result.p95_ms:.1f} ms",
                        file=sys.stderr,
                    )
    finally:
        stop(service)
        stop(peer)
        shutil.rmtree(workdir, ignore_errors=True)
    print(
        f"\nrunbook service benchmark ({date.today().isoformat()}, {os.cpu_count()} CPUs, "
        f"{args.requests} requests per level, client and servers on one machine)\n"
    )
    report(results)
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
