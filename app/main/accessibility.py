"""The accessibility statement's figures: the summary of the last accessibility walk
(tests/browser/test_accessibility.py), written to docs/accessibility-results.json by
`make accessibility-report` and checked in, so the page states what was really tested."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

RESULTS_FILE = Path(__file__).resolve().parents[2] / "docs" / "accessibility-results.json"


@dataclass(frozen=True)
class Run:
    width: str
    locale: str
    pages: int
    serious_or_critical: int
    moderate_or_minor: int


@dataclass(frozen=True)
class TestResults:
    tested_on: str
    axe_version: str
    tags: list[str]
    runs: list[Run]

    @property
    def pages(self) -> int:
        return max((run.pages for run in self.runs), default=0)

    @property
    def passed(self) -> bool:
        return bool(self.runs) and all(run.serious_or_critical == 0 for run in self.runs)


def summarise(report_files: list[Path], tested_on: str) -> dict:
    """The checked-in summary made from the walk's per-run report files."""
    runs, version, tags = [], "", []
    for path in sorted(report_files):
        report = json.loads(path.read_text(encoding="utf-8"))
        version, tags = report["axe_version"], report["tags"]
        runs.append({"width": report["width"], "locale": report["locale"],
                     "pages": report["pages"],
                     "serious_or_critical": len(report["serious_or_critical"]),
                     "moderate_or_minor": len(report["moderate_or_minor"])})
    return {"tested_on": tested_on, "axe_version": version, "tags": tags, "runs": runs}


def load_results(path: Path = RESULTS_FILE) -> TestResults | None:
    """The last walk's results, or None when none has been recorded."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return TestResults(tested_on=data["tested_on"], axe_version=data["axe_version"],
                       tags=list(data["tags"]), runs=[Run(**run) for run in data["runs"]])
