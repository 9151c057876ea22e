"""Run the reference booking service on its own (python -m runbook.service)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from runbook.service.server import ServeInfo, ServiceConfig, ServiceStartError, serve


def _announce(info: ServeInfo) -> None:
    print(f"runbook service listening on {info.base_url} (database {info.db_path})", flush=True)
    if info.generated_admin_token is not None:
        print(f"admin token (generated, shown once): {info.generated_admin_token}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m runbook.service", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8787)
    parser.add_argument("--db", type=Path, default=None, help="SQLite file (default: temporary)")
    parser.add_argument("--seed-demo-data", action="store_true")
    parser.add_argument("--admin-token", default=None, help="default: $RUNBOOK_ADMIN_TOKEN")
    parser.add_argument("--paystack-secret", default=None, help="default: $PAYSTACK_SECRET_KEY")
    args = parser.parse_args(argv)
    config = ServiceConfig(
        host=args.host,
        port=args.port,
        db_path=args.db,
        seed_demo_data=args.seed_demo_data,
        admin_token=args.admin_token,
        paystack_secret=args.paystack_secret,
    )
    try:
        serve(config, on_ready=_announce)
    except ServiceStartError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
