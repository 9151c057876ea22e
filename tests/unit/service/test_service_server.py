"""Programmatic start/stop: ports, databases, secrets from the environment."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from runbook.service import RunningService, ServiceConfig, ServiceStartError, start_service
from runbook.service.app import create_app


def test_port_zero_picks_a_free_port_and_stop_removes_the_temp_db() -> None:
    service = start_service(ServiceConfig(seed_demo_data=False))
    try:
        assert service.base_url.startswith("http://127.0.0.1:")
        assert not service.base_url.endswith(":0")
        assert service.db_path.exists()
        with httpx.Client(base_url=service.base_url) as client:
            metrics = client.get("/api/metrics").json()
        assert metrics["bookings_today"] == 0
        assert metrics["booking_conversion_percent"] == 0.0
    finally:
        service.stop()
    assert not service.db_path.exists()
    service.stop()  # idempotent
    with pytest.raises(httpx.ConnectError), httpx.Client(base_url=service.base_url) as client:
        client.get("/api/health")


def test_given_db_path_is_kept(tmp_path: Path) -> None:
    db = tmp_path / "nested" / "service.sqlite3"
    with start_service(ServiceConfig(db_path=db)) as service:
        assert service.db_path == db
    assert db.exists()
    # Restarting on the same file on the same day does not seed the demo day twice.
    with start_service(ServiceConfig(db_path=db)) as service:
        with httpx.Client(base_url=service.base_url) as client:
            assert client.get("/api/metrics").json()["booking_conversion_percent"] == 20.0


def test_secrets_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNBOOK_ADMIN_TOKEN", "from-env-token")
    monkeypatch.setenv("PAYSTACK_SECRET_KEY", "sk_test_from_env")
    with start_service() as service:
        assert service.admin_token == "from-env-token"
        assert service.paystack_secret == "sk_test_from_env"
        assert "from-env-token" not in repr(service)
        with httpx.Client(base_url=service.base_url) as client:
            headers = {"Authorization": "Bearer from-env-token"}
            assert client.get("/api/admin/faults", headers=headers).status_code == 200


def test_admin_token_is_generated_when_absent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RUNBOOK_ADMIN_TOKEN", raising=False)
    monkeypatch.delenv("PAYSTACK_SECRET_KEY", raising=False)
    with start_service() as first, start_service() as second:
        assert len(first.admin_token) >= 24
        assert first.admin_token != second.admin_token
        assert first.paystack_secret == "sk_test_reference"


def test_a_taken_port_is_reported(running_service: RunningService) -> None:
    port = int(running_service.base_url.rsplit(":", 1)[1])
    with pytest.raises(ServiceStartError, match=str(port)):
        start_service(ServiceConfig(port=port))


def test_create_app_is_a_starlette_app(tmp_path: Path) -> None:
    from starlette.applications import Starlette

    app = create_app(tmp_path / "x.sqlite3", seed_demo_data=False, admin_token="t")
    assert isinstance(app, Starlette)
    assert not (tmp_path / "x.sqlite3").exists()  # opened on startup, not on construction
