"""Everything decided before the first step: document, environment, variables, selection.

Every mistake a person can make on the command line or in a template is found here, so a
run never stops half way through for a typo.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from runbook.engine.context import (
    check_templates,
    outputs_shape,
    resolve_parameters,
    split_variables,
    template_sites,
)
from runbook.engine.protocols import Templater
from runbook.engine.records import find_run
from runbook.engine.results import RunRecord
from runbook.engine.targets import INJECTED_SECRETS, check_target, uses_embedded
from runbook.errors import NotFoundError, UsageError
from runbook.model import Corpus, Document, Environment, IncludeAction, Step, iter_steps

DEFAULT_ENVIRONMENT = "local"


@dataclass(frozen=True)
class ExecOptions:
    """What ``runbook exec`` was asked to do; the CLI builds one from its options."""

    document: str | None = None
    environment: str | None = None  # None: local, or the resumed run's
    base_url: str | None = None
    variables: Mapping[str, str] = field(default_factory=dict)
    only: str | None = None
    from_step: str | None = None
    dry_run: bool = False
    interactive: bool = False
    assume_yes: bool = False
    timeout: timedelta | None = None
    runs_dir: Path = Path(".runbook/runs")
    resume: str | None = None
    user: str | None = None
    environ: Mapping[str, str] | None = None


@dataclass(frozen=True)
class Plan:
    options: ExecOptions
    corpus: Corpus
    document: Document
    environment: Environment
    params: Mapping[str, Any]
    variables: Mapping[str, Any]
    documents: Mapping[str, str]  # id -> version of the document and those it includes
    secret_env: Mapping[str, Mapping[str, str]]  # document id -> secret name -> env var
    environ: Mapping[str, str]
    start: int = 0
    only: str | None = None
    resume: RunRecord | None = None
    restored: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def embedded(self) -> bool:
        return uses_embedded(self.environment, self.options.base_url)

    def secret_values(self, injected: Mapping[str, str]) -> dict[str, dict[str, str | None]]:
        values: dict[str, dict[str, str | None]] = {}
        for document, names in self.secret_env.items():
            values[document] = {
                name: self.environ.get(variable) or injected.get(name)
                for name, variable in names.items()
            }
        return values

    def selected(self) -> tuple[Step, ...]:
        return self.document.steps[self.start :]


def prepare(corpus: Corpus, options: ExecOptions, templater: Templater) -> Plan:
    environ = options.environ if options.environ is not None else os.environ
    record = find_run(options.runs_dir, options.resume) if options.resume else None
    document = _document(corpus, record.document if record else options.document)
    if record is not None and record.version != document.version:
        raise UsageError(
            f"{document.id} changed since run {record.run_id} "
            f"({record.version} -> {document.version}); it cannot be resumed",
            hint=f"start a new run: runbook exec {document.id}",
        )
    environment = _environment(corpus, options, record)
    check_target(environment, options.base_url)
    given = dict(record.options.get("variables", {})) if record else {}
    given.update(options.variables)
    param_values, overrides = split_variables(given, document, environment)
    params = resolve_parameters(document, param_values, where="--var")
    variables = {**environment.variables, **overrides}
    closure = _closure(corpus, document)
    _check_references(corpus, closure, environment, variables, templater)
    secret_env = {
        doc.id: {
            **{secret.name: secret.env for secret in environment.secrets},
            **{secret.name: secret.env for secret in doc.secrets},
        }
        for doc in closure
    }
    plan = Plan(
        options=options,
        corpus=corpus,
        document=document,
        environment=environment,
        params=params,
        variables=variables,
        documents={doc.id: doc.version for doc in closure},
        secret_env=secret_env,
        environ=environ,
        resume=record,
    )
    if not options.dry_run:
        _check_secrets(plan, closure, templater)
        _check_destructive(plan, closure)
    return _select(plan, record)


def _document(corpus: Corpus, document_id: str | None) -> Document:
    if not document_id:
        raise UsageError("name a document to run, or --resume RUN")
    document = corpus.get(document_id)
    if document is None:
        ids = [doc.id for doc in corpus]
        close = difflib.get_close_matches(document_id, ids, n=1)
        raise NotFoundError(
            f"no document with id {document_id!r}",
            hint=f"did you mean {close[0]}?" if close else "list them with 'runbook validate'",
        )
    if not document.steps:
        raise UsageError(f"{document_id} is a {document.kind} document with no steps to run")
    return document


def _environment(corpus: Corpus, options: ExecOptions, record: RunRecord | None) -> Environment:
    named = options.environment
    if record is not None:
        if named is not None and named != record.environment:
            raise UsageError(
                f"run {record.run_id} ran in {record.environment}, not {named}",
                hint="a resumed run continues in its own environment",
            )
        chosen = record.environment
    else:
        chosen = named or DEFAULT_ENVIRONMENT
    environment = corpus.environments.get(chosen)
    if environment is None:
        known = ", ".join(sorted(corpus.environments)) or "none (add the environments document)"
        raise UsageError(f"unknown environment {chosen!r}", hint=f"known environments: {known}")
    if environment.protected and named != environment.id:
        raise UsageError(
            f"environment {environment.id} is protected and must be named explicitly",
            hint=f"pass --env {environment.id}",
        )
    return environment


def _closure(corpus: Corpus, document: Document) -> list[Document]:
    """The document and every document it includes, refusing include cycles."""
    found: dict[str, Document] = {}

    def visit(current: Document, trail: tuple[str, ...]) -> None:
        if current.id in trail:
            raise UsageError("include cycle: " + " -> ".join((*trail, current.id)))
        found.setdefault(current.id, current)
        for step in current.all_steps():
            if isinstance(step.action, IncludeAction):
                target = corpus.get(step.action.document)
                if target is None:
                    raise UsageError(
                        f"{current.id}: step {step.id} includes unknown document "
                        f"{step.action.document!r}"
                    )
                visit(target, (*trail, current.id))

    visit(document, ())
    return list(found.values())


def shape_of(
    document: Document,
    variables: Mapping[str, Any],
    secrets: set[str],
    get: Callable[[str], Document | None],
) -> dict[str, Any]:
    return {
        "env": {"id": None, "name": None, "base_url": None},
        "vars": {name: None for name in variables},
        "params": {parameter.name: None for parameter in document.parameters},
        "secrets": {name: None for name in secrets},
        "steps": outputs_shape(document, get),
        "run": {"id": None, "date": None, "started_at": None},
    }


def step_order(document: Document) -> dict[str, int]:
    order: dict[str, int] = {}
    for index, top in enumerate(document.steps):
        for step in (top, *_members(top)):
            order[step.id] = index
    return order


def _members(step: Step) -> list[Step]:
    return list(iter_steps((step,)))[1:]


def _check_references(
    corpus: Corpus,
    closure: list[Document],
    environment: Environment,
    variables: Mapping[str, Any],
    templater: Templater,
) -> None:
    problems: list[str] = []
    env_secrets = {secret.name for secret in environment.secrets}
    for doc in closure:
        secrets = env_secrets | {secret.name for secret in doc.secrets}
        shape = shape_of(doc, variables, secrets, corpus.get)
        problems += check_templates(doc, templater, shape, step_order(doc))
        for step in doc.all_steps():
            for sla in step.expect.sla_ids() if step.expect else ():
                if sla not in corpus.sla:
                    problems.append(f"{doc.id}: step {step.id}: unknown SLA threshold {sla!r}")
            if isinstance(step.action, IncludeAction):
                target = corpus.get(step.action.document)
                declared = {parameter.name for parameter in target.parameters} if target else set()
                for name in step.action.parameters:
                    if name not in declared:
                        problems.append(
                            f"{doc.id}: step {step.id}: {step.action.document} has no "
                            f"parameter {name!r}"
                        )
    if problems:
        raise UsageError(
            "\n  ".join(["templates refer to unknown names (nothing was run):", *problems]),
            hint="fix the names, or pass --var NAME=VALUE for a parameter",
        )


def _check_secrets(plan: Plan, closure: list[Document], templater: Templater) -> None:
    injectable = set(INJECTED_SECRETS) if plan.embedded else set()
    missing: dict[str, str] = {}
    for doc in closure:
        names = plan.secret_env[doc.id]
        needed = {secret.name for secret in doc.secrets if secret.required}
        for step in doc.all_steps():
            if not step.runs_in(plan.environment.id):
                continue
            for site in template_sites(step):
                for chain in templater.references(site.source):
                    if chain[0] == "secrets" and len(chain) > 1:
                        needed.add(chain[1])
        for name in needed:
            variable = names.get(name)
            if variable and not plan.environ.get(variable) and name not in injectable:
                missing[name] = variable
    if missing:
        listed = ", ".join(f"{name} (${variable})" for name, variable in sorted(missing.items()))
        raise UsageError(
            f"secrets not set: {listed}",
            hint="export the environment variables before the run; values are never printed",
        )


def _check_destructive(plan: Plan, closure: list[Document]) -> None:
    options = plan.options
    # A dry run changes nothing, so it shows destructive steps instead of refusing them.
    if not plan.environment.protected or options.interactive or options.assume_yes:
        return
    if options.dry_run:
        return
    destructive = [
        f"{doc.id}:{step.id}"
        for doc in closure
        for step in doc.all_steps()
        if step.destructive and step.runs_in(plan.environment.id)
    ]
    if destructive:
        raise UsageError(
            f"{plan.environment.id}: destructive steps need confirmation, and this run is "
            f"non-interactive: {', '.join(destructive)}",
            hint="run it at a terminal, or pass --yes to confirm them all in advance",
        )


def _select(plan: Plan, record: RunRecord | None) -> Plan:
    options = plan.options
    document = plan.document
    top = [step.id for step in document.steps]
    only = options.only or (record.options.get("only") if record else None)
    from_step = options.from_step or (record.options.get("from_step") if record else None)
    if only and from_step:
        raise UsageError("--only and --from cannot be combined")
    if only is not None and document.step(only) is None:
        raise NotFoundError(f"{document.id} has no step {only!r}", hint=_step_hint(only, top))
    start = 0
    if from_step is not None:
        if from_step not in top:
            nested = document.step(from_step) is not None
            raise NotFoundError(
                f"{document.id} has no top-level step {from_step!r}",
                hint="--from takes a top-level step; a step inside a parallel group starts "
                "with its group"
                if nested
                else _step_hint(from_step, top),
            )
        start = top.index(from_step)
    restored: dict[str, Mapping[str, Any]] = {}
    if record is not None:
        start = _resume_start(record, top, start, only)
        restored = {
            result.step_id: result.outputs
            for result in record.steps
            if "/" not in result.key and result.status != "interrupted"
        }
    return replace(plan, start=start, only=only, restored=restored)


def _resume_start(record: RunRecord, top: list[str], start: int, only: str | None) -> int:
    done = {result.key: result for result in record.steps if result.status != "interrupted"}
    if record.status in ("ok", "warning"):
        raise UsageError(
            f"run {record.run_id} finished {record.status}; there is nothing to resume",
            hint=f"start a new run: runbook exec {record.document}",
        )
    if record.status == "running":
        raise UsageError(f"run {record.run_id} is still running (pid {record.pid})")
    if record.stopped_at in top:
        return top.index(record.stopped_at)
    if only is not None:
        return 0
    for index in range(start, len(top)):
        if top[index] not in done:
            return index
    raise UsageError(f"run {record.run_id} has no unfinished step to resume")


def _step_hint(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    return f"did you mean {close[0]}?" if close else "steps: " + ", ".join(known)
