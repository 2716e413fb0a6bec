"""Areas list and wide-area regions: create, bad codes, edit members, delete (used or not)."""
from __future__ import annotations


import pytest
from sqlalchemy import select

from app.admin.models import AuditEntry
from app.areas.models import Area, RegionMember
from tests.conftest import login
from tests.dom import field_error as _error


@pytest.fixture
def admin_client(client, world, make):
    hokkaido = make.area("01000", "北海道", "Hokkaido", kind="prefecture")
    make.area("01101", "札幌市中央区", "", kind="ward", parent=world.sapporo)
    make.area("01217", "江別市", "Ebetsu", parent=hokkaido)
    login(client, world.admin.email)
    client.get("/lang/en")
    return client


def _members(db, code: str) -> list[str]:
    region = db.session.scalar(select(Area).where(Area.code == code))
    return sorted(db.session.scalars(
        select(Area.code).join(RegionMember, RegionMember.area_id == Area.id)
        .where(RegionMember.region_id == region.id)))


def test_area_list_search_and_kind(admin_client):
    html = admin_client.get("/admin/areas?q=札幌").get_data(as_text=True)
    assert "01100" in html and "01101" in html and "01217" not in html
    html = admin_client.get("/admin/areas?q=札幌&kind=ward").get_data(as_text=True)
    assert '<th scope="row">01101</th>' in html and '<th scope="row">01100</th>' not in html
    assert "01100 Sapporo" in html  # the parent of the ward
    html = admin_client.get("/admin/areas?q=０１２").get_data(as_text=True)  # full-width digits
    assert '<th scope="row">01217</th>' in html and '<th scope="row">01203</th>' in html
    html = admin_client.get("/admin/areas?q=ebe").get_data(as_text=True)
    assert '<th scope="row">01217</th>' in html
    # A LIKE wildcard typed by the admin matches itself only.
    assert "No area matches." in admin_client.get("/admin/areas?q=%25").get_data(as_text=True)
    # Regions are listed apart, with their member and space counts.
    html = admin_client.get("/admin/areas").get_data(as_text=True)
    assert "R-SAPPORO-OTARU" in html and '<th scope="row">R-SAPPORO-OTARU</th>' not in html


def test_create_region_with_fullwidth_and_mixed_separators(admin_client, db):
    response = admin_client.post("/admin/areas/regions/new", data={
        "code": "ｒ-ｓａｐｐｏｒｏ-ｅｂｅｔｓｕ", "name_ja": "札幌江別", "name_en": "Sapporo-Ebetsu",
        "members": "０１１００、 01217\n\n"})
    assert response.status_code == 302
    assert _members(db, "R-SAPPORO-EBETSU") == ["01100", "01217"]
    entry = db.session.scalars(select(AuditEntry)).one()
    assert (entry.action, entry.target, entry.detail["members"]) == (
        "region.create", "region:R-SAPPORO-EBETSU", ["01100", "01217"])


@pytest.mark.parametrize("code,message", [
    ("01234", "A 5-digit code belongs to a local government"),
    ("R_BAD", "A region code starts with R-"),
    ("SAPPORO", "A region code starts with R-"),
    ("R-", "A region code starts with R-"),
    ("R-ÄÖ", "A region code starts with R-"),
    ("R-" + "X" * 30, "Use at most 20 characters."),
    ("r-sapporo-otaru", "The code R-SAPPORO-OTARU is already used."),
])
def test_create_region_bad_codes(admin_client, db, code, message):
    html = admin_client.post("/admin/areas/regions/new", data={
        "code": code, "name_ja": "試験", "name_en": "Test", "members": "01100\n01217"}
    ).get_data(as_text=True)
    assert message in _error(html, "code")
    assert 'value="試験"' in html  # what was typed stays
    assert db.session.scalar(select(Area).where(Area.code == "R-X")) is None
    assert db.session.scalars(select(AuditEntry)).all() == []
    assert len(db.session.scalars(select(Area).where(Area.kind == "region")).all()) == 1


@pytest.mark.parametrize("members,message", [
    ("01100\n99999\n98765", "Unknown area codes: 99999, 98765."),
    ("01100, 0121, abc", "These are not 5-digit area codes: 0121, abc."),
    ("01100", "A region is made of at least two areas."),
    ("01100\n01100", "A region is made of at least two areas."),
    ("01100\n01101", "01101 札幌市中央区 lies within 01100 札幌市"),
    ("01000\n01217", "01217 江別市 lies within 01000 北海道"),
])
def test_create_region_bad_members(admin_client, db, members, message):
    html = admin_client.post("/admin/areas/regions/new", data={
        "code": "R-NEW", "name_ja": "新", "name_en": "New", "members": members}
    ).get_data(as_text=True)
    assert message in _error(html, "members")
    assert db.session.scalar(select(Area).where(Area.code == "R-NEW")) is None


def test_create_region_reports_every_field_at_once(admin_client):
    html = admin_client.post("/admin/areas/regions/new", data={
        "code": "01100", "name_ja": "", "name_en": "X", "members": "77777"}).get_data(as_text=True)
    assert _error(html, "code") and _error(html, "name_ja") and _error(html, "members")


def test_edit_region_members_and_names(admin_client, db):
    form = admin_client.get("/admin/areas/regions/r-sapporo-otaru/edit").get_data(as_text=True)
    assert "01100\n01203</textarea>" in form
    response = admin_client.post("/admin/areas/regions/R-SAPPORO-OTARU/edit", data={
        "name_ja": "札幌・小樽・江別", "name_en": "Sapporo, Otaru, Ebetsu",
        "members": "01203\n01217"})
    assert response.status_code == 302
    assert _members(db, "R-SAPPORO-OTARU") == ["01203", "01217"]
    region = db.session.scalar(select(Area).where(Area.code == "R-SAPPORO-OTARU"))
    assert region.name_ja == "札幌・小樽・江別"
    entry = db.session.scalars(select(AuditEntry)).one()
    assert entry.action == "region.update"
    assert (entry.detail["added"], entry.detail["removed"]) == (["01217"], ["01100"])


def test_edit_region_bad_members_changes_nothing(admin_client, db):
    html = admin_client.post("/admin/areas/regions/R-SAPPORO-OTARU/edit", data={
        "name_ja": "変更", "name_en": "Changed", "members": "01100\n12345"}).get_data(as_text=True)
    assert "Unknown area codes: 12345." in _error(html, "members")
    assert "01100\n12345</textarea>" in html
    db.session.expire_all()
    assert _members(db, "R-SAPPORO-OTARU") == ["01100", "01203"]
    assert db.session.scalar(select(Area.name_ja).where(Area.code == "R-SAPPORO-OTARU")) == "札幌小樽"


def test_delete_unused_region(admin_client, db):
    response = admin_client.post("/admin/areas/regions/R-SAPPORO-OTARU/delete",
                                 data={"confirm": "yes"}, follow_redirects=True)
    assert "Region R-SAPPORO-OTARU deleted." in response.get_data(as_text=True)
    assert db.session.scalar(select(Area).where(Area.code == "R-SAPPORO-OTARU")) is None
    assert db.session.scalars(select(RegionMember)).all() == []
    # The member areas themselves stay.
    assert db.session.scalar(select(Area).where(Area.code == "01203")) is not None
    assert db.session.scalars(select(AuditEntry.action)).all() == ["region.delete"]


def test_delete_needs_confirmation(admin_client, db):
    admin_client.post("/admin/areas/regions/R-SAPPORO-OTARU/delete", data={})
    assert db.session.scalar(select(Area).where(Area.code == "R-SAPPORO-OTARU")) is not None


def test_delete_region_in_use_is_refused(admin_client, world, make, db):
    make.space("region-space", area=world.region)
    response = admin_client.post("/admin/areas/regions/R-SAPPORO-OTARU/delete",
                                 data={"confirm": "yes"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "R-SAPPORO-OTARU is the area of 1 space(s)" in html
    assert db.session.scalar(select(Area).where(Area.code == "R-SAPPORO-OTARU")) is not None
    assert db.session.scalars(select(AuditEntry)).all() == []


def test_a_refused_region_answers_422_and_writes_nothing(admin_client, db):
    response = admin_client.post("/admin/areas/regions/new", data={
        "code": "R-NEW", "name_ja": "新", "name_en": "New", "members": "01100\n99999"})
    assert response.status_code == 422
    assert "Unknown area codes: 99999." in _error(response.get_data(as_text=True), "members")
    response = admin_client.post("/admin/areas/regions/R-SAPPORO-OTARU/edit", data={
        "name_ja": "変更", "name_en": "Changed", "members": "01100"})
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.scalar(select(Area).where(Area.code == "R-NEW")) is None
    assert _members(db, "R-SAPPORO-OTARU") == ["01100", "01203"]
    assert db.session.scalars(select(AuditEntry)).all() == []
