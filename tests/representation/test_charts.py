"""SVG chart builders: valid XML, accessible labelling, geometry proportional to the figures."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from markupsafe import Markup

from app.common.charts import BarRow, Line, line_chart, paired_bar_chart, pct

NS = {"s": "http://www.w3.org/2000/svg"}


def _bars(rows, **kw):
    args = dict(title="Age band", desc="Participants vs population", participant_label="Participants",
                population_label="Population", interval_label="95% interval",
                suppressed_text="< 5", chart_id="age")
    args.update(kw)
    return paired_bar_chart(rows, **args)


def _rects(root, css):
    return [r for r in root.iter(f"{{{NS['s']}}}rect") if r.get("class") == css]


ROWS = [
    BarRow("18–39", 0.10, 0.30, 0.05, 0.19, flag="under"),
    BarRow("40–64", 0.40, 0.40, 0.30, 0.50, flag="ok"),
    BarRow("65+", 0.50, 0.30, 0.40, 0.60, flag="over"),
]


def test_bar_chart_is_accessible_svg():
    svg = _bars(ROWS)
    assert isinstance(svg, Markup)
    root = ET.fromstring(str(svg))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "age-title age-desc"
    assert root.find("s:title", NS).get("id") == "age-title"
    assert root.find("s:title", NS).text == "Age band"
    assert root.find("s:desc", NS).text == "Participants vs population"
    assert "style=" not in str(svg)


def test_bar_widths_are_proportional_and_counted():
    root = ET.fromstring(str(_bars(ROWS)))
    part = _rects(root, "bar-participants")
    pop = _rects(root, "bar-population")
    assert len(part) == 3 and len(pop) == 3
    widths = [float(r.get("width")) for r in part]
    assert widths[1] == pytest.approx(widths[0] * 4, rel=1e-3)
    assert widths[2] == pytest.approx(widths[0] * 5, rel=1e-3)
    pop_widths = [float(r.get("width")) for r in pop]
    assert pop_widths[0] == pytest.approx(pop_widths[2])
    assert pop_widths[1] == pytest.approx(widths[1])  # same share, same length
    # Every bar starts at the same baseline.
    assert len({r.get("x") for r in part + pop}) == 1


def test_whiskers_sit_at_the_interval_ends():
    root = ET.fromstring(str(_bars(ROWS)))
    part = _rects(root, "bar-participants")
    x0 = float(part[0].get("x"))
    per_unit = float(part[0].get("width")) / 0.10
    whiskers = [g for g in root.iter(f"{{{NS['s']}}}g") if g.get("class") == "whisker"]
    assert len(whiskers) == 3
    for row, whisker in zip(ROWS, whiskers):
        main = whisker.findall("s:line", NS)[0]
        assert float(main.get("x1")) == pytest.approx(x0 + row.ci_low * per_unit, abs=0.02)
        assert float(main.get("x2")) == pytest.approx(x0 + row.ci_high * per_unit, abs=0.02)
        # the whisker is drawn through the middle of its own participant bar
        bar = part[ROWS.index(row)]
        mid = float(bar.get("y")) + float(bar.get("height")) / 2
        assert float(main.get("y1")) == pytest.approx(mid)


def test_suppressed_rows_show_no_share():
    rows = [BarRow("female", 0.6, 0.52, 0.4, 0.7), BarRow("male", None, 0.48, suppressed=True)]
    svg = str(_bars(rows, suppressed_text="< 5"))
    root = ET.fromstring(svg)
    assert len(_rects(root, "bar-participants")) == 1
    hatched = _rects(root, "bar-suppressed")
    assert len(hatched) == 1 and hatched[0].get("fill") == "url(#age-hatch)"
    texts = [t.text for t in root.iter(f"{{{NS['s']}}}text")]
    assert "< 5" in texts
    assert len([g for g in root.iter(f"{{{NS['s']}}}g") if g.get("class") == "whisker"]) == 1


def test_labels_and_ids_are_escaped():
    rows = [BarRow("<script>alert(1)</script>", 0.2, 0.3)]
    svg = str(_bars(rows, title='A "quoted" & <b>title</b>', chart_id='x" onload="evil'))
    assert "<script>" not in svg and "<b>" not in svg
    assert 'onload="' not in svg
    root = ET.fromstring(svg)  # still well-formed XML
    texts = [t.text for t in root.iter(f"{{{NS['s']}}}text")]
    assert "<script>alert(1)</script>" in texts  # shown literally, as text
    assert root.find("s:title", NS).text == 'A "quoted" & <b>title</b>'


def test_flag_words_and_axis():
    svg = str(_bars(ROWS, flag_labels={"under": "under-represented", "over": "over", "ok": "ok"}))
    root = ET.fromstring(svg)
    flags = [t.text for t in root.iter(f"{{{NS['s']}}}text") if t.get("class") == "flag-label"]
    assert flags == ["under-represented", "over"]
    ticks = [t.text for t in root.iter(f"{{{NS['s']}}}text") if t.get("class") == "tick"]
    assert ticks[0] == "0%" and ticks[-1] == "60%"


def test_pct():
    assert pct(0.1234) == "12.3%"
    assert pct(None) == "–"
    assert pct(0.5, 0) == "50%"


def test_line_chart_draws_lines_and_dashed_references():
    lines = [Line("Youth", [None, 0.2, 0.25, 0.3], reference=0.27, reference_label="Youth population"),
             Line("Women", [0.5, 0.45, None, 0.4], reference=0.54, reference_label="Women population",
                  colour="#a4366b", marker="square")]
    svg = line_chart(lines, x_labels=["01/06", "01/13", "01/20", "01/27"], title="Over time",
                     desc="Cumulative shares", chart_id="weekly")
    root = ET.fromstring(str(svg))
    assert root.get("aria-labelledby") == "weekly-title weekly-desc"
    paths = [p for p in root.iter(f"{{{NS['s']}}}path") if p.get("class") == "line"]
    assert len(paths) == 2
    assert paths[0].get("d").count("M") == 1 and paths[0].get("d").count("L") == 2
    assert paths[1].get("d").count("M") == 2  # broken by the missing week
    refs = [line for line in root.iter(f"{{{NS['s']}}}line") if line.get("class") == "ref-line"]
    assert len(refs) == 2 and all(r.get("stroke-dasharray") for r in refs)
    # the reference sits at its share on the same scale as the points
    y_ref = float(refs[0].get("y1"))
    circles = list(root.iter(f"{{{NS['s']}}}circle"))
    assert len(circles) == 3
    y_30 = float(circles[-1].get("cy"))  # 0.30
    y_20 = float(circles[0].get("cy"))   # 0.20
    assert y_20 > y_ref > y_30
    assert (y_20 - y_ref) == pytest.approx((y_20 - y_30) * 0.7, rel=1e-3)
    assert len(list(root.iter(f"{{{NS['s']}}}rect"))) == 3  # square markers of the second line


def test_line_chart_rejects_mismatched_lengths():
    with pytest.raises(ValueError):
        line_chart([Line("a", [0.1])], x_labels=["1", "2"], title="t", desc="d", chart_id="c")


def test_line_chart_thins_x_labels():
    labels = [f"w{i}" for i in range(20)]
    svg = line_chart([Line("a", [0.1] * 20)], x_labels=labels, title="t", desc="d", chart_id="c")
    root = ET.fromstring(str(svg))
    shown = [t.text for t in root.iter(f"{{{NS['s']}}}text") if "x-tick" in (t.get("class") or "")]
    assert shown[0] == "w0" and shown[-1] == "w19" and len(shown) <= 6
