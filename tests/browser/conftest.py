"""Headless Chromium against the built site, served by a real http.server on loopback.

The site is built once per session, and published twice with mike into a throwaway git
repository for the version selector. Every visit records each request and each console
error, so a test can assert that nothing left 127.0.0.1 and nothing went wrong.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import tarfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, copy_site_project

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-gpu",
    "--disable-quic",
]
AS_OF = "2026-11-25"

# Material draws each diagram into a closed shadow root; open it so tests can see the SVG.
OPEN_SHADOW_ROOTS = """
const attach = Element.prototype.attachShadow;
Element.prototype.attachShadow = function (init) {
  return attach.call(this, Object.assign({}, init, {mode: "open"}));
};
"""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed (Debian package chromium)")
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


def runbook(*args: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "runbook", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    return result.stdout


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Server:
    root: Path
    url: str


@pytest.fixture(scope="session")
def serve() -> Iterator[Any]:
    """Start a static server for a folder on 127.0.0.1 with a free port."""
    servers: list[ThreadingHTTPServer] = []

    def start(root: Path) -> Server:
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=root))
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append(httpd)
        return Server(root, f"http://127.0.0.1:{httpd.server_address[1]}/")

    yield start
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory, serve: Any) -> Server:
    out = tmp_path_factory.mktemp("site") / "site"
    runbook("build", "--site-dir", str(out), "--as-of", AS_OF, cwd=REPO)
    served: Server = serve(out)
    return served


def _no_git_identity(home: Path) -> dict[str, str]:
    """An environment where git knows no user, as on a fresh CI runner."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GIT_AUTHOR", "GIT_COMMITTER"))
    }
    environment.update(HOME=str(home), GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    return environment


@pytest.fixture(scope="session")
def versions(tmp_path_factory: pytest.TempPathFactory, serve: Any) -> Server:
    """Versions 1.0 and 2.0 (alias latest) published with mike; the branch's files served."""
    base = tmp_path_factory.mktemp("published")
    repo = copy_site_project(base / "repo")
    environment = _no_git_identity(base)

    def git(*args: str) -> bytes:
        return subprocess.run(
            ["git", *args], cwd=repo, env=environment, check=True, capture_output=True
        ).stdout

    git("init", "--quiet", "--initial-branch=main")
    git("add", "--all")
    git("-c", "user.name=Test", "-c", "user.email=test@example.com", "commit", "-qm", "site")
    runbook("publish", "1.0", "--as-of", AS_OF, cwd=repo, env=environment)
    runbook("publish", "2.0", "--alias", "latest", "--as-of", AS_OF, cwd=repo, env=environment)
    assert b"runbook publish" in git("log", "-1", "--format=%cn", "gh-pages")
    out = base / "branch"
    out.mkdir()
    with tarfile.open(fileobj=BytesIO(git("archive", "gh-pages"))) as archive:
        archive.extractall(out, filter="data")
    served: Server = serve(out)
    return served


# Module scope: Playwright's sync API keeps an asyncio loop running while it is open, and
# other tests in the same worker (runbook exec) must not find one.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Visit:
    """One browser tab that remembers every request and every error it saw."""

    page: Any
    server: Server
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def open(self, path: str = "") -> Any:
        self.page.goto(self.server.url + path)
        self.page.wait_for_load_state("networkidle")
        return self.page

    def assert_clean(self) -> None:
        foreign = [url for url in self.requests if not url.startswith(self.server.url)]
        assert not foreign, f"requests left the local server: {foreign}"
        assert not self.errors, f"console errors: {self.errors}"


@pytest.fixture
def visit(browser: Any) -> Iterator[Any]:
    contexts: list[Any] = []

    def start(server: Server) -> Visit:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_init_script(OPEN_SHADOW_ROOTS)
        contexts.append(context)
        page = context.new_page()
        tab = Visit(page, server)
        page.on("request", lambda request: tab.requests.append(request.url))
        page.on(
            "console",
            lambda message: tab.errors.append(message.text) if message.type == "error" else None,
        )
        page.on("pageerror", lambda error: tab.errors.append(str(error)))
        return tab

    yield start
    for context in contexts:
        context.close()
