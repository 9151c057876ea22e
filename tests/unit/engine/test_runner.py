"""Order, parallel groups, on_failure, rollback, retry, outputs, include, people, commands."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import pytest

from runbook.engine import Approval, ApprovalRequest, ManualAnswer
from runbook.engine.records import iso
from runbook.errors import UsageError
from runbook.model import Step
from tests.unit.engine.conftest import Runner, by_key
from tests.unit.engine.support import Misbehaving, document


def http(step_id: str, url: str, **extra: Any) -> dict[str, Any]:
    return {"id": step_id, "title": step_id.replace("_", " "), "http": {"url": url}, **extra}


def statuses(record: Any) -> dict[str, str]:
    return {step.key: step.status for step in record.steps}


def test_steps_run_in_order_and_outputs_reach_later_templates(
    run: Runner, misbehaving: Misbehaving
) -> None:
    steps = [
        http("first", "/json?token=abc123", outputs={"token": {"json": "$.query.token"}}),
        http(
            "second",
            "/echo?got={{ steps.first.token }}",
            expect={"body_contains": "GET /echo?got=abc123"},
        ),
    ]
    record = run(document("order", steps))
    assert statuses(record) == {"first": "ok", "second": "ok"}
    assert by_key(record)["first"].outputs == {"token": "abc123"}


def test_parallel_group_runs_its_members_concurrently(run: Runner) -> None:
    key = uuid.uuid4().hex
    members = [http(f"member_{n}", f"/barrier?key={key}&n=3") for n in range(3)]
    group = {"id": "group", "title": "Group", "parallel": members}
    # Each member only gets an answer once all three are waiting: sequential would time out.
    record = run(
        document(
            "parallel",
            [group],
        ),
        timeout=None,
    )
    assert statuses(record) == {"group": "ok", "member_0": "ok", "member_1": "ok", "member_2": "ok"}
    assert [step.parent for step in record.steps] == [None, "group", "group", "group"]


def test_on_failure_continue_and_stop(run: Runner) -> None:
    steps = [
        http("soft", "/status/503", on_failure="continue", expect={"status": 200}),
        http("hard", "/status/500", expect={"status": 200}),
        http("never", "/ok"),
    ]
    record = run(document("stops", steps))
    assert statuses(record) == {"soft": "critical", "hard": "critical"}
    assert record.stopped_at == "hard"
    assert record.reason == "stopped after hard failed"


def test_rollback_runs_only_when_jumped_to_and_the_run_ends_failed(run: Runner) -> None:
    healthy = [
        http("deploy", "/ok", on_failure="undo"),
        http("undo", "/ok", rollback=True),
        http("after", "/ok"),
    ]
    record = run(document("healthy", healthy))
    assert statuses(record) == {"deploy": "ok", "undo": "skipped", "after": "ok"}
    assert record.status == "ok"

    failing = [
        http("deploy", "/status/500", on_failure="undo", expect={"status": 200}),
        http("verify", "/ok"),
        http("undo", "/ok", rollback=True),
        http("undo_more", "/ok", rollback=True),
        http("after", "/ok"),
    ]
    record = run(document("failing", failing))
    assert statuses(record) == {"deploy": "critical", "undo": "ok", "undo_more": "ok"}
    assert record.status == "critical" and record.exit_code == 1
    assert record.reason == "deploy failed; rolled back with undo, undo_more"


def test_forward_jump_skips_the_steps_between(run: Runner) -> None:
    steps = [
        http("check", "/status/503", on_failure="escalate", expect={"status": 200}),
        http("routine", "/ok"),
        http("escalate", "/ok"),
    ]
    record = run(document("jump", steps))
    assert statuses(record) == {"check": "critical", "routine": "skipped", "escalate": "ok"}
    assert by_key(record)["routine"].reason == "skipped: check failed and jumped to escalate"


def test_retry_with_backoff_until_it_passes(run: Runner) -> None:
    key = uuid.uuid4().hex
    step = http(
        "flaky",
        f"/flaky?key={key}&fail=2",
        retry={"attempts": 3, "delay": "10ms", "backoff": 2},
        expect={"status": 200, "json": [{"path": "$.status", "equals": "up"}]},
    )
    record = run(document("retry", [step]))
    result = by_key(record)["flaky"]
    assert result.status == "ok" and result.attempts == 3


def test_retry_gives_up_after_its_attempts(run: Runner) -> None:
    key = uuid.uuid4().hex
    step = http("flaky", f"/flaky?key={key}&fail=5", retry={"attempts": 2}, expect={"status": 200})
    result = by_key(run(document("retry", [step])))["flaky"]
    assert result.status == "critical" and result.attempts == 2


def test_samples_measure_percentiles(run: Runner) -> None:
    step = {
        "id": "latency",
        "title": "Latency",
        "http": {"url": "/ok", "samples": 7},
        "expect": {"latency": {"max_ms": 5000, "percentile": "p95"}},
    }
    result = by_key(run(document("samples", [step])))["latency"]
    assert result.detail["samples"] == 7
    assert set(result.detail["latency_ms"]) == {"p50", "p90", "p95", "p99", "max", "mean"}
    assert result.checks[0].message.startswith("p95 ")


def test_failure_grade_warning_gives_exit_3(run: Runner) -> None:
    step = http("soft", "/status/503", failure_grade="warning", expect={"status": 200})
    record = run(document("warn", [step]))
    assert record.status == "warning" and record.exit_code == 3


def test_include_runs_another_documents_steps_with_parameters(run: Runner) -> None:
    inner = document(
        "inner",
        [http("probe", "/echo?who={{ params.who }}", expect={"body_contains": "who=ops"})],
        parameters={"who": {"type": "string", "required": True}},
    )
    outer = document(
        "outer",
        [
            {
                "id": "checks",
                "title": "Checks",
                "include": {"document": "inner", "parameters": {"who": "ops"}},
            }
        ],
    )
    record = run(outer, inner)
    assert statuses(record) == {"checks": "ok", "checks/probe": "ok"}
    assert record.documents == {"outer": "1.0.0", "inner": "1.0.0"}


def _token_documents(use: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A document that includes one capturing a token, then runs ``use``."""
    inner = document(
        "token-source",
        [http("issue", "/json?token=abc123", outputs={"token": {"json": "$.query.token"}})],
    )
    include = {"id": "get", "title": "Get a token", "include": {"document": "token-source"}}
    return document("token-user", [include, use]), inner


def test_an_include_step_publishes_what_the_included_steps_capture(run: Runner) -> None:
    use = http("use", "/echo?t={{ steps.get.issue.token }}", expect={"body_contains": "t=abc123"})
    record = run(*_token_documents(use))
    assert statuses(record) == {"get": "ok", "get/issue": "ok", "use": "ok"}
    assert by_key(record)["get"].outputs == {"issue": {"token": "abc123"}}


def test_a_misspelt_included_output_is_reported_before_any_step(run: Runner) -> None:
    use = http("use", "/echo?t={{ steps.get.issue.tokn }}")
    with pytest.raises(UsageError, match="did you mean steps.get.issue.token"):
        run(*_token_documents(use))


def test_include_cycles_are_refused_before_any_step(run: Runner, misbehaving: Misbehaving) -> None:
    before = len(misbehaving.requests)
    first = document(
        "first-doc",
        [
            http("probe", "/ok"),
            {"id": "again", "title": "Again", "include": {"document": "second-doc"}},
        ],
    )
    second = document(
        "second-doc", [{"id": "back", "title": "Back", "include": {"document": "first-doc"}}]
    )
    with pytest.raises(UsageError, match="include cycle: first-doc -> second-doc -> first-doc"):
        run(first, second, lenient=True)
    assert len(misbehaving.requests) == before


def test_unknown_template_variable_is_reported_before_any_step(
    run: Runner, misbehaving: Misbehaving, tmp_path: Path
) -> None:
    before = len(misbehaving.requests)
    steps = [http("one", "/ok"), http("two", "/ok?x={{ vars.d1_databse }}")]
    with pytest.raises(UsageError) as caught:
        run(document("typo", steps))
    assert "unknown variable vars.d1_databse" in caught.value.message
    assert "did you mean vars.d1_database?" in caught.value.message
    assert len(misbehaving.requests) == before
    assert not (tmp_path / "runs").exists()


def test_reading_a_later_steps_output_is_reported(run: Runner) -> None:
    steps = [
        http("one", "/ok?x={{ steps.two.value }}"),
        http("two", "/ok", outputs={"value": {"value": "status"}}),
    ]
    with pytest.raises(UsageError, match="captured by step two, which has not run yet"):
        run(document("forward", steps))


def test_parameters_are_typed_and_validated(run: Runner) -> None:
    doc = document(
        "typed",
        [http("probe", "/echo?n={{ params.count + 1 }}", expect={"body_contains": "n=4"})],
        parameters={"count": {"type": "integer", "minimum": 1, "maximum": 5, "default": 2}},
    )
    assert run(doc, variables={"count": "3"}).status == "ok"
    with pytest.raises(UsageError, match="above the maximum 5"):
        run(doc, variables={"count": "9"})
    with pytest.raises(UsageError, match="unknown variable 'cuont'"):
        run(doc, variables={"cuont": "1"})


def test_manual_steps_in_a_non_interactive_run(run: Runner) -> None:
    steps = [
        {"id": "look", "title": "Look", "manual": {"checklist": ["Check the dashboard"]}},
        {"id": "must", "title": "Must", "manual": {"required": True}},
    ]
    record = run(document("manual", steps))
    assert statuses(record) == {"look": "skipped", "must": "critical"}
    assert by_key(record)["must"].reason.startswith("required manual step not done")


class Scripted:
    def __init__(
        self,
        manual: Literal["done", "skip", "fail"] = "done",
        approvers: Sequence[str] = (),
        confirm: bool = True,
    ):
        self.answer = manual
        self.approvers = approvers
        self.confirmed = confirm
        self.asked: list[str] = []

    def manual(self, step: Step, instructions: str, checklist: Sequence[str]) -> ManualAnswer:
        self.asked.append(instructions)
        return ManualAnswer(self.answer, "looked fine", "tester")

    def approval(self, step: Step, request: ApprovalRequest) -> Sequence[Approval]:
        self.asked.append(f"{request.min_approvals} from {request.approver_ids}")
        return [Approval(name, "2026-11-24T07:00:00.000Z") for name in self.approvers]

    def confirm(self, step: Step, message: str) -> bool:
        self.asked.append(message)
        return self.confirmed


def test_interactive_manual_and_approval_record_who_and_when(run: Runner) -> None:
    steps: list[dict[str, Any]] = [
        {
            "id": "look",
            "title": "Look",
            "instructions": "Open {{ vars.dashboard_url }}",
            "manual": True,
        },
        {
            "id": "sign_off",
            "title": "Sign off",
            "approval": {"approvers": ["technical-lead", "security-lead"], "min_approvals": 2},
        },
    ]
    prompter = Scripted(approvers=["technical-lead", "intruder", "security-lead"])
    record = run(document("people", steps), interactive=True, prompter=prompter)
    results = by_key(record)
    assert results["look"].status == "ok" and results["look"].note == "looked fine"
    assert prompter.asked[0] == "Open https://dashboard.appointmentbooking.co.za"
    approvals = [(item.approver, item.at) for item in results["sign_off"].approvals]
    assert approvals == [
        ("technical-lead", "2026-11-24T07:00:00.000Z"),
        ("security-lead", "2026-11-24T07:00:00.000Z"),
    ]


def test_too_few_approvals_fail_and_non_interactive_approval_fails(run: Runner) -> None:
    steps = [
        {
            "id": "sign_off",
            "title": "Sign off",
            "approval": {"role": "release manager", "min_approvals": 2},
        }
    ]
    record = run(document("approve", steps), interactive=True, prompter=Scripted(approvers=["a"]))
    assert by_key(record)["sign_off"].reason == "only 1 of 2 approvals"
    record = run(document("approve", steps))
    assert "cannot be given in a non-interactive run" in by_key(record)["sign_off"].reason


class Timed(Scripted):
    """Approvals given at chosen moments, the way a slow approver gives them."""

    def __init__(self, given: Sequence[tuple[str, timedelta]]):
        super().__init__()
        self.given = given
        self.deadlines: list[str | None] = []

    def approval(self, step: Step, request: ApprovalRequest) -> Sequence[Approval]:
        self.deadlines.append(request.deadline)
        asked = datetime.now(UTC)
        return [Approval(name, iso(asked + after)) for name, after in self.given]


def test_approvals_after_the_timeout_do_not_count(run: Runner) -> None:
    steps = [
        {
            "id": "sign_off",
            "title": "Sign off",
            "approval": {"role": "release manager", "min_approvals": 2, "timeout": "PT30M"},
        }
    ]
    slow = Timed([("ayanda", timedelta(minutes=5)), ("ben", timedelta(minutes=31))])
    record = run(document("approve", steps), interactive=True, prompter=slow)
    result = by_key(record)["sign_off"]
    assert result.status == "critical"
    assert result.reason == "only 1 of 2 approvals; ben approved after the 30 min timeout"
    assert [item.approver for item in result.approvals] == ["ayanda"]
    deadline = slow.deadlines[0]
    assert deadline is not None
    remaining = datetime.fromisoformat(deadline.replace("Z", "+00:00")) - datetime.now(UTC)
    assert timedelta(minutes=29) < remaining <= timedelta(minutes=30)

    prompt = Timed([("ayanda", timedelta(minutes=1)), ("ben", timedelta(minutes=29))])
    assert run(document("approve", steps), interactive=True, prompter=prompt).status == "ok"


def test_destructive_steps_in_a_protected_environment(run: Runner) -> None:
    doc = document("danger", [http("wipe", "/ok", destructive=True)])
    with pytest.raises(UsageError, match="destructive steps need confirmation"):
        run(doc, environment="production")
    assert run(doc, environment="production", assume_yes=True).status == "ok"
    declined = run(
        doc, environment="production", interactive=True, prompter=Scripted(confirm=False)
    )
    assert by_key(declined)["wipe"].reason == "destructive step not confirmed by the operator"


def test_production_must_be_named_explicitly_even_on_resume(run: Runner) -> None:
    with pytest.raises(UsageError, match="unknown environment 'nowhere'"):
        run(document("envs", [http("probe", "/ok")]), environment="nowhere")


def test_steps_limited_to_other_environments_are_skipped(run: Runner) -> None:
    record = run(document("envs", [http("probe", "/ok", environments=["production"])]))
    assert by_key(record)["probe"].reason == "runs only in production"


def test_commands_get_argv_env_and_stdin_and_their_output_is_checked(run: Runner) -> None:
    script = "import os,sys; print(os.environ['GREETING'], sys.stdin.read().strip(), sys.argv[1])"
    step = {
        "id": "say",
        "title": "Say",
        "command": {
            "argv": [sys.executable, "-c", script, "{{ vars.worker_name }}"],
            "env": {"GREETING": "hello"},
            "stdin": "from stdin",
        },
        "expect": {"exit_code": 0, "output_matches": "^hello from stdin instyle-booking-local"},
        "outputs": {"said": {"value": "stdout"}},
    }
    result = by_key(run(document("command", [step])))["say"]
    assert result.status == "ok", result.checks
    assert result.outputs["said"].strip() == "hello from stdin instyle-booking-local"


def test_step_timeout_and_run_timeout(run: Runner) -> None:
    from datetime import timedelta

    slow = {"id": "pause", "title": "Pause", "wait": {"duration": "30s"}, "timeout": "100ms"}
    record = run(document("slow", [slow]))
    assert by_key(record)["pause"].reason == "step timed out after 100 ms"
    long = {"id": "pause", "title": "Pause", "wait": {"duration": "30s"}}
    record = run(document("long", [long]), timeout=timedelta(milliseconds=200))
    assert record.status == "critical" and record.exit_code == 1
    assert record.reason.startswith("run timeout")
    assert by_key(record)["pause"].reason == "run timeout reached"


def test_only_and_from(run: Runner) -> None:
    steps = [http("a", "/ok"), http("b", "/ok"), http("c", "/ok")]
    assert list(statuses(run(document("pick", steps), only="b"))) == ["b"]
    assert list(statuses(run(document("pick", steps), from_step="b"))) == ["b", "c"]
    with pytest.raises(UsageError, match="pick has no step 'bb'") as caught:
        run(document("pick", steps), only="bb")
    assert caught.value.hint == "did you mean b?"


class CtrlCAtThePrompt(Scripted):
    def manual(self, step: Step, instructions: str, checklist: Sequence[str]) -> ManualAnswer:
        raise KeyboardInterrupt


def test_ctrl_c_at_a_prompt_interrupts_the_run(run: Runner) -> None:
    steps = [
        http("probe", "/ok"),
        {"id": "look", "title": "Look", "manual": True},
        http("after", "/ok"),
    ]
    record = run(document("prompted", steps), interactive=True, prompter=CtrlCAtThePrompt())
    assert record.status == "interrupted" and record.exit_code == 130
    assert statuses(record) == {"probe": "ok", "look": "interrupted"}
    assert record.reason == "interrupted by SIGINT"


def test_a_group_timeout_stops_its_members_as_failed_not_interrupted(run: Runner) -> None:
    group = {
        "id": "group",
        "title": "Group",
        "timeout": "200ms",
        "parallel": [
            {"id": "quick", "title": "Quick", "http": {"url": "/ok"}},
            {"id": "stuck", "title": "Stuck", "wait": {"duration": "1h"}},
        ],
    }
    record = run(document("grouped", [group]))
    results = by_key(record)
    assert results["group"].reason == "step timed out after 200 ms"
    assert results["stuck"].reason == "stopped: the enclosing step timed out"
    assert results["quick"].status == "ok"
    assert record.status == "critical" and record.exit_code == 1
