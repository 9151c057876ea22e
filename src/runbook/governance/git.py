"""Running git as argv lists, and turning its failures into one-line errors with a hint.

Only reads: ``rev-parse``, ``ls-tree``, ``cat-file`` and ``merge-base``. The governance
commands never change a repository.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from runbook.errors import GitError

UNSHALLOW_HINT = (
    "fetch the full history: git fetch --unshallow "
    "(in GitHub Actions: actions/checkout with fetch-depth: 0)"
)


@dataclass(frozen=True)
class Blob:
    path: PurePosixPath  # relative to the repository root
    data: bytes


def _environment() -> dict[str, str]:
    # A fixed locale keeps git's messages parseable; no prompt can hang a CI job.
    return {**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"}


def _run(args: Sequence[str], cwd: Path, stdin: bytes | None = None) -> bytes:
    try:
        completed = subprocess.run(
            ["git", *args],
            cwd=cwd,
            input=stdin,
            capture_output=True,
            env=_environment(),
            check=False,
        )
    except FileNotFoundError:
        raise GitError(
            "git is not installed or not on PATH", hint="install git, then run the command again"
        ) from None
    if completed.returncode != 0:
        message = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        raise _GitFailed(message[-1] if message else f"git {args[0]} failed")
    return completed.stdout


class _GitFailed(Exception):
    """A git command failed; callers translate it into a GitError that says what to do."""


class Repository:
    """A git work tree, found from a folder inside it."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def discover(cls, start: Path | None = None) -> Repository:
        here = (start or Path.cwd()).resolve()
        if not here.is_dir():
            raise GitError(f"not a folder: {here}")
        try:
            top = _run(["rev-parse", "--show-toplevel"], here).decode().strip()
        except _GitFailed:
            raise GitError(
                f"not a git repository: {here}",
                hint="run inside a clone of the repository (or git init one)",
            ) from None
        if not top:
            # Inside the .git folder itself, or a bare repository: there is no work tree.
            raise GitError(
                f"no work tree at {here}", hint="run from the checked-out files, not from .git"
            )
        return cls(Path(top).resolve())

    def git(self, *args: str, stdin: bytes | None = None) -> bytes:
        return _run(args, self.root, stdin)

    def relative(self, path: Path) -> PurePosixPath:
        """``path`` relative to the root; a GitError when it lies outside the repository."""
        absolute = path.resolve()
        try:
            return PurePosixPath(absolute.relative_to(self.root).as_posix())
        except ValueError:
            raise GitError(
                f"path outside the repository: {path}",
                hint=f"pass a path inside {self.root}",
            ) from None

    def is_shallow(self) -> bool:
        try:
            return self.git("rev-parse", "--is-shallow-repository").decode().strip() == "true"
        except _GitFailed:
            return False

    def resolve(self, revision: str) -> str:
        """The commit a revision names, or a GitError saying why there is none."""
        if not revision or revision.startswith("-"):
            raise GitError(f"not a revision: {revision!r}", hint="name a branch, tag or commit")
        try:
            return (
                self.git("rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
                .decode()
                .strip()
            )
        except _GitFailed:
            pass
        if self.is_shallow():
            raise GitError(
                f"revision '{revision}' is not in this shallow clone", hint=UNSHALLOW_HINT
            )
        raise GitError(
            f"unknown revision '{revision}'",
            hint=f"check the name, or fetch it first: git fetch origin {revision}",
        )

    def merge_base(self, base: str, head: str) -> str:
        try:
            return self.git("merge-base", base, head).decode().strip()
        except _GitFailed:
            if self.is_shallow():
                raise GitError(
                    f"no common ancestor of '{base}' and '{head}' in this shallow clone",
                    hint=UNSHALLOW_HINT,
                ) from None
            raise GitError(
                f"'{base}' and '{head}' have no common ancestor",
                hint="compare against a revision on the same history, without --merge-base",
            ) from None

    def blobs(self, commit: str, folder: PurePosixPath, suffixes: Sequence[str]) -> list[Blob]:
        """Every file under ``folder`` at ``commit`` whose name ends in one of ``suffixes``."""
        try:
            listing = self.git("ls-tree", "-r", "-z", "--full-tree", commit, "--", str(folder))
        except _GitFailed as error:
            raise GitError(f"cannot list {folder} at {commit[:12]}: {error}") from None
        wanted: list[tuple[str, PurePosixPath]] = []
        for record in listing.split(b"\0"):
            if not record:
                continue
            meta, _, name = record.partition(b"\t")
            mode, kind, sha = meta.decode().split()
            path = PurePosixPath(name.decode("utf-8", "surrogateescape"))
            # Submodules (commit) and symlinks (120000) are not documents.
            if kind == "blob" and mode != "120000" and path.suffix in suffixes:
                wanted.append((sha, path))
        return self._read_blobs(wanted)

    def _read_blobs(self, wanted: list[tuple[str, PurePosixPath]]) -> list[Blob]:
        if not wanted:
            return []
        # One cat-file process for the whole corpus instead of a git show per file.
        output = self.git(
            "cat-file", "--batch", stdin="".join(f"{sha}\n" for sha, _ in wanted).encode()
        )
        blobs: list[Blob] = []
        offset = 0
        for _, path in wanted:
            header_end = output.index(b"\n", offset)
            size = int(output[offset:header_end].split()[2])
            start = header_end + 1
            blobs.append(Blob(path, output[start : start + size]))
            offset = start + size + 1  # cat-file ends each object with a newline
        return blobs
