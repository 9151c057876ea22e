from __future__ import annotations

from runbook.cli.main import main

main()
