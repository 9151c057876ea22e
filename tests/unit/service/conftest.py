"""Shared fixtures: a real service on loopback (uvicorn on a thread), clients and free slots."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import httpx
import pytest

from runbook.service import RunningService, ServiceConfig, start_service
from runbook.service.domain import SAST
from tests.unit.service.service_helpers import (
    ADMIN_TOKEN,
    PAYSTACK_SECRET,
    SlotAllocator,
    admin_headers,
)


def _config() -> ServiceConfig:
    return ServiceConfig(admin_token=ADMIN_TOKEN, paystack_secret=PAYSTACK_SECRET)


@pytest.fixture(scope="session")
def shared_service() -> Iterator[RunningService]:
    with start_service(_config()) as service:
        yield service


@pytest.fixture
def running_service(shared_service: RunningService) -> Iterator[RunningService]:
    """The session's service; every fault a test set is cleared afterwards."""
    yield shared_service
    with httpx.Client(base_url=shared_service.base_url) as client:
        client.delete("/api/admin/faults", headers=admin_headers()).raise_for_status()


@pytest.fixture
def fresh_service() -> Iterator[RunningService]:
    """A service of its own, for tests that count requests or errors exactly."""
    with start_service(_config()) as service:
        yield service


@pytest.fixture
def client(running_service: RunningService) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=running_service.base_url, timeout=30) as http:
        yield http


@pytest.fixture
def fresh_client(fresh_service: RunningService) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=fresh_service.base_url, timeout=30) as http:
        yield http


@pytest.fixture(scope="session")
def slots() -> SlotAllocator:
    return SlotAllocator(datetime.now(SAST).date() + timedelta(days=30))
