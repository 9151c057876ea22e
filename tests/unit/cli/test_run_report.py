"""The terminal prompter, with scripted keyboard input and a recording console."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta

import pytest
from rich.console import Console

from runbook.cli.run_report import TerminalPrompter
from runbook.engine import ApprovalRequest
from runbook.engine.records import iso, now_utc
from runbook.model import ManualAction, Step


def _step() -> Step:
    return Step(id="sign_off", title="Sign off", action=ManualAction())


def _request(deadline: str | None) -> ApprovalRequest:
    return ApprovalRequest(
        title="Sign off",
        instructions="",
        approvers=("Technical lead",),
        approver_ids=("technical-lead",),
        role=None,
        min_approvals=1,
        deadline=deadline,
    )


def _typed(monkeypatch: pytest.MonkeyPatch, answers: list[str]) -> list[str]:
    """Feed ``answers`` to input(); the returned list collects the prompts shown."""
    remaining = iter(answers)
    asked: list[str] = []

    def fake_input(prompt: str = "") -> str:
        asked.append(prompt)
        return next(remaining)

    monkeypatch.setattr("builtins.input", fake_input)
    return asked


@pytest.fixture
def screen() -> Iterator[tuple[Console, io.StringIO]]:
    out = io.StringIO()
    yield Console(file=out, width=100, force_terminal=False), out


def test_an_approver_from_the_list_is_recorded_with_the_deadline_shown(
    monkeypatch: pytest.MonkeyPatch, screen: tuple[Console, io.StringIO]
) -> None:
    console, out = screen
    asked = _typed(monkeypatch, ["intruder", "technical-lead", "looks good"])
    deadline = iso(now_utc() + timedelta(minutes=30))
    given = TerminalPrompter(console).approval(_step(), _request(deadline))
    assert [(item.approver, item.note) for item in given] == [("technical-lead", "looks good")]
    assert len(asked) == 3
    text = out.getvalue()
    assert "Approvals given after" in text and "do not count" in text
    assert "intruder may not approve this step" in text


def test_no_one_is_asked_once_the_window_has_closed(
    monkeypatch: pytest.MonkeyPatch, screen: tuple[Console, io.StringIO]
) -> None:
    console, out = screen
    asked = _typed(monkeypatch, ["technical-lead", ""])
    deadline = iso(now_utc() - timedelta(seconds=1))
    assert TerminalPrompter(console).approval(_step(), _request(deadline)) == []
    assert asked == []
    assert "the approval window has closed" in out.getvalue()
