"""runbook: operational procedures as validated, executable YAML."""

from __future__ import annotations

__version__ = "0.1.0"
