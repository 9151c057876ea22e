"""Each class of change, the bump it needs, and the rules, on real git repositories."""

from __future__ import annotations

from typing import Any

import pytest

from runbook.governance.diff import DocumentChange
from runbook.governance.rules import DiffReport
from runbook.governance.versions import Level
from tests.unit.governance.conftest import semantic_diff
from tests.unit.governance.git_repo import GitRepo, bump

HEALTH = "runbooks/daily/health-check.yaml"
PLAYBOOK = "runbooks/playbooks/database-down.yaml"
SLA = "runbooks/reference/sla-targets.yaml"


def only(report: DiffReport, document_id: str) -> DocumentChange:
    [change] = [change for change in report.documents if change.id == document_id]
    return change


def rules(report: DiffReport) -> list[tuple[str, str]]:
    return [(violation.document, violation.rule) for violation in report.violations]


def reword(document: dict[str, Any]) -> None:
    document["summary"] = "Checks that the booking service is up and quick."
    document["steps"][0]["title"] = "Check that the health endpoint answers"
    document["steps"][2]["instructions"] = "Post the result in #ops."


def add_step(document: dict[str, Any]) -> None:
    document["steps"].insert(
        1,
        {
            "id": "check_home",
            "title": "Check the booking page",
            "http": {"url": "/"},
            "expect": {"status": 200},
        },
    )


def remove_step(document: dict[str, Any]) -> None:
    del document["steps"][2]


def change_probe(document: dict[str, Any]) -> None:
    document["steps"][0]["http"]["url"] = "/api/health?deep=1"


def change_expectation(document: dict[str, Any]) -> None:
    document["steps"][1]["expect"]["status"] = [200, 204]


def reorder(document: dict[str, Any]) -> None:
    steps = document["steps"]
    steps[0], steps[1] = steps[1], steps[0]


def make_destructive(document: dict[str, Any]) -> None:
    document["steps"][1]["destructive"] = True


@pytest.mark.parametrize(
    ("change", "needed", "reason"),
    [
        (reword, Level.PATCH, "wording"),
        (add_step, Level.MINOR, "adding step check_home"),
        (remove_step, Level.MAJOR, "removing step tell_the_team"),
        (change_probe, Level.MAJOR, "a probe change in step check_health"),
        (change_expectation, Level.MAJOR, "an expectation change in step check_metrics"),
        (reorder, Level.MAJOR, "moving step"),
        (make_destructive, Level.MAJOR, "a destructive change in step check_metrics"),
    ],
)
def test_each_class_of_change_needs_its_bump(
    repo: GitRepo, change: Any, needed: Level, reason: str
) -> None:
    repo.edit(HEALTH, change)
    unbumped = semantic_diff(repo)
    assert only(unbumped, "health-check").level is needed
    [violation] = unbumped.violations
    assert violation.rule == "version-bump"
    assert f"needs a {needed.label} version bump" in violation.message
    assert reason in violation.message
    too_small = {Level.PATCH: None, Level.MINOR: "1.0.1", Level.MAJOR: "1.1.0"}[needed]
    if too_small:
        repo.edit(HEALTH, lambda doc: bump(doc, too_small))
        assert rules(semantic_diff(repo)) == [("health-check", "version-bump")]
        repo.edit(HEALTH, lambda doc: (doc["changelog"].pop(), doc.update(version="1.0.0")))
    enough = {Level.PATCH: "1.0.1", Level.MINOR: "1.1.0", Level.MAJOR: "2.0.0"}[needed]
    repo.edit(HEALTH, lambda doc: bump(doc, enough))
    assert semantic_diff(repo).ok


def test_a_bigger_bump_than_needed_is_fine(repo: GitRepo) -> None:
    repo.edit(HEALTH, reword)
    repo.edit(HEALTH, lambda doc: bump(doc, "2.0.0"))
    assert semantic_diff(repo).ok


def test_steps_added_removed_reordered_and_changed_are_reported(repo: GitRepo) -> None:
    def several(document: dict[str, Any]) -> None:
        change_expectation(document)  # check_metrics
        add_step(document)
        document["steps"].pop()  # tell_the_team

    repo.edit(HEALTH, several)
    change = only(semantic_diff(repo), "health-check")
    assert [step.step_id for step in change.steps_of("added")] == ["check_home"]
    assert [step.step_id for step in change.steps_of("removed")] == ["tell_the_team"]
    [changed] = change.steps_of("changed")
    assert changed.step_id == "check_metrics"
    assert [(f.path, f.before, f.after) for f in changed.fields] == [
        ("expect.status", 200, [200, 204])
    ]
    assert not change.steps_of("moved"), "an insertion is not a reorder"


def test_reorder_reports_the_moved_step_with_positions(repo: GitRepo) -> None:
    repo.edit(HEALTH, reorder)
    [moved] = only(semantic_diff(repo), "health-check").steps
    assert moved.kind == "moved" and moved.moved
    assert {moved.before_position, moved.after_position} == {1, 2}


def test_threshold_change_in_the_sla_reference_is_major(repo: GitRepo) -> None:
    def tighten(document: dict[str, Any]) -> None:
        [threshold] = [item for item in document["sla"] if item["id"] == "api-response-time"]
        threshold["warning"] = threshold["warning"] - 50

    repo.edit(SLA, tighten)
    change = only(semantic_diff(repo), "sla-targets")
    [field] = change.fields
    assert field.path == "sla[api-response-time].warning"
    assert (field.level, field.reason) == (Level.MAJOR, "threshold")


def test_threshold_description_is_wording(repo: GitRepo) -> None:
    def describe(document: dict[str, Any]) -> None:
        document["sla"][0]["description"] = "Reworded."

    repo.edit(SLA, describe)
    assert only(semantic_diff(repo), "sla-targets").level is Level.PATCH


def test_severity_change_is_major(repo: GitRepo) -> None:
    repo.edit(PLAYBOOK, lambda doc: doc.update(severity="SEV2"))
    change = only(semantic_diff(repo), "database-down")
    [field] = change.fields
    assert (field.path, field.before, field.after) == ("severity", "SEV1", "SEV2")
    assert change.level is Level.MAJOR


def test_owner_change_is_minor(repo: GitRepo) -> None:
    repo.edit(HEALTH, lambda doc: doc.update(owner="devops-team"))
    [field] = only(semantic_diff(repo), "health-check").fields
    assert (field.level, field.reason) == (Level.MINOR, "ownership")


def test_new_optional_field_is_minor(repo: GitRepo) -> None:
    repo.edit(HEALTH, lambda doc: doc["steps"][0].update(retry={"attempts": 3, "delay": "5s"}))
    [step] = only(semantic_diff(repo), "health-check").steps
    assert (step.level, step.fields[0].path, step.fields[0].kind) == (
        Level.MINOR,
        "retry",
        "added",
    )


def test_reformatting_and_explicit_defaults_are_no_change(repo: GitRepo) -> None:
    def same_meaning(document: dict[str, Any]) -> None:
        document["steps"][0]["on_failure"] = "stop"  # the default
        document["steps"][0]["http"]["method"] = "GET"  # the default
        document["steps"][0]["expect"]["status"] = [200]  # one status either way

    repo.edit(HEALTH, same_meaning)
    text = (repo.root / HEALTH).read_text()
    repo.write(
        HEALTH,
        "# a comment\n"
        + text.replace("title: Service health check", "title:  Service health check"),
    )
    report = semantic_diff(repo)
    assert report.documents == () and report.ok


def test_review_only_needs_no_bump(repo: GitRepo) -> None:
    repo.edit(HEALTH, lambda doc: doc.update(last_reviewed="2026-02-14"))
    report = semantic_diff(repo)
    change = only(report, "health-check")
    assert change.level is Level.NONE and change.reviewed is not None
    assert report.ok


def test_version_bump_needs_a_changelog_entry(repo: GitRepo) -> None:
    repo.edit(HEALTH, lambda doc: (reword(doc), doc.update(version="1.0.1")))
    [violation] = semantic_diff(repo).violations
    assert violation.rule == "changelog"
    assert "1.0.1" in violation.message


def test_version_going_backwards_is_refused(repo: GitRepo) -> None:
    repo.edit(HEALTH, lambda doc: bump(doc, "2.0.0"))
    repo.commit("2.0.0")
    repo.edit(HEALTH, lambda doc: (reword(doc), bump(doc, "1.9.0")))
    [violation] = semantic_diff(repo, "HEAD").violations
    assert violation.rule == "version-bump" and "only move forward" in violation.message


def test_rename_is_followed_by_id(repo: GitRepo) -> None:
    repo.move(HEALTH, "runbooks/operations/health-check.yaml")
    report = semantic_diff(repo)
    [change] = report.documents
    assert change.status == "renamed"
    assert (change.renamed_from, change.path) == (HEALTH, "runbooks/operations/health-check.yaml")
    assert report.ok


def test_rename_with_a_change_still_needs_the_bump(repo: GitRepo) -> None:
    repo.move(HEALTH, "runbooks/operations/health-check.yaml")
    repo.edit("runbooks/operations/health-check.yaml", remove_step)
    repo.commit("move and change")
    report = semantic_diff(repo, "HEAD~1", "HEAD")
    change = only(report, "health-check")
    assert change.status == "changed" and change.renamed_from == HEALTH
    assert rules(report) == [("health-check", "version-bump")]


def test_changing_the_id_is_a_removal_and_an_addition(repo: GitRepo) -> None:
    repo.edit(HEALTH, lambda doc: doc.update(id="service-health"))
    statuses = {change.id: change.status for change in semantic_diff(repo).documents}
    assert statuses == {"health-check": "removed", "service-health": "added"}


def test_added_and_removed_documents(repo: GitRepo) -> None:
    (repo.root / HEALTH).unlink()
    report = semantic_diff(repo)
    assert [(c.id, c.status, c.level) for c in report.documents] == [
        ("health-check", "removed", Level.MAJOR)
    ]
    assert report.ok


def test_approval_missing(repo: GitRepo) -> None:
    repo.edit(PLAYBOOK, lambda doc: (doc.update(severity="SEV2"), bump(doc, "2.0.0")))
    [violation] = semantic_diff(repo).violations
    assert violation.rule == "approval"
    assert "technical-lead" in violation.message
    assert violation.hint and "approved_by: [technical-lead]" in violation.hint


def test_approval_by_someone_not_an_approver(repo: GitRepo) -> None:
    repo.edit(
        PLAYBOOK,
        lambda doc: (
            doc.update(severity="SEV2"),
            bump(doc, "2.0.0", approved_by=["security-lead"]),
        ),
    )
    [violation] = semantic_diff(repo).violations
    assert violation.rule == "approval" and "security-lead" in violation.message


def test_approval_present(repo: GitRepo) -> None:
    repo.edit(
        PLAYBOOK,
        lambda doc: (
            doc.update(severity="SEV2"),
            bump(doc, "2.0.0", approved_by=["technical-lead"]),
        ),
    )
    assert semantic_diff(repo).ok


def test_an_approver_added_in_the_same_change_does_not_count(repo: GitRepo) -> None:
    def self_approve(document: dict[str, Any]) -> None:
        reword(document)
        document["approvers"].append("security-lead")
        bump(document, "1.1.0", approved_by=["security-lead"])

    repo.edit(PLAYBOOK, self_approve)
    assert rules(semantic_diff(repo)) == [("database-down", "approval")]


def test_switching_approval_off_still_needs_approval(repo: GitRepo) -> None:
    repo.edit(PLAYBOOK, lambda doc: (doc.update(requires_approval=False), bump(doc, "2.0.0")))
    assert rules(semantic_diff(repo)) == [("database-down", "approval")]


def test_a_document_that_no_longer_loads_breaks_a_rule(repo: GitRepo) -> None:
    repo.write(HEALTH, "id: health-check\ntitle: [unclosed\n")
    report = semantic_diff(repo)
    [violation] = report.violations
    assert violation.rule == "invalid" and violation.path == HEALTH


def test_comparing_two_revisions_ignores_the_working_tree(repo: GitRepo) -> None:
    repo.edit(HEALTH, lambda doc: (add_step(doc), bump(doc, "1.1.0")))
    repo.commit("add a step")
    repo.edit(HEALTH, remove_step)  # not committed
    report = semantic_diff(repo, "HEAD~1", "HEAD")
    assert report.ok and report.head == "HEAD" and report.head_commit
    assert [s.kind for s in only(report, "health-check").steps] == ["added"]


def test_steps_moved_into_a_parallel_group(repo: GitRepo) -> None:
    def group(document: dict[str, Any]) -> None:
        first, second, rest = document["steps"][0], document["steps"][1], document["steps"][2:]
        checks = {"id": "checks", "title": "Check in parallel", "parallel": [first, second]}
        document["steps"] = [checks, *rest]

    repo.edit(HEALTH, group)
    change = only(semantic_diff(repo), "health-check")
    kinds = {step.step_id: (step.kind, step.moved) for step in change.steps}
    assert kinds == {
        "checks": ("added", False),
        "check_health": ("moved", True),
        "check_metrics": ("moved", True),
    }
    assert change.level is Level.MAJOR


def test_schedule_change_is_major(repo: GitRepo) -> None:
    repo.edit(HEALTH, lambda doc: doc.update(schedule={"cron": "0 7 * * *"}))
    repo.commit("scheduled")
    repo.edit(HEALTH, lambda doc: doc["schedule"].update(cron="0 8 * * *"))
    [field] = only(semantic_diff(repo, "HEAD"), "health-check").fields
    assert (field.path, field.level, field.reason) == ("schedule.cron", Level.MAJOR, "schedule")


def test_a_version_bump_alone_is_a_change_that_needs_its_changelog(repo: GitRepo) -> None:
    repo.edit(HEALTH, lambda doc: doc.update(version="1.0.1"))
    report = semantic_diff(repo)
    assert only(report, "health-check").status == "changed"
    assert rules(report) == [("health-check", "changelog")]
