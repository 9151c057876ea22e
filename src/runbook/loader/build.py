"""Turn a schema-valid mapping into the frozen model. Assumes the schema already passed."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any, cast

from runbook.model import (
    ApprovalAction,
    Baseline,
    ChangelogEntry,
    CommandAction,
    Communication,
    Contact,
    Decision,
    DecisionOutcome,
    Document,
    Environment,
    ErrorCode,
    EscalationEntry,
    Expectation,
    HttpAction,
    IncludeAction,
    JsonCheck,
    LatencyCheck,
    Link,
    MaintenanceWindow,
    ManualAction,
    OutputSpec,
    ParallelAction,
    Parameter,
    Resolution,
    Retry,
    Schedule,
    Secret,
    Section,
    SectionTable,
    Severity,
    SlaThreshold,
    Step,
    WaitAction,
    parse_duration,
)
from runbook.model.steps import Action

Raw = Mapping[str, Any]


def _duration(value: Any) -> Any:
    return None if value is None else parse_duration(value)


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _ints(value: Any) -> tuple[int, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, int) else tuple(value)


def build_document(raw: Raw, path: Path) -> Document:
    kind = raw["kind"]
    matrix = raw.get("escalation_matrix", [])
    return Document(
        id=raw["id"],
        title=raw["title"],
        kind=kind,
        version=raw["version"],
        owner=raw["owner"],
        last_reviewed=date.fromisoformat(raw["last_reviewed"]),
        review_every=raw["review_every"],
        path=path,
        summary=raw.get("summary", ""),
        reviewers=tuple(raw.get("reviewers", ())),
        approvers=tuple(raw.get("approvers", ())),
        requires_approval=raw.get("requires_approval", False),
        review_after_incident=raw.get("review_after_incident", False),
        audience=tuple(raw.get("audience", ())),
        tags=tuple(raw.get("tags", ())),
        related=tuple(raw.get("related", ())),
        changelog=tuple(
            ChangelogEntry(
                version=entry["version"],
                date=date.fromisoformat(entry["date"]),
                summary=entry["summary"],
                author=entry.get("author"),
                approved_by=tuple(entry.get("approved_by", ())),
            )
            for entry in raw.get("changelog", ())
        ),
        parameters=tuple(
            Parameter(
                name=name,
                type=spec["type"],
                description=spec.get("description", ""),
                default=spec.get("default"),
                allowed=tuple(spec.get("allowed", ())),
                pattern=spec.get("pattern"),
                minimum=spec.get("minimum"),
                maximum=spec.get("maximum"),
                required=spec.get("required", False),
            )
            for name, spec in raw.get("parameters", {}).items()
        ),
        secrets=_secrets(raw.get("secrets", {})),
        steps=tuple(build_step(step) for step in raw.get("steps", ())),
        schedule=Schedule(**raw["schedule"]) if "schedule" in raw else None,
        severity=raw.get("severity"),
        response_target=_duration(raw.get("response_target")),
        triggers=tuple(raw.get("triggers", ())),
        escalation=tuple(
            EscalationEntry(
                contact=entry["contact"],
                after=parse_duration(entry["after"]),
                level=entry.get("level"),
                when=entry.get("when", ""),
            )
            for entry in raw.get("escalation", ())
        ),
        communications=tuple(Communication(**item) for item in raw.get("communications", ())),
        window=raw.get("window"),
        expected_duration=_duration(raw.get("expected_duration")),
        impact=raw.get("impact", ""),
        symptoms=tuple(raw.get("symptoms", ())),
        resolutions=tuple(Resolution(**item) for item in raw.get("resolutions", ())),
        error_codes=tuple(
            ErrorCode(
                code=str(item["code"]),
                category=item["category"],
                meaning=item["meaning"],
                action=item.get("action", ""),
            )
            for item in raw.get("error_codes", ())
        ),
        decisions=tuple(
            Decision(
                id=item["id"],
                question=item["question"],
                yes=DecisionOutcome(**item["yes"]),
                no=DecisionOutcome(**item["no"]),
            )
            for item in raw.get("decisions", ())
        ),
        escalation_matrix=tuple(
            EscalationEntry(
                contact=row["contact"],
                after=_duration(row.get("after")),
                severity=row["severity"],
                channel=row.get("channel", ""),
            )
            for row in matrix
        ),
        contacts=tuple(
            Contact(**{**item, "response_time": _duration(item.get("response_time"))})
            for item in raw.get("contacts", ())
        ),
        severities=tuple(
            Severity(
                id=item["id"],
                name=item["name"],
                response_time=parse_duration(item["response_time"]),
                description=item.get("description", ""),
                examples=tuple(item.get("examples", ())),
                notify=tuple(item.get("notify", ())),
            )
            for item in raw.get("severities", ())
        ),
        sla=tuple(
            SlaThreshold(
                **{
                    **item,
                    "target": float(item["target"]),
                    "warning": float(item["warning"]),
                    "critical": float(item["critical"]),
                }
            )
            for item in raw.get("sla", ())
        ),
        environments=tuple(
            Environment(
                id=item["id"],
                name=item["name"],
                base_url=item.get("base_url"),
                embedded=item.get("embedded", False),
                protected=item.get("protected", False),
                description=item.get("description", ""),
                variables=dict(item.get("variables", {})),
                secrets=_secrets(item.get("secrets", {})),
            )
            for item in raw.get("environments", ())
        ),
        links=tuple(Link(**item) for item in raw.get("links", ())),
        baselines=tuple(
            Baseline(**{**item, "value": float(item["value"])}) for item in raw.get("baselines", ())
        ),
        windows=tuple(
            MaintenanceWindow(
                **{
                    **item,
                    "months": tuple(item.get("months", ())),
                    "tasks": tuple(item.get("tasks", ())),
                }
            )
            for item in raw.get("windows", ())
        ),
        sections=tuple(
            Section(
                title=item["title"],
                body=item.get("body", ""),
                id=item.get("id"),
                table=SectionTable(
                    columns=tuple(item["table"]["columns"]),
                    rows=tuple(tuple(row) for row in item["table"]["rows"]),
                )
                if "table" in item
                else None,
            )
            for item in raw.get("sections", ())
        ),
        raw=raw,
    )


def _secrets(raw: Mapping[str, Any]) -> tuple[Secret, ...]:
    return tuple(
        Secret(
            name=name,
            env=spec["env"],
            description=spec.get("description", ""),
            required=spec.get("required", False),
        )
        for name, spec in raw.items()
    )


def build_step(raw: Raw) -> Step:
    retry = raw.get("retry")
    return Step(
        id=raw["id"],
        title=raw["title"],
        action=_action(raw),
        instructions=raw.get("instructions", ""),
        phase=raw.get("phase"),
        expect=build_expectation(raw["expect"]) if "expect" in raw else None,
        retry=Retry(
            attempts=retry["attempts"],
            delay=parse_duration(retry.get("delay", 0)),
            backoff=float(retry.get("backoff", 1.0)),
            until=build_expectation(retry["until"]) if "until" in retry else None,
        )
        if retry
        else None,
        timeout=_duration(raw.get("timeout")),
        on_failure=raw.get("on_failure", "stop"),
        failure_grade=raw.get("failure_grade", "critical"),
        outputs=tuple(
            OutputSpec(name=name, **spec) for name, spec in raw.get("outputs", {}).items()
        ),
        destructive=raw.get("destructive", False),
        rollback=raw.get("rollback", False),
        environments=tuple(raw.get("environments", ())),
        environment_notes=dict(raw.get("environment_notes", {})),
    )


def _action(raw: Raw) -> Action:
    if "http" in raw:
        spec = raw["http"]
        return HttpAction(
            url=spec["url"],
            method=spec.get("method", "GET"),
            headers=dict(spec.get("headers", {})),
            query=dict(spec.get("query", {})),
            json=spec.get("json"),
            has_json="json" in spec,
            body=spec.get("body"),
            timeout=_duration(spec.get("timeout")),
            samples=spec.get("samples", 1),
            follow_redirects=spec.get("follow_redirects", False),
            max_body_bytes=spec.get("max_body_bytes"),
        )
    if "command" in raw:
        spec = raw["command"]
        return CommandAction(
            argv=tuple(spec["argv"]),
            timeout=_duration(spec.get("timeout")),
            cwd=spec.get("cwd"),
            env=dict(spec.get("env", {})),
            stdin=spec.get("stdin"),
        )
    if "manual" in raw:
        spec = raw["manual"] if isinstance(raw["manual"], Mapping) else {}
        return ManualAction(
            checklist=tuple(spec.get("checklist", ())), required=spec.get("required", False)
        )
    if "approval" in raw:
        spec = raw["approval"]
        return ApprovalAction(
            approvers=tuple(spec.get("approvers", ())),
            role=spec.get("role"),
            min_approvals=spec.get("min_approvals", 1),
            timeout=_duration(spec.get("timeout")),
        )
    if "include" in raw:
        spec = raw["include"]
        return IncludeAction(document=spec["document"], parameters=dict(spec.get("parameters", {})))
    if "wait" in raw:
        spec = raw["wait"]
        return WaitAction(duration=parse_duration(spec["duration"]), reason=spec.get("reason"))
    return ParallelAction(steps=tuple(build_step(step) for step in raw["parallel"]))


def build_expectation(raw: Raw) -> Expectation:
    latency = raw.get("latency")
    return Expectation(
        status=_ints(raw.get("status")),
        latency=LatencyCheck(
            percentile=latency.get("percentile", "p95"),
            max_ms=latency.get("max_ms"),
            sla=latency.get("sla"),
        )
        if latency
        else None,
        json=tuple(
            JsonCheck(path=check["path"], operators={k: v for k, v in check.items() if k != "path"})
            for check in raw.get("json", ())
        ),
        body_contains=_strings(raw.get("body_contains")),
        body_not_contains=_strings(raw.get("body_not_contains")),
        body_matches=raw.get("body_matches"),
        headers=dict(raw.get("headers", {})),
        exit_code=_ints(raw.get("exit_code")),
        output_contains=_strings(raw.get("output_contains")),
        output_not_contains=_strings(raw.get("output_not_contains")),
        output_matches=raw.get("output_matches"),
    )


def as_raw(value: object) -> Raw:
    return cast(Raw, value)
