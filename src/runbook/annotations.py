"""GitHub Actions workflow commands (annotations), escaped as the runner expects."""

from __future__ import annotations

from typing import Literal

Severity = Literal["error", "warning", "notice"]


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(
    severity: Severity,
    message: str,
    *,
    file: str,
    line: int = 1,
    column: int | None = None,
    title: str = "",
) -> str:
    """``::error file=F,line=1,col=5,title=T::message`` with every part escaped."""
    properties = [f"file={escape_property(file)}", f"line={line}"]
    if column is not None:
        properties.append(f"col={column}")
    if title:
        properties.append(f"title={escape_property(title)}")
    return f"::{severity} {','.join(properties)}::{escape_data(message)}"
