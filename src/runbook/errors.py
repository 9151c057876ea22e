"""The one root error type, and the exit codes every command shares.

Core code raises these; only ``runbook.cli`` turns them into a message and an exit code,
in one place (``runbook.cli.main``). Results that are not errors (an invalid document, a
failed check) are returned as data, never raised.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Documented in README.md; keep the two in step."""

    OK = 0
    FAILURE = 1  # invalid documents, a critical check, an overdue review, a governance rule broken
    USAGE = 2  # bad arguments, unknown ids or revisions, unreadable files
    WARNINGS = 3  # a run finished with warnings only
    INTERRUPTED = 130  # Ctrl-C or SIGTERM


class RunbookError(Exception):
    """Root of every error the CLI reports. ``hint`` says what to do about it."""

    exit_code: ExitCode = ExitCode.USAGE

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(RunbookError):
    """The command was asked for something it cannot do (unknown id, bad option value)."""


class NotFoundError(UsageError):
    """A document, run, step or revision that was named does not exist."""


class DocumentError(RunbookError):
    """Documents failed to load; carries the problems found so they can all be reported."""

    exit_code = ExitCode.FAILURE

    def __init__(self, message: str, problems: tuple[object, ...] = (), *, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.problems = problems


class ServiceError(RunbookError):
    """The reference service could not be started or reached for an admin call."""

    exit_code = ExitCode.FAILURE


class GitError(UsageError):
    """A git revision or repository problem (unknown revision, shallow clone, outside the repo)."""


class Interrupted(RunbookError):
    """The user pressed Ctrl-C or the process got SIGTERM."""

    exit_code = ExitCode.INTERRUPTED
