"""Time ``runbook validate`` against check-jsonschema on a generated 1,000-document corpus.

Both run as fresh processes on the same files in the same run, so interpreter start-up is
counted for both. runbook also resolves cross-references (ids, includes, SLA, contacts),
which check-jsonschema does not do. Usage: python bench/validate.py [--count N] [--repeat R]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import REPO, write_corpus  # noqa: E402


def timed(argv: list[str], cwd: Path) -> tuple[float, int]:
    started = time.perf_counter()
    result = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode not in (0,):
        print(result.stdout[-2000:], result.stderr[-2000:], file=sys.stderr)
    return elapsed, result.returncode


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        corpus = root / "runbooks"
        files = write_corpus(corpus, args.count)
        size = sum(path.stat().st_size for path in corpus.rglob("*.yaml"))
        lines = sum(path.read_text().count("\n") for path in files) / len(files)
        print(f"corpus: {len(files)} documents, {size / 1e6:.1f} MB, {lines:.0f} lines each")
        yaml_files = sorted(str(p) for p in corpus.rglob("*.yaml"))
        cold, warm, peer = [], [], []
        schema = str(REPO / "schema" / "runbook.schema.json")
        for _ in range(args.repeat):
            elapsed, code = timed(["runbook", "validate", "--no-cache", "runbooks"], root)
            assert code == 0, "runbook validate failed on the generated corpus"
            cold.append(elapsed)
            timed(["runbook", "validate", "runbooks"], root)  # fill the cache
            elapsed, code = timed(["runbook", "validate", "runbooks"], root)
            assert code == 0
            warm.append(elapsed)
            elapsed, code = timed(
                [sys.executable, "-m", "check_jsonschema", "--schemafile", schema, *yaml_files],
                root,
            )
            assert code == 0, "check-jsonschema failed on the generated corpus"
            peer.append(elapsed)
        peer_median = statistics.median(peer)
        print(f"check-jsonschema (schema only):                       median {peer_median:.2f} s")
        for label, times in (("cold, --no-cache", cold), ("warm, cache of checked files", warm)):
            median = statistics.median(times)
            verdict = "met" if median <= 1 and peer_median / median >= 3 else "NOT met"
            print(
                f"runbook validate ({label}): median {median:.2f} s, "
                f"{peer_median / median:.1f}x faster than check-jsonschema; "
                f"target <= 1 s and >= 3x: {verdict}"
            )
        print("(runbook also checks cross-references: ids, includes, SLA, contacts, windows)")


if __name__ == "__main__":
    main()
