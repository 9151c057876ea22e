"""Login sessions, the admin token, and secrets never leaking into responses."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

from runbook.service import sessions
from runbook.service.seed import DEMO_OWNER_EMAIL, DEMO_OWNER_PASSWORD
from runbook.service.store import Store
from tests.unit.service.service_helpers import ADMIN_TOKEN, PAYSTACK_SECRET, admin_headers

LOGIN = {"email": DEMO_OWNER_EMAIL, "password": DEMO_OWNER_PASSWORD}


def _login(client: httpx.Client) -> str:
    response = client.post("/api/auth/login", json=LOGIN)
    assert response.status_code == 200, response.text
    return str(response.json()["token"])


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_login_session_logout(client: httpx.Client) -> None:
    response = client.post("/api/auth/login", json=LOGIN)
    body = response.json()
    expires = datetime.fromisoformat(body["expires_at"])
    assert timedelta(minutes=29) < expires - datetime.now(expires.tzinfo) <= timedelta(minutes=30)
    token = body["token"]
    session = client.get("/api/auth/session", headers=_bearer(token))
    assert session.status_code == 200
    assert session.json()["user"]["email"] == DEMO_OWNER_EMAIL
    assert client.post("/api/auth/logout", headers=_bearer(token)).json() == {
        "status": "logged_out"
    }
    assert client.get("/api/auth/session", headers=_bearer(token)).status_code == 401
    assert client.post("/api/auth/logout", headers=_bearer(token)).status_code == 401
    assert client.get("/api/auth/session").status_code == 401


def test_at_most_three_sessions_the_oldest_is_evicted(client: httpx.Client) -> None:
    tokens = [_login(client) for _ in range(4)]
    statuses = [client.get("/api/auth/session", headers=_bearer(t)).status_code for t in tokens]
    assert statuses == [401, 200, 200, 200]


def test_idle_timeout_and_sliding_expiry(tmp_path: Path) -> None:
    store = Store(tmp_path / "auth.sqlite3")
    store.open()
    try:
        store.write(lambda c: sessions.add_user(c, "u1", "a@example.co.za", "A", "pw"))
        assert store.read(lambda c: sessions.check_password(c, "A@example.co.za", "pw")) == "u1"
        assert store.read(lambda c: sessions.check_password(c, "a@example.co.za", "no")) is None
        token, expires = store.write(lambda c: sessions.open_session(c, "u1", 1000.0))
        assert expires == 1000.0 + 30 * 60
        # Used after 29 minutes: still valid, and the 30 minutes start again.
        assert store.write(lambda c: sessions.touch_session(c, token, 1000.0 + 29 * 60))
        assert store.write(lambda c: sessions.touch_session(c, token, 1000.0 + 58 * 60))
        # Idle for 30 minutes: gone.
        assert store.write(lambda c: sessions.touch_session(c, token, 1000.0 + 88 * 60)) is None
        assert store.read(lambda c: sessions.count_sessions(c, "u1")) == 0
    finally:
        store.close()


def test_auth_down_fault(client: httpx.Client) -> None:
    client.post("/api/admin/faults", json={"fault": "auth_down"}, headers=admin_headers())
    response = client.post("/api/auth/login", json=LOGIN)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "auth_unavailable"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/admin/faults"),
        ("POST", "/api/admin/faults"),
        ("DELETE", "/api/admin/faults"),
        ("DELETE", "/api/admin/faults/latency"),
    ],
)
def test_admin_needs_the_token(client: httpx.Client, method: str, path: str) -> None:
    kwargs = {"json": {"fault": "database_down"}} if method == "POST" else {}
    missing = client.request(method, path, **kwargs)
    assert missing.status_code == 401
    assert missing.json()["error"]["code"] == "unauthorized"
    assert missing.headers["www-authenticate"] == "Bearer"
    basic = client.request(method, path, headers={"Authorization": "Basic YTpi"}, **kwargs)
    assert basic.status_code == 401
    wrong = client.request(method, path, headers=admin_headers("not-the-token"), **kwargs)
    assert wrong.status_code == 403
    assert wrong.json()["error"]["code"] == "forbidden"
    assert client.get("/api/health").json()["faults"] == []  # nothing was set


def test_admin_fault_lifecycle(client: httpx.Client) -> None:
    headers = admin_headers()
    set_latency = client.post(
        "/api/admin/faults", json={"fault": "latency", "ms": 5}, headers=headers
    )
    assert set_latency.status_code == 200
    assert set_latency.json()["active"]["ms"] == 5
    client.post("/api/admin/faults", json={"fault": "calendar_down"}, headers=headers)
    listed = client.get("/api/admin/faults", headers=headers).json()["faults"]
    assert set(listed) == {"latency", "calendar_down"}
    assert listed["latency"]["ms"] == 5
    assert datetime.fromisoformat(listed["latency"]["since"]).tzinfo is not None
    # Setting again replaces the parameters.
    client.post("/api/admin/faults", json={"fault": "latency", "ms": 7}, headers=headers)
    assert client.get("/api/admin/faults", headers=headers).json()["faults"]["latency"]["ms"] == 7
    cleared = client.delete("/api/admin/faults/latency", headers=headers).json()
    assert cleared["cleared"] == ["latency"] and set(cleared["faults"]) == {"calendar_down"}
    assert client.delete("/api/admin/faults/latency", headers=headers).json()["cleared"] == []
    assert client.delete("/api/admin/faults", headers=headers).json()["cleared"] == [
        "calendar_down"
    ]
    assert client.get("/api/admin/faults", headers=headers).json()["faults"] == {}


def test_secrets_never_appear_in_responses(client: httpx.Client) -> None:
    headers = admin_headers()
    client.post("/api/admin/faults", json={"fault": "database_down"}, headers=headers)
    bodies = [
        client.get(path).text
        for path in ("/", "/api/health", "/api/metrics", "/api/errors", "/api/openapi.json")
    ]
    bodies.append(client.get("/api/metrics", params={"format": "prometheus"}).text)
    bodies.append(client.get("/api/admin/faults", headers=headers).text)
    bodies.append(client.get("/api/admin/faults", headers=admin_headers("x" + ADMIN_TOKEN)).text)
    bodies.append(client.post("/api/payments/webhook", content=b"{}").text)
    for body in bodies:
        assert ADMIN_TOKEN not in body
        assert PAYSTACK_SECRET not in body


def test_secrets_never_appear_in_logs(
    client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("DEBUG"):
        client.post(
            "/api/admin/faults", json={"fault": "error_rate", "rate": 1}, headers=admin_headers()
        )
        client.get("/api/services")
        client.delete("/api/admin/faults", headers=admin_headers())
    assert "fault set: error_rate" in caplog.text
    assert ADMIN_TOKEN not in caplog.text and PAYSTACK_SECRET not in caplog.text
