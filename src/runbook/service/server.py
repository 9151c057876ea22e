"""Start and stop the service: in a background thread for the engine, or blocking for the CLI."""

from __future__ import annotations

import logging
import shutil
import socket
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import uvicorn
from starlette.applications import Starlette

from runbook.service.app import create_app
from runbook.service.config import resolve_admin_token, resolve_paystack_secret

__all__ = [
    "RunningService",
    "ServiceConfig",
    "ServiceStartError",
    "create_app",
    "serve",
    "start_service",
]

_START_TIMEOUT_SECONDS = 30.0
_STOP_TIMEOUT_SECONDS = 30.0


class ServiceStartError(RuntimeError):
    """The server did not come up (port taken, database unusable, ...)."""


@dataclass(frozen=True)
class ServiceConfig:
    host: str = "127.0.0.1"
    port: int = 0  # 0 picks a free port
    db_path: Path | None = None  # None: a throwaway temporary database removed on stop
    seed_demo_data: bool = True
    admin_token: str | None = field(default=None, repr=False)
    paystack_secret: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class _Prepared:
    app: Starlette
    db_path: Path
    temp_dir: Path | None
    admin_token: str
    admin_token_generated: bool
    paystack_secret: str


def _prepare(config: ServiceConfig) -> _Prepared:
    temp_dir: Path | None = None
    db_path = config.db_path
    if db_path is None:
        temp_dir = Path(tempfile.mkdtemp(prefix="runbook-service-"))
        db_path = temp_dir / "service.sqlite3"
    admin_token, generated = resolve_admin_token(config.admin_token)
    paystack_secret = resolve_paystack_secret(config.paystack_secret)
    app = create_app(
        db_path,
        seed_demo_data=config.seed_demo_data,
        admin_token=admin_token,
        paystack_secret=paystack_secret,
    )
    return _Prepared(app, db_path, temp_dir, admin_token, generated, paystack_secret)


def _uvicorn_config(app: Starlette, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        lifespan="on",
        # Per-request access logging costs more than the handlers themselves under load.
        access_log=False,
        log_level="warning",
        server_header=False,
        timeout_graceful_shutdown=5,
    )


class _NotifyingServer(uvicorn.Server):
    """uvicorn.Server that signals once it is accepting connections (or has given up)."""

    def __init__(self, config: uvicorn.Config, temp_dir: Path | None = None) -> None:
        super().__init__(config)
        self.ready = threading.Event()
        self.temp_dir = temp_dir

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await super().startup(sockets=sockets)
        finally:
            self.ready.set()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await super().shutdown(sockets=sockets)
        finally:
            # Here rather than after run(): on SIGTERM uvicorn re-raises the signal once
            # serving ends, and the process dies before code after run() would execute.
            if self.temp_dir is not None:
                shutil.rmtree(self.temp_dir, ignore_errors=True)

    def bound_port(self) -> int:
        for server in self.servers:
            for sock in server.sockets:
                return int(sock.getsockname()[1])
        raise ServiceStartError("the server has no listening socket")


class RunningService:
    """A service running on a background thread; also a context manager that stops it."""

    def __init__(
        self,
        *,
        base_url: str,
        admin_token: str,
        paystack_secret: str,
        db_path: Path,
        server: _NotifyingServer,
        thread: threading.Thread,
        temp_dir: Path | None,
    ) -> None:
        self.base_url = base_url
        self.admin_token = admin_token
        self.paystack_secret = paystack_secret
        self.db_path = db_path
        self._server = server
        self._thread = thread
        self._temp_dir = temp_dir
        self._stopped = False

    def __repr__(self) -> str:
        return f"RunningService(base_url={self.base_url!r}, db_path={str(self.db_path)!r})"

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._server.should_exit = True
        self._thread.join(_STOP_TIMEOUT_SECONDS)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(_STOP_TIMEOUT_SECONDS)
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)

    def __enter__(self) -> RunningService:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def start_service(config: ServiceConfig = ServiceConfig()) -> RunningService:
    """Run the service on a background thread; returns once it accepts connections."""
    prepared = _prepare(config)
    server = _NotifyingServer(
        _uvicorn_config(prepared.app, config.host, config.port), prepared.temp_dir
    )
    failure: list[BaseException] = []

    def run() -> None:
        try:
            server.run()
        except BaseException as error:  # uvicorn exits via SystemExit when it cannot bind
            failure.append(error)
        finally:
            server.ready.set()

    thread = threading.Thread(target=run, name="runbook-service", daemon=True)
    thread.start()
    server.ready.wait(_START_TIMEOUT_SECONDS)
    if not server.started:
        server.should_exit = True
        thread.join(_STOP_TIMEOUT_SECONDS)
        if prepared.temp_dir is not None:
            shutil.rmtree(prepared.temp_dir, ignore_errors=True)
        detail = f": {failure[0]!r}" if failure else ""
        raise ServiceStartError(f"the service did not start on {config.host}:{config.port}{detail}")
    port = server.bound_port()
    host = f"[{config.host}]" if ":" in config.host else config.host
    return RunningService(
        base_url=f"http://{host}:{port}",
        admin_token=prepared.admin_token,
        paystack_secret=prepared.paystack_secret,
        db_path=prepared.db_path,
        server=server,
        thread=thread,
        temp_dir=prepared.temp_dir,
    )


def _log_to_stderr() -> None:
    # Embedded, the host application owns logging; in the foreground, fault changes and
    # errors should reach the operator's terminal like uvicorn's own messages.
    logger = logging.getLogger("runbook.service")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s:     %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


@dataclass(frozen=True)
class ServeInfo:
    """What the operator needs once the server is up; the token only when it was generated."""

    base_url: str
    db_path: Path
    generated_admin_token: str | None = field(repr=False)


def serve(config: ServiceConfig, on_ready: Callable[[ServeInfo], None] | None = None) -> None:
    """Run in the foreground until SIGINT/SIGTERM; ``on_ready`` is told the bound address."""
    _log_to_stderr()
    prepared = _prepare(config)
    server = _NotifyingServer(
        _uvicorn_config(prepared.app, config.host, config.port), prepared.temp_dir
    )

    def announce() -> None:
        server.ready.wait()
        if server.started and on_ready is not None:
            host = f"[{config.host}]" if ":" in config.host else config.host
            on_ready(
                ServeInfo(
                    base_url=f"http://{host}:{server.bound_port()}",
                    db_path=prepared.db_path,
                    generated_admin_token=(
                        prepared.admin_token if prepared.admin_token_generated else None
                    ),
                )
            )

    watcher = threading.Thread(target=announce, name="runbook-service-ready", daemon=True)
    watcher.start()
    try:
        server.run()
    finally:
        server.ready.set()
        watcher.join(5)
        if prepared.temp_dir is not None:
            shutil.rmtree(prepared.temp_dir, ignore_errors=True)
    if not server.started:
        raise ServiceStartError(f"the service did not start on {config.host}:{config.port}")
