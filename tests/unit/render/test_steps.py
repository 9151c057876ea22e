from __future__ import annotations

import shlex

from runbook.model import CommandAction, HttpAction, SlaThreshold
from runbook.render.steps import COMMAND_WIDTH, command_line, http_probe, phase_title, threshold


def test_long_commands_wrap_keeping_options_with_their_values() -> None:
    action = CommandAction(
        argv=(
            "wrangler",
            "rollback",
            "--name",
            "{{ vars.worker_name }}",
            "--message",
            "payment-system-failure {{ run.id }}",
            "--yes",
        )
    )
    text = command_line(action)
    assert text == (
        "wrangler rollback --name '{{ vars.worker_name }}' \\\n"
        "    --message 'payment-system-failure {{ run.id }}' --yes"
    )
    assert all(len(line) <= COMMAND_WIDTH + 2 for line in text.splitlines())
    # A shell reads the continuation lines back as the original argv.
    assert shlex.split(text.replace("\\\n", " ")) == list(action.argv)


def test_command_with_environment_and_folder() -> None:
    action = CommandAction(argv=("npm", "audit"), env={"CI": "1 2"}, cwd="web app")
    assert command_line(action) == "cd 'web app'\nCI='1 2' npm audit"


def test_http_probe_is_an_http_message() -> None:
    action = HttpAction(
        url="/api/errors",
        method="POST",
        query={"limit": 10, "fresh": True},
        headers={"Authorization": "Bearer {{ secrets.admin_token }}"},
        json={"fault": "latency", "ms": 800},
        has_json=True,
    )
    assert http_probe(action) == (
        "POST /api/errors?limit=10&fresh=true\n"
        "Authorization: Bearer {{ secrets.admin_token }}\n"
        "Content-Type: application/json\n"
        "\n"
        '{\n  "fault": "latency",\n  "ms": 800\n}'
    )


def test_thresholds_read_in_the_direction_of_better() -> None:
    lower = SlaThreshold("api", "p95", "ms", "lower-is-better", 200, 500, 1000)
    higher = SlaThreshold("up", "uptime", "percent", "higher-is-better", 99.9, 99.5, 99)
    assert threshold(lower) == "ok ≤ 200 ms, critical > 1000 ms, warning in between"
    assert threshold(higher) == "ok ≥ 99.9%, critical < 99%, warning in between"


def test_phase_titles() -> None:
    assert phase_title("post-incident") == "Post-incident"
    assert phase_title("System health verification") == "System health verification"
