"""Problems found in documents: collected as data, formatted by reporters in the CLI."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

ProblemCode = Literal["file", "yaml", "schema", "reference", "semantic"]
PathSegment = str | int


def format_json_path(segments: Sequence[PathSegment]) -> str:
    """``['steps', 2, 'expect', 'status']`` -> ``steps[2].expect.status``."""
    text = ""
    for segment in segments:
        if isinstance(segment, int):
            text += f"[{segment}]"
        else:
            text += f".{segment}" if text else segment
    return text


@dataclass(frozen=True)
class Problem:
    file: Path
    message: str
    code: ProblemCode
    line: int | None = None
    column: int | None = None
    json_path: tuple[PathSegment, ...] = ()
    hint: str | None = None

    @property
    def location(self) -> str:
        where = str(self.file)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    @property
    def path_text(self) -> str:
        return format_json_path(self.json_path)

    def format(self) -> str:
        """``runbooks/x.yaml:12:5: steps[2].expect.status: message``."""
        text = f"{self.location}: "
        if self.json_path:
            text += f"{self.path_text}: "
        return text + self.message
