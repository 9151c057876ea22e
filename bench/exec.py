"""Time ``runbook exec`` against a bare httpx.AsyncClient issuing the same requests.

A generated document holds 200 HTTP checks in parallel groups; both sides run them against
one reference service started once, with the same concurrency (one group at a time, its
members together), in the same process, alternating, several repetitions. The engine side
includes everything a run does: templates, grading, outputs, the fsynced record.
Usage: python bench/exec.py [--checks 200] [--group 10] [--repeat 7]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import yaml

from runbook.engine import ExecOptions, execute
from runbook.loader import load_corpus
from runbook.service.server import ServiceConfig, start_service
from runbook.templating import JinjaTemplater

REPO = Path(__file__).resolve().parents[1]
TARGETS = ("/api/health", "/api/services", "/api/calendar/status", "/api/staff")

MINIMAL_REFERENCE: dict[str, dict[str, Any]] = {
    "contacts": {"contacts": [{"id": "operations-team", "role": "Operations"}]},
    "environments": {"environments": [{"id": "local", "name": "Local", "embedded": True}]},
    "sla-targets": {
        "sla": [
            {
                "id": "api-response-time",
                "metric": "p95",
                "unit": "ms",
                "direction": "lower-is-better",
                "target": 200,
                "warning": 500,
                "critical": 1000,
            }
        ]
    },
}


def header(doc_id: str, kind: str) -> dict[str, Any]:
    return {
        "id": doc_id,
        "title": f"Bench {doc_id}",
        "kind": kind,
        "version": "1.0.0",
        "owner": "operations-team",
        "last_reviewed": "2026-11-20",
        "review_every": "yearly",
    }


def write_corpus(root: Path, checks: int, group: int) -> Path:
    corpus = root / "runbooks"
    (corpus / "reference").mkdir(parents=True)
    references = sorted((REPO / "runbooks" / "reference").glob("*.yaml"))
    for path in references:
        shutil.copy(path, corpus / "reference" / path.name)
    if not references:
        for doc_id, body in MINIMAL_REFERENCE.items():
            text = yaml.safe_dump({**header(doc_id, "reference"), **body}, sort_keys=False)
            (corpus / "reference" / f"{doc_id}.yaml").write_text(text)
    steps = []
    for start in range(0, checks, group):
        members = [
            {
                "id": f"check_{n}",
                "title": f"Check {n}",
                "http": {"url": TARGETS[n % len(TARGETS)]},
                "expect": {"status": 200, "latency": {"sla": "api-response-time"}},
            }
            for n in range(start, min(start + group, checks))
        ]
        steps.append({"id": f"group_{start // group}", "title": "Group", "parallel": members})
    document = {**header("bench-exec", "runbook"), "steps": steps}
    (corpus / "bench-exec.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    return corpus


async def bare(base_url: str, checks: int, group: int) -> None:
    async with httpx.AsyncClient() as client:

        async def one(n: int) -> None:
            response = await client.get(base_url + TARGETS[n % len(TARGETS)])
            assert response.status_code == 200

        for start in range(0, checks, group):
            await asyncio.gather(*(one(n) for n in range(start, min(start + group, checks))))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--checks", type=int, default=200)
    parser.add_argument("--group", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, start_service(ServiceConfig()) as service:
        root = Path(folder)
        result = load_corpus(corpus_root=write_corpus(root, args.checks, args.group))
        assert result.corpus.get("bench-exec") is not None, result.problems
        templater = JinjaTemplater()
        options = ExecOptions(
            document="bench-exec", base_url=service.base_url, runs_dir=root / "runs", environ={}
        )
        # One untimed round each warms the service, the connection code and the caches.
        execute(result.corpus, options, templater=templater)
        asyncio.run(bare(service.base_url, args.checks, args.group))
        engine_times, bare_times, engine_cpu, bare_cpu = [], [], [], []
        for _ in range(args.repeat):
            started, cpu = time.perf_counter(), time.process_time()
            record = execute(result.corpus, options, templater=templater)
            engine_times.append(time.perf_counter() - started)
            engine_cpu.append(time.process_time() - cpu)
            assert record.exit_code in (0, 3), record.reason
            started, cpu = time.perf_counter(), time.process_time()
            asyncio.run(bare(service.base_url, args.checks, args.group))
            bare_times.append(time.perf_counter() - started)
            bare_cpu.append(time.process_time() - cpu)
    engine, plain = statistics.median(engine_times), statistics.median(bare_times)
    cpu_ratio = statistics.median(engine_cpu) / statistics.median(bare_cpu)
    groups = -(-args.checks // args.group)
    print(
        f"{args.checks} HTTP checks in {groups} parallel groups of {args.group}, "
        f"{args.repeat} repetitions"
    )
    print(f"runbook exec engine:      median {engine * 1000:.0f} ms")
    print(f"bare httpx.AsyncClient:   median {plain * 1000:.0f} ms")
    print(f"ratio: {engine / plain:.2f}x (target <= 1.25x)")
    print(f"per-step overhead: {(engine - plain) / args.checks * 1000:.2f} ms")
    # CPU time (this process: client and the in-process service) is steadier than wall time
    # on a shared machine; both sides spend most of it in httpx and the service.
    print(f"CPU time ratio: {cpu_ratio:.2f}x")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
