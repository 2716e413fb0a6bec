"""Write docs/accessibility-results.json from the accessibility walk's report files
(`make accessibility-report` runs the walk first). Usage: accessibility_report.py REPORT_DIR"""
from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.main.accessibility import RESULTS_FILE, summarise  # noqa: E402


def main(report_dir: str) -> int:
    files = sorted(Path(report_dir).glob("axe-*.json"))
    if len(files) != 4:
        print(f"expected 4 report files (phone/desktop × ja/en) in {report_dir}, found {len(files)}",
              file=sys.stderr)
        return 2
    summary = summarise(files, date.today().isoformat())
    RESULTS_FILE.write_text(json.dumps(summary, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS_FILE}: {summary['runs']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "instance/accessibility"))
