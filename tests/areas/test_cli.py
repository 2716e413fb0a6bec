"""`flask areas load`."""
from __future__ import annotations

from sqlalchemy import func, select

from app.areas.models import Area

CSV = ("code,name_ja,name_en,kind,parent_code\n"
       "01000,北海道,Hokkaido,prefecture,\n"
       "01100,札幌市,Sapporo,municipality,01000\n")


def test_areas_load_prints_how_many(app, db, tmp_path):
    path = tmp_path / "areas.csv"
    path.write_text(CSV, encoding="utf-8")
    runner = app.test_cli_runner()
    first = runner.invoke(args=["areas", "load", "--path", str(path)])
    assert first.exit_code == 0, first.output
    assert "Loaded 2 areas (2 new)." in first.output
    second = runner.invoke(args=["areas", "load", "--path", str(path)])
    assert "Loaded 2 areas (0 new)." in second.output
    assert db.session.scalar(select(func.count()).select_from(Area)) == 2


def test_areas_load_reports_a_bad_file(app, db, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("code,name_ja,name_en,kind,parent_code\nabc,x,,municipality,\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["areas", "load", "--path", str(path)])
    assert result.exit_code != 0 and "not 5 digits" in result.output
    assert db.session.scalar(select(func.count()).select_from(Area)) == 0
