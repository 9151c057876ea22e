"""The documentation site end to end: ``runbook build`` / ``render`` / ``publish`` in a subprocess.

The real site is built once per module; every internal link and anchor in its HTML is then
checked against the files and ids actually written, and every script, stylesheet and image
must come from the site itself.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from tests.conftest import REPO, copy_site_project

AS_OF = "2026-11-25"
SITE_ROOT = "http://site.invalid/"
EXTERNAL_OK = ("mailto:", "tel:", "javascript:", "data:")


def runbook(*args: str, cwd: Path = REPO, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "runbook", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("site") / "out"
    result = runbook("build", "--site-dir", str(site), "--as-of", AS_OF)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("built ")
    return site


@dataclass
class Parsed:
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (tag, attribute, url)
    ids: set[str] = field(default_factory=set)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parsed = Parsed()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value for name, value in attrs if value is not None}
        for name in ("id", "name") if tag == "a" else ("id",):
            if name in values:
                self.parsed.ids.add(values[name])
        if tag == "link" and values.get("rel") == "canonical":
            tag = "a"  # names the page's public address; the browser never fetches it
        for name in ("href", "src"):
            if name in values:
                self.parsed.links.append((tag, name, values[name]))


def parse(page: Path) -> Parsed:
    collector = _Collector()
    collector.feed(page.read_text(encoding="utf-8"))
    return collector.parsed


def html_pages(site: Path) -> Iterator[Path]:
    yield from sorted(site.rglob("*.html"))


def target_file(site: Path, url: str) -> Path:
    path = unquote(urlsplit(url).path)[len(urlsplit(SITE_ROOT).path) :]
    target = site / path
    if path.endswith("/") or path == "" or target.is_dir():
        target = target / "index.html"
    return target


def test_every_internal_link_and_anchor_resolves(built: Path) -> None:
    parsed = {page: parse(page) for page in html_pages(built)}
    broken: list[str] = []
    for page, found in parsed.items():
        here = SITE_ROOT + page.relative_to(built).as_posix()
        for tag, attribute, url in found.links:
            if url.startswith(EXTERNAL_OK) or url == "#":
                continue
            absolute = urljoin(here, url)
            if not absolute.startswith(SITE_ROOT):
                if tag != "a":  # a link may leave the site; a resource may not
                    broken.append(f"{page.relative_to(built)}: external {tag} {attribute}={url}")
                continue
            target = target_file(built, absolute)
            if not target.is_file():
                broken.append(f"{page.relative_to(built)}: {url} -> missing {target}")
                continue
            fragment = unquote(urlsplit(absolute).fragment)
            if fragment and target.suffix == ".html":
                ids = parsed[target].ids if target in parsed else parse(target).ids
                if fragment not in ids:
                    broken.append(f"{page.relative_to(built)}: {url} -> no #{fragment}")
    assert not broken, "\n".join(broken[:40])


def test_a_page_for_every_document_and_index(built: Path) -> None:
    documents = [
        path.stem for path in (REPO / "runbooks").rglob("*.yaml") if not path.name.startswith(".")
    ]
    pages = {path.parent.name for path in built.glob("*/*/index.html")}
    missing = sorted(set(documents) - pages)
    assert not missing, missing
    for index in ("playbooks", "runbooks", "troubleshooting", "severity", "owners", "tags"):
        assert (built / index / "index.html").is_file()
    for index in ("calendar", "schema", "changelog", "reviews", "authoring", "publishing"):
        assert (built / index / "index.html").is_file()
    assert (built / "search" / "search_index.json").is_file()


def test_the_site_is_self_contained(built: Path) -> None:
    mermaid = built / "assets" / "javascripts" / "mermaid.min.js"
    assert mermaid.stat().st_size > 1_000_000
    home = (built / "index.html").read_text(encoding="utf-8")
    assert "fonts.googleapis.com" not in home and "fonts.gstatic.com" not in home
    assert 'src="assets/javascripts/mermaid.min.js"' in home
    playbook = (built / "playbooks" / "payment-system-failure" / "index.html").read_text(
        encoding="utf-8"
    )
    assert '<pre class="mermaid"><code>flowchart TB' in playbook
    # Outside a mike deploy there is no versions.json, so no version selector asks for it.
    assert '"version": {"provider": "mike"' not in playbook


def test_render_writes_the_same_pages_as_plain_markdown(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "markdown"
    result = runbook("render", "--out", str(out), "--as-of", AS_OF)
    assert result.returncode == 0, result.stderr
    written = sorted(path.relative_to(out).as_posix() for path in out.rglob("*.md"))
    assert "index.md" in written and "playbooks/payment-system-failure.md" in written
    for relative in written:
        page = relative.removesuffix(".md").removesuffix("index")
        assert (built / page / "index.html").is_file() or (built / "index.html").is_file()
    again = runbook("render", "--out", str(out))
    assert again.returncode == 2
    assert "--force" in again.stderr


def small_project(tmp_path: Path) -> Path:
    """The site project with only the reference documents: quick to build."""
    return copy_site_project(tmp_path / "project", runbooks="runbooks/reference")


@pytest.mark.slow
def test_a_broken_document_fails_the_strict_build_with_a_hint(tmp_path: Path) -> None:
    project = small_project(tmp_path)
    (project / "runbooks" / "broken.yaml").write_text("id: broken\ntitle: [unclosed\n")
    result = runbook("build", cwd=project)
    assert result.returncode == 1
    assert "runbooks/broken.yaml" in result.stderr
    assert "left off the site" in result.stderr
    assert "hint:" in result.stderr and "Traceback" not in result.stderr
    lenient = runbook("build", "--no-strict", cwd=project)
    assert lenient.returncode == 0, lenient.stderr


@pytest.mark.slow
def test_a_broken_link_in_a_hand_written_page_fails_the_build(tmp_path: Path) -> None:
    project = small_project(tmp_path)
    guide = project / "site" / "authoring.md"
    guide.write_text(guide.read_text() + "\n[gone](no-such-page.md)\n")
    result = runbook("build", cwd=project)
    assert result.returncode == 1
    assert "no-such-page.md" in result.stderr
    assert "Traceback" not in result.stderr


def test_outside_the_repository_the_site_commands_explain(tmp_path: Path) -> None:
    for args in (("build",), ("publish", "1.0"), ("render", "--out", "x")):
        result = runbook(*args, cwd=tmp_path)
        assert result.returncode == 2, args
        assert "hint:" in result.stderr
        assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_publish_needs_a_git_repository(tmp_path: Path) -> None:
    project = small_project(tmp_path)
    result = runbook("publish", "1.0", cwd=project)
    assert result.returncode == 2
    assert "not a git repository" in result.stderr
