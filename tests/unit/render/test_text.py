from __future__ import annotations

import markdown
import pytest

from runbook.render.text import (
    cell,
    code,
    fence,
    heading,
    indent,
    inline,
    join_words,
    mermaid_id,
    mermaid_label,
    quoted,
)
from runbook.render.text import markdown as normalise


def to_html(source: str) -> str:
    return markdown.markdown(source, extensions=["tables", "attr_list", "toc"])


def test_cell_escapes_pipes_outside_code_only() -> None:
    assert cell("a | b") == "a \\| b"
    assert cell("`x | y` and z | w") == "`x | y` and z \\| w"
    html = to_html(f"| A | B |\n|---|---|\n| {cell('left | right')} | {cell('`a|b`')} |")
    assert "<td>left | right</td>" in html
    assert "<td><code>a|b</code></td>" in html


def test_cell_is_one_line_and_formats_scalars() -> None:
    assert cell("two\nlines") == "two lines"
    assert cell(True) == "yes"
    assert cell(None) == ""
    assert cell(3) == "3"


def test_inline_stops_raw_html_but_not_code() -> None:
    assert inline("<script>alert(1)</script>") == "&lt;script>alert(1)&lt;/script>"
    assert inline("`<b>`") == "`<b>`"


def test_heading_keeps_braces_and_hashes_literal() -> None:
    html = to_html(f"### {heading('Deploy ({{ params.region }}) #1')} {{#deploy}}")
    assert '<h3 id="deploy">Deploy ({{ params.region }}) #1</h3>' in html


def test_code_span_survives_backticks() -> None:
    assert code("plain") == "`plain`"
    assert code("a`b") == "``a`b``"
    assert code("`edge`") == "`` `edge` ``"
    assert "<code>a`b</code>" in to_html(code("a`b"))


def test_fence_is_longer_than_any_backtick_run_inside() -> None:
    block = fence("```\ninner\n```", "text")
    assert block.startswith("````text\n") and block.endswith("\n````")


def test_indent_leaves_blank_lines_empty() -> None:
    assert indent("a\n\nb") == "    a\n\n    b"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('He said "stop"', "He said #quot;stop#quot;"),
        ("Step #3 [beta]", "Step #35;3 [beta]"),
        ("a < b > c & d", "a #lt; b #gt; c #amp; d"),
        ("`code`", "#96;code#96;"),
        ("two\nlines", "two lines"),
    ],
)
def test_mermaid_label_escapes_what_would_end_or_inject(text: str, expected: str) -> None:
    assert mermaid_label(text) == expected


def test_mermaid_id_is_plain() -> None:
    assert mermaid_id("end-of-flow.1") == "n_end_of_flow_1"


def test_quoted_for_admonition_titles() -> None:
    assert quoted('SEV1 "critical"') == "SEV1 &quot;critical&quot;"


def test_join_words() -> None:
    assert join_words([]) == ""
    assert join_words(["a"]) == "a"
    assert join_words(["a", "b", "c"], "and") == "a, b and c"


def test_markdown_puts_a_blank_line_before_a_list_after_a_paragraph() -> None:
    source = "If it fails:\n- restart\n- page someone\n\n```\nnot:\n- a list\n```"
    assert normalise(source) == (
        "If it fails:\n\n- restart\n- page someone\n\n```\nnot:\n- a list\n```"
    )
    assert "<li>restart</li>" in to_html(normalise(source))


def test_markdown_leaves_nested_and_continued_lists_alone() -> None:
    source = "1. first\n   - nested\n2. second"
    assert normalise(source) == source
