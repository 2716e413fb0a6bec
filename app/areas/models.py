"""Areas: prefectures, municipalities and wards by local government code, and wide-area regions."""
from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

AREA_KINDS = ("nation", "prefecture", "municipality", "ward", "region")


class Area(db.Model):
    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    # 5-digit local government code (札幌市 = 01100); regions get an admin-chosen code like R-HOKKAIDO.
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name_ja: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100), default="")
    kind: Mapped[str] = mapped_column(String(20), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)

    parent: Mapped[Area | None] = relationship(remote_side=[id])
    members: Mapped[list[Area]] = relationship(
        secondary="region_members",
        primaryjoin="Area.id == RegionMember.region_id",
        secondaryjoin="Area.id == RegionMember.area_id",
        order_by="Area.code",
        viewonly=True,
    )

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name_ja

    @property
    def is_region(self) -> bool:
        return self.kind == "region"

    def __repr__(self) -> str:
        return f"<Area {self.code} {self.name_ja}>"


class RegionMember(db.Model):
    """A wide-area region (広域リージョン) is made of several areas; its population is their sum."""

    __tablename__ = "region_members"

    region_id: Mapped[int] = mapped_column(
        ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True
    )
    area_id: Mapped[int] = mapped_column(
        ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True
    )
