"""Driving MkDocs and mike for ``runbook build``, ``serve``, ``render`` and ``publish``.

The CLI only prints; everything here returns results or raises ``SiteError`` with a hint.
MkDocs runs in-process (its log records are handed to a callback); mike runs as a
subprocess because it builds each version with its own ``mkdocs build``.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from runbook.errors import ExitCode, GitError, RunbookError, UsageError

CONFIG_NAME = "mkdocs.yml"
DEFAULT_BRANCH = "gh-pages"
FALLBACK_IDENTITY = ("runbook publish", "runbook-publish@localhost")

LogSink = Callable[[str, str], None]  # (level name, message)


class SiteError(RunbookError):
    """The site could not be built, served or published."""

    exit_code = ExitCode.FAILURE


@dataclass(frozen=True)
class SiteProject:
    root: Path
    config_file: Path


@dataclass(frozen=True)
class BuildResult:
    site_dir: Path
    pages: int
    seconds: float


@dataclass(frozen=True)
class PublishResult:
    version: str
    aliases: tuple[str, ...]
    default: str
    branch: str
    versions: str  # ``mike list`` output


def find_project(start: Path | None = None) -> SiteProject:
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        config = folder / CONFIG_NAME
        if config.is_file():
            if not (folder / "generator" / "hooks.py").is_file():
                break
            return SiteProject(folder, config)
    raise UsageError(
        f"no {CONFIG_NAME} with a generator/ folder in {here} or above it",
        hint="run from the repository checkout: the site is built from mkdocs.yml, site/ and "
        "generator/, which are not installed with the package",
    )


@contextmanager
def site_environment(*, as_of: date | None, strict: bool) -> Iterator[dict[str, str]]:
    """Settings the hook and mkdocs.yml read from the environment, restored afterwards."""
    values = {
        "RUNBOOK_STRICT": "true" if strict else "false",
        "NO_MKDOCS_2_WARNING": "1",  # Material's end-of-life banner, printed on every build
    }
    if as_of is not None:
        values["RUNBOOK_AS_OF"] = as_of.isoformat()
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield dict(os.environ)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class _Forward(logging.Handler):
    def __init__(self, sink: LogSink, level: int) -> None:
        super().__init__(level)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink(record.levelname, record.getMessage())


@contextmanager
def mkdocs_logging(sink: LogSink, verbose: bool) -> Iterator[None]:
    logger = logging.getLogger("mkdocs")
    handler = _Forward(sink, logging.INFO if verbose else logging.WARNING)
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


def _mkdocs_failure(error: Exception) -> SiteError:
    message = str(getattr(error, "message", "") or error).strip()
    if "strict mode" in message:
        return SiteError(
            f"the site build stopped: {message}",
            hint="fix the warnings above (broken links or documents that did not load); "
            "`runbook validate` explains document problems",
        )
    return SiteError(f"the site build failed: {message}", hint="check mkdocs.yml and site/")


def build_site(
    project: SiteProject,
    *,
    site_dir: Path | None = None,
    strict: bool = True,
    as_of: date | None = None,
    sink: LogSink,
    verbose: bool = False,
) -> BuildResult:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    started = time.perf_counter()
    with site_environment(as_of=as_of, strict=strict), mkdocs_logging(sink, verbose):
        try:
            options: dict[str, Any] = {"config_file": str(project.config_file), "strict": strict}
            if site_dir is not None:
                options["site_dir"] = str(site_dir.resolve())
            config = load_config(**options)
            config.plugins.on_startup(command="build", dirty=False)
            try:
                build(config)
            finally:
                config.plugins.on_shutdown()
        except MkDocsException as error:
            raise _mkdocs_failure(error) from error
    output = Path(config.site_dir)
    pages = sum(1 for _ in output.rglob("index.html"))
    return BuildResult(output, pages, time.perf_counter() - started)


def serve_site(
    project: SiteProject, *, dev_addr: str, as_of: date | None, sink: LogSink, verbose: bool
) -> None:
    """Serve with live reload until interrupted; saving a YAML file rebuilds the site."""
    from mkdocs.commands.serve import serve
    from mkdocs.exceptions import MkDocsException

    with site_environment(as_of=as_of, strict=False), mkdocs_logging(sink, True):
        try:
            serve(config_file=str(project.config_file), dev_addr=dev_addr, livereload=True)
        except MkDocsException as error:
            raise _mkdocs_failure(error) from error
        except OSError as error:
            raise SiteError(
                f"cannot serve on {dev_addr}: {error.strerror or error}",
                hint="pick another address with --dev-addr, e.g. 127.0.0.1:8001",
            ) from error


def write_pages(pages: Mapping[str, str], out: Path, *, force: bool) -> list[Path]:
    """Write rendered pages under ``out``; refuse a non-empty folder unless ``force``."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} is not a folder", hint="pass a folder path to --out")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise UsageError(
            f"{out} is not empty", hint="pass an empty or new folder, or --force to overwrite"
        )
    written: list[Path] = []
    for relative, markdown in sorted(pages.items()):
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(markdown, encoding="utf-8")
        written.append(target)
    return written


Runner = Callable[..., "subprocess.CompletedProcess[str]"]


def _git(project: SiteProject, *args: str, run: Runner) -> subprocess.CompletedProcess[str]:
    return run(["git", *args], cwd=project.root, capture_output=True, text=True, check=False)


def publish_environment(project: SiteProject, run: Runner) -> dict[str, str]:
    """The environment mike runs in: our tools on PATH, and a git identity if none is set."""
    environment = dict(os.environ)
    tools = str(Path(sys.executable).parent)
    environment["PATH"] = tools + os.pathsep + environment.get("PATH", "")
    name = _git(project, "config", "user.name", run=run).stdout.strip()
    email = _git(project, "config", "user.email", run=run).stdout.strip()
    fallback_name, fallback_email = FALLBACK_IDENTITY
    for role in ("COMMITTER", "AUTHOR"):
        environment.setdefault(f"GIT_{role}_NAME", name or fallback_name)
        environment.setdefault(f"GIT_{role}_EMAIL", email or fallback_email)
    return environment


def publish_version(
    project: SiteProject,
    version: str,
    aliases: Sequence[str],
    *,
    title: str | None = None,
    branch: str = DEFAULT_BRANCH,
    as_of: date | None = None,
    run: Runner = subprocess.run,
) -> PublishResult:
    """Deploy ``version`` with mike to a local branch (never pushed) and make it the default."""
    if shutil.which("git") is None:
        raise GitError("git is not installed", hint="mike publishes versions to a git branch")
    inside = _git(project, "rev-parse", "--is-inside-work-tree", run=run)
    if inside.returncode != 0 or inside.stdout.strip() != "true":
        raise GitError(
            f"{project.root} is not a git repository",
            hint="publish from a clone: mike commits each version to a branch",
        )
    with site_environment(as_of=as_of, strict=True):
        environment = publish_environment(project, run)
    mike = [sys.executable, "-c", "import sys; from mike.driver import main; sys.exit(main())"]
    deploy = [*mike, "deploy", "--branch", branch, "--update-aliases", version, *aliases]
    if title:
        deploy += ["--title", title]
    default = aliases[0] if aliases else version
    for command in (deploy, [*mike, "set-default", "--branch", branch, default]):
        result = run(
            command, cwd=project.root, env=environment, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            detail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-15:])
            raise SiteError(
                f"mike {command[3]} failed:\n{detail or 'no output'}",
                hint="`runbook build` shows the build's warnings on their own",
            )
    listing = run(
        [*mike, "list", "--branch", branch],
        cwd=project.root,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    return PublishResult(version, tuple(aliases), default, branch, listing.stdout.strip())
