"""The documentation site's pages, rendered from the corpus as plain Markdown.

``Renderer(templates).render(corpus, as_of)`` returns ``{relative path: Markdown}``; the
MkDocs hook in ``generator/hooks.py``, ``runbook render`` and ``bench/site.py`` all use it.
"""

from __future__ import annotations

from runbook.render.pages import (
    Renderer,
    TemplatesNotFound,
    find_templates,
    navigation,
    render_site,
)
from runbook.render.schedule import HOME_ZONE, today

__all__ = [
    "HOME_ZONE",
    "Renderer",
    "TemplatesNotFound",
    "find_templates",
    "navigation",
    "render_site",
    "today",
]
