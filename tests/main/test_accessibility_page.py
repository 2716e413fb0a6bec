"""The accessibility statement states the last recorded walk's results, in both languages."""
from __future__ import annotations

import json

from app.main import accessibility
from tests.dom import main_text, texts


def _report(tmp_path, width, locale, serious=(), moderate=()):
    path = tmp_path / f"axe-{width}-{locale}.json"
    path.write_text(json.dumps({"width": width, "locale": locale, "pages": 70,
                                "axe_version": "4.14.1", "tags": ["wcag2a", "wcag2aa"],
                                "serious_or_critical": list(serious),
                                "moderate_or_minor": list(moderate)}), encoding="utf-8")
    return path


def test_the_summary_counts_each_run(tmp_path):
    files = [_report(tmp_path, "phone", "ja", moderate=["x"]), _report(tmp_path, "desktop", "en")]
    summary = accessibility.summarise(files, "2026-12-07")
    assert summary["tested_on"] == "2026-12-07" and summary["axe_version"] == "4.14.1"
    assert {(r["width"], r["locale"], r["serious_or_critical"], r["moderate_or_minor"])
            for r in summary["runs"]} == {("phone", "ja", 0, 1), ("desktop", "en", 0, 0)}


def test_the_page_states_the_recorded_results(client, tmp_path, monkeypatch):
    results = tmp_path / "results.json"
    files = [_report(tmp_path, "phone", "ja"), _report(tmp_path, "desktop", "en", serious=["y"])]
    results.write_text(json.dumps(accessibility.summarise(files, "2026-12-07")), encoding="utf-8")
    monkeypatch.setattr(accessibility.load_results, "__defaults__", (results,))
    html = client.get("/accessibility").get_data(as_text=True)
    assert "JIS X 8341-3:2016" in html and "2026-12-07" in html
    assert "影響が「重大」または「致命的」な問題が見つかりました" in main_text(html)
    assert texts(html, "tbody td.num") == ["70", "1", "0", "70", "0", "0"]
    client.get("/lang/en")
    html = client.get("/accessibility").get_data(as_text=True)
    assert "Problems of serious or critical impact were found" in html


def test_without_a_recorded_run_the_page_says_so(client, tmp_path, monkeypatch):
    monkeypatch.setattr(accessibility.load_results, "__defaults__", (tmp_path / "none.json",))
    client.get("/lang/en")
    html = client.get("/accessibility").get_data(as_text=True)
    assert "No test result has been recorded yet." in html


def test_the_checked_in_results_are_a_passing_walk_of_every_page():
    results = accessibility.load_results()
    assert results is not None, "run `make accessibility-report` and commit the file"
    assert len(results.runs) == 4 and results.passed and results.pages > 60


def test_the_footer_links_the_statement(client):
    assert 'href="/accessibility"' in client.get("/").get_data(as_text=True)
