"""A small map for the furusato tests: Hokkaido with Sapporo (and its Chuo ward) and Otaru,
Tokyo with Shinjuku; programmes open in Sapporo and Otaru."""
from __future__ import annotations

from dataclasses import dataclass

from app.furusato import services


@dataclass
class Map:
    hokkaido: object
    sapporo: object
    chuo: object
    otaru: object
    tokyo: object
    shinjuku: object
    sapporo_programme: object
    otaru_programme: object


def build_map(make, db) -> Map:
    hokkaido = make.area("01000", "北海道", "Hokkaido", kind="prefecture")
    sapporo = make.area("01100", "札幌市", "Sapporo", parent=hokkaido)
    chuo = make.area("01101", "札幌市中央区", "Chuo Ward, Sapporo", kind="ward", parent=sapporo)
    otaru = make.area("01203", "小樽市", "Otaru", parent=hokkaido)
    tokyo = make.area("13000", "東京都", "Tokyo", kind="prefecture")
    shinjuku = make.area("13104", "新宿区", "Shinjuku", parent=tokyo)
    sapporo_programme = services.save_programme(
        db.session, sapporo, description_ja="札幌のふるさと住民", description_en="Sapporo's",
        categories="雪かきボランティア\n観光案内", is_open=True)
    otaru_programme = services.save_programme(
        db.session, otaru, description_ja="小樽のふるさと住民", description_en="",
        categories="運河清掃", is_open=True)
    db.session.commit()
    return Map(hokkaido, sapporo, chuo, otaru, tokyo, shinjuku, sapporo_programme,
               otaru_programme)
