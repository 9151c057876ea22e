"""A whole run: target, record, signals, run timeout, and the final status."""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import os
import secrets
import signal
import socket
import threading
from collections.abc import Callable, Coroutine, Iterator, Mapping
from datetime import datetime
from types import FrameType
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from runbook import __version__
from runbook.engine.actions import ActionEnv
from runbook.engine.http_probe import new_client
from runbook.engine.plan import ExecOptions, Plan, prepare
from runbook.engine.protocols import (
    Listener,
    NonInteractivePrompter,
    Prompter,
    SilentListener,
    Templater,
)
from runbook.engine.records import (
    RecordWriter,
    discard_service_state,
    fold,
    iso,
    iso_sast,
    load_record,
    now_utc,
    record_path,
    service_state_path,
)
from runbook.engine.redaction import Redactor
from runbook.engine.results import EXIT_CODES, RunRecord, RunStatus, StepResult, run_status
from runbook.engine.runner import Flow, Runner
from runbook.engine.targets import Target, open_target
from runbook.errors import RunbookError
from runbook.model import Corpus

JOHANNESBURG = ZoneInfo("Africa/Johannesburg")
_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_T = TypeVar("_T")


def execute(
    corpus: Corpus,
    options: ExecOptions,
    *,
    templater: Templater,
    prompter: Prompter | None = None,
    listener: Listener | None = None,
) -> RunRecord:
    """Run a document (or resume a run) and return its record as written to the runs folder.

    Raises only ``runbook.errors`` types, and only before the first step (usage problems)
    or when the embedded service cannot start; failed checks are results in the record.
    """
    # Every secret any document could read, so even an error before the plan is masked.
    redactor = Redactor(corpus_secret_values(corpus, options))
    try:
        plan = prepare(corpus, options, templater)
        for values in plan.secret_values({}).values():
            redactor.add(*values.values())
        env_secrets = {
            secret.name: plan.environ.get(secret.env) for secret in plan.environment.secrets
        }
        started = now_utc()
        previous = plan.resume
        run_id = previous.run_id if previous else _new_run_id(started, plan.document.id)
        state = service_state_path(plan.options.runs_dir, run_id)
        with open_target(plan.environment, options.base_url, env_secrets, state) as target:
            redactor.add(*target.injected.values())
            session = _Session(
                plan,
                target,
                templater,
                prompter or NonInteractivePrompter(),
                listener or SilentListener(),
                redactor,
                run_id,
                started,
            )
            record = session.run()
        if target.embedded and record.status in ("ok", "warning"):
            discard_service_state(state)
        return record
    except RunbookError as error:
        error.message = redactor.text(error.message)
        error.args = (error.message,)
        if error.hint:
            error.hint = redactor.text(error.hint)
        raise


class _Session:
    def __init__(
        self,
        plan: Plan,
        target: Target,
        templater: Templater,
        prompter: Prompter,
        listener: Listener,
        redactor: Redactor,
        run_id: str,
        started: datetime,
    ) -> None:
        self.plan = plan
        self.target = target
        self.templater = templater
        self.prompter = prompter
        self.listener = listener
        self.redactor = redactor
        self.started = started
        self.run_id = run_id
        self.path = record_path(plan.options.runs_dir, self.run_id)
        self._task: asyncio.Task[Flow | None] | None = None
        self._runner: Runner | None = None

    def run(self) -> RunRecord:
        writer = RecordWriter(self.path, self.redactor)
        try:
            self._begin(writer)
            try:
                flow, status, reason = _run_to_completion(lambda: self._main(writer))
            except Exception as error:
                # A bug must not leave a record that looks like a kill; say what happened.
                reason = f"engine error: {type(error).__name__}: {error}"
                self._end(writer, None, "critical", reason)
                raise
            self._end(writer, flow, status, reason)
        finally:
            writer.close()
        # A resumed run's earlier events are only in the file.
        record = (
            load_record(self.path)
            if self.plan.resume is not None
            else fold(writer.events, self.path)
        )
        self.listener.run_finished(record)
        return record

    def _begin(self, writer: RecordWriter) -> None:
        plan = self.plan
        if plan.resume is not None:
            writer.write_now(
                {
                    "event": "resumed",
                    "at": iso(self.started),
                    "user": _user(plan.options),
                    "pid": os.getpid(),
                    "base_url": self.target.base_url,
                    "from_step": plan.document.steps[plan.start].id,
                }
            )
            header = plan.resume
        else:
            header = RunRecord(
                run_id=self.run_id,
                document=plan.document.id,
                title=plan.document.title,
                version=plan.document.version,
                environment=plan.environment.id,
                started_at=iso(self.started),
                started_at_sast=iso_sast(self.started),
                user=_user(plan.options),
                host=socket.gethostname(),
                base_url=self.target.base_url,
                documents=dict(plan.documents),
                parameters=dict(plan.params),
                options=_options(plan.options),
                pid=os.getpid(),
            )
            writer.write_now(
                {"event": "run_started", "at": iso(self.started), "run": header.header()}
            )
        self.listener.run_started(header)

    async def _main(self, writer: RecordWriter) -> tuple[Flow | None, RunStatus, str]:
        plan = self.plan
        loop = asyncio.get_running_loop()
        async with new_client() as client:
            runner = self._runner = Runner(
                env=ActionEnv(
                    templater=self.templater,
                    client=client,
                    base_url=self.target.base_url,
                    thresholds=plan.corpus.sla,
                    contacts=plan.corpus.contacts,
                    prompter=self.prompter,
                    interactive=plan.options.interactive,
                    blocking=self._blocking,
                    redact=self.redactor.text,
                ),
                environment=plan.environment,
                base_context=self._base_context(),
                secrets=plan.secret_values(self.target.injected),
                corpus_get=plan.corpus.get,
                writer=writer,
                listener=self.listener,
                redactor=self.redactor,
                interrupt=self._interrupt,
                assume_yes=plan.options.assume_yes,
                previous_starts=self._previous_starts(),
            )
            self._task = asyncio.create_task(self._steps(runner))
            handlers = self._install_signals(loop)
            deadline = None
            if plan.options.timeout is not None:
                seconds = plan.options.timeout.total_seconds()
                deadline = loop.call_later(seconds, self._interrupt, "timeout")
            try:
                flow = await self._task
            except asyncio.CancelledError:
                if runner.cancel_reason == "timeout":
                    timeout = plan.options.timeout
                    return None, "critical", f"run timeout ({timeout}) reached; the run was stopped"
                return None, "interrupted", f"interrupted by {runner.cancel_reason or 'SIGINT'}"
            finally:
                if deadline is not None:
                    deadline.cancel()
                for sig in handlers:
                    loop.remove_signal_handler(sig)
        return flow, "ok", flow.reason if flow else ""

    async def _steps(self, runner: Runner) -> Flow | None:
        plan = self.plan
        scope = runner.scope(plan.document, plan.params, plan.restored)
        if plan.only is not None:
            step = plan.document.step(plan.only)
            assert step is not None
            result = await runner.step(scope, step, 0)
            if runner.decision(step, result) not in (None, "continue"):
                return Flow(result.key, f"{result.key} failed")
            return None
        return await runner.sequence(scope, plan.document.steps, plan.start, 0)

    def _end(self, writer: RecordWriter, flow: Flow | None, status: RunStatus, reason: str) -> None:
        results: dict[str, StepResult] = {}
        if self.plan.resume is not None:
            results.update((result.key, result) for result in self.plan.resume.steps)
        if self._runner is not None:
            results.update(self._runner.results)
        if status == "ok":
            status = run_status(results.values())
        if flow is not None and flow.rolled_back:
            status = "critical"
        event = "run_interrupted" if status == "interrupted" else "run_finished"
        writer.write_now(
            {
                "event": event,
                "at": iso(now_utc()),
                "status": status,
                "exit_code": int(EXIT_CODES[status]),
                "reason": reason,
                "stopped_at": flow.stopped_at if flow else None,
            }
        )

    def _interrupt(self, reason: str) -> None:
        runner = self._runner
        if runner is not None and runner.cancel_reason is None:
            runner.cancel_reason = reason
        if self._task is not None and not self._task.done():
            self._task.cancel()

    def _install_signals(self, loop: asyncio.AbstractEventLoop) -> list[int]:
        if threading.current_thread() is not threading.main_thread():
            return []
        for sig in _SIGNALS:
            loop.add_signal_handler(sig, self._interrupt, sig.name)
        return list(_SIGNALS)

    @contextlib.contextmanager
    def _blocking(self) -> Iterator[None]:
        """While a prompt blocks the loop, signals must interrupt the prompt itself."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        loop = asyncio.get_running_loop()
        for sig in _SIGNALS:
            loop.remove_signal_handler(sig)
        previous = {sig: signal.signal(sig, _raise_interrupt) for sig in _SIGNALS}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            for sig in _SIGNALS:
                loop.add_signal_handler(sig, self._interrupt, sig.name)

    def _base_context(self) -> dict[str, Any]:
        environment = self.plan.environment
        return {
            "env": {
                "id": environment.id,
                "name": environment.name,
                "base_url": self.target.base_url,
            },
            "vars": dict(self.plan.variables),
            "run": {
                "id": self.run_id,
                "date": self.started.astimezone(JOHANNESBURG).date().isoformat(),
                "started_at": iso(self.started),
            },
        }

    def _previous_starts(self) -> Mapping[str, str]:
        previous = self.plan.resume
        if previous is None:
            return {}
        return {
            result.key: result.started_at
            for result in previous.steps
            if result.status == "interrupted" and result.started_at
        }


def corpus_secret_values(corpus: Corpus, options: ExecOptions) -> list[str | None]:
    environ = options.environ if options.environ is not None else os.environ
    variables = {secret.env for env in corpus.environments.values() for secret in env.secrets}
    variables |= {secret.env for document in corpus for secret in document.secrets}
    return [environ.get(variable) for variable in sorted(variables)]


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _new_run_id(started: datetime, document: str) -> str:
    return f"{started:%Y%m%dT%H%M%SZ}-{document}-{secrets.token_hex(2)}"


def _user(options: ExecOptions) -> str:
    if options.user:
        return options.user
    environ = options.environ if options.environ is not None else os.environ
    if environ.get("RUNBOOK_USER"):
        return environ["RUNBOOK_USER"]
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _options(options: ExecOptions) -> dict[str, Any]:
    return {
        "variables": dict(options.variables),
        "only": options.only,
        "from_step": options.from_step,
        "interactive": options.interactive,
        "assume_yes": options.assume_yes,
        "timeout": options.timeout.total_seconds() if options.timeout else None,
        "base_url_given": options.base_url is not None,
        "engine": __version__,
    }


def _run_to_completion(main: Callable[[], Coroutine[Any, Any, _T]]) -> _T:
    """``asyncio.run``, also when the caller is itself inside an event loop.

    asyncio loops cannot nest, and library callers (an async service, a notebook, a test
    harness holding a loop) may already run one; then the run gets a loop of its own on a
    worker thread, and signals stay with the caller, who owns the main thread.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(main())
    outcome: list[_T] = []
    failure: list[BaseException] = []

    def work() -> None:
        try:
            outcome.append(asyncio.run(main()))
        except BaseException as error:  # re-raised in the caller's thread
            failure.append(error)

    worker = threading.Thread(target=work, name="runbook-engine")
    worker.start()
    worker.join()
    if failure:
        raise failure[0]
    return outcome[0]
