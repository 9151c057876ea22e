"""Time the site build with the generator against MkDocs on the same pages as plain Markdown.

For the real corpus and for a generated 1,000-document corpus, in one run:

* full:  ``mkdocs build`` with the hook (load the YAML, render every page, build);
* plain: ``mkdocs build`` of the very same pages pre-rendered to Markdown files, with the
         same theme, extensions and navigation, but no hook.

Both run as fresh processes, so interpreter start-up counts for both; the generator's cost is
the difference. Target: the generator adds at most 15%. CPU time (user + system of the build
process) is the figure to judge by on a shared machine; wall time is shown too. Also reports
the weight of a typical playbook page: its HTML and every file it loads, raw and gzipped.

Usage: python bench/site.py [--count N] [--repeat R]
"""

from __future__ import annotations

import argparse
import gzip
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import yaml
from mkdocs.utils import yaml_load

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import REPO, write_corpus  # noqa: E402

from runbook.loader import load_corpus  # noqa: E402
from runbook.loader.schema import schema  # noqa: E402
from runbook.render import Renderer, navigation  # noqa: E402

AS_OF = date(2026, 11, 25)
TARGET = 0.15
PLAYBOOK = Path("playbooks") / "payment-system-failure" / "index.html"


def project_copy(root: Path, corpus: Path | None) -> Path:
    """The site project (mkdocs.yml, site/, generator/) with a corpus, in a scratch folder."""
    project = root / "project"
    project.mkdir()
    shutil.copy(REPO / "mkdocs.yml", project / "mkdocs.yml")
    ignore = shutil.ignore_patterns("__pycache__")
    for name in ("site", "generator"):
        shutil.copytree(REPO / name, project / name, ignore=ignore)
    if corpus is None:
        shutil.copytree(REPO / "runbooks", project / "runbooks", ignore=ignore)
    else:
        shutil.move(corpus, project / "runbooks")
    return project


def plain_project(project: Path) -> tuple[Path, float, int]:
    """Pre-render the pages into docs-plain/ and write plain.yml building them without the hook.

    Returns the config, the in-process load+render time and the number of pages rendered.
    """
    started = time.perf_counter()
    result = load_corpus(corpus_root=project / "runbooks")
    renderer = Renderer(project / "generator" / "templates", schema=schema(), source_root=project)
    pages = renderer.render(result.corpus, AS_OF)
    rendering = time.perf_counter() - started
    docs = project / "docs-plain"
    shutil.copytree(project / "site", docs, ignore=shutil.ignore_patterns("overrides"))
    for relative, markdown in pages.items():
        target = docs / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(markdown, encoding="utf-8")
    sections = navigation(result.corpus)
    with (project / "mkdocs.yml").open(encoding="utf-8") as file:
        nav = yaml_load(file)["nav"]  # MkDocs' loader: it knows the !ENV and python tags
    config = {
        "INHERIT": "mkdocs.yml",
        "docs_dir": "docs-plain",
        "hooks": [],
        "extra": {"version": None},  # as the hook does outside mike
        "nav": _expand(nav, sections),
    }
    plain = project / "plain.yml"
    plain.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return plain, rendering, len(pages)


def _expand(nav: object, sections: dict[str, list[str]]) -> object:
    if isinstance(nav, list):
        return [_expand(item, sections) for item in nav]
    if isinstance(nav, dict):
        return {
            title: [value, *sections[value]]
            if isinstance(value, str) and value in sections
            else _expand(value, sections)
            for title, value in nav.items()
        }
    return nav


def build(project: Path, config: str, out: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system) of one ``mkdocs build`` process."""
    environment = dict(os.environ, RUNBOOK_AS_OF=AS_OF.isoformat(), NO_MKDOCS_2_WARNING="1")
    environment.pop("MIKE_DOCS_VERSION", None)
    command = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", config, "-d", str(out)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(
        command, cwd=project, env=environment, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def html_count(site: Path) -> int:
    return sum(1 for _ in site.rglob("*.html"))


def compare(label: str, project: Path, repeat: int) -> Path:
    plain, rendering, pages = plain_project(project)
    full_runs, plain_runs = [], []
    full_out, plain_out = project / "out-full", project / "out-plain"
    for _ in range(repeat):  # interleaved, so drifting load on the machine hits both alike
        plain_runs.append(build(project, str(plain), plain_out))
        full_runs.append(build(project, "mkdocs.yml", full_out))
    if html_count(full_out) != html_count(plain_out):
        sys.exit(f"{label}: the two builds wrote different pages; the comparison is unfair")
    print(f"\n{label}: {pages} generated pages, {html_count(full_out)} HTML files")
    print(f"  load + render in-process:         {rendering:6.2f} s")
    for index, what in ((1, "CPU time"), (0, "wall time")):
        bare = statistics.median(run[index] for run in plain_runs)
        full = statistics.median(run[index] for run in full_runs)
        overhead = (full - bare) / bare
        verdict = "within" if overhead <= TARGET else "OVER"
        print(f"  {what}, median of {repeat}:")
        print(f"    mkdocs build, plain Markdown:     {bare:6.2f} s")
        print(f"    mkdocs build with the generator:  {full:6.2f} s")
        print(f"    generator adds {overhead:+.1%} ({verdict} the {TARGET:.0%} target)")
    return full_out


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.paths: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and values.get("src"):
            self.paths.append(values["src"] or "")
        if tag == "link" and values.get("rel") in ("stylesheet", "icon") and values.get("href"):
            self.paths.append(values["href"] or "")


def page_weight(site: Path) -> None:
    page = site / PLAYBOOK
    parser = _Assets()
    parser.feed(page.read_text(encoding="utf-8"))
    files = [page] + [(page.parent / path.split("?")[0]).resolve() for path in parser.paths]
    print(f"\npage weight of {PLAYBOOK.parent} (every file the page loads on a cold cache):")
    total_raw = total_gzip = 0
    for path in files:
        data = path.read_bytes()
        raw, packed = len(data), len(gzip.compress(data, 6))
        total_raw, total_gzip = total_raw + raw, total_gzip + packed
        print(f"  {raw / 1024:8.1f} KiB  {packed / 1024:7.1f} KiB gz  {path.relative_to(site)}")
    total = f"{total_raw / 1024:8.1f} KiB  {total_gzip / 1024:7.1f} KiB gz"
    print(f"  {total}  total, {len(files)} files")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="generated documents")
    parser.add_argument("--repeat", type=int, default=3, help="builds of each kind")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "real").mkdir()
        real = compare("real corpus", project_copy(root / "real", None), args.repeat)
        page_weight(real)
        generated = root / "generated"
        generated.mkdir()
        corpus = generated / "runbooks"
        write_corpus(corpus, args.count)
        compare(
            f"generated corpus ({args.count} documents)",
            project_copy(generated, corpus),
            args.repeat,
        )


if __name__ == "__main__":
    main()
