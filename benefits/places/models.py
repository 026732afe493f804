"""Administrative units since 1 July 2025 (Decision 19/2025/QĐ-TTg): 34 provinces, 3,321
communes, wards and special zones (xã, phường, đặc khu), loaded by the migrations from the
``vietnam-provinces`` package."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from benefits.extensions import db


class Province(db.Model):
    """Tỉnh / thành phố trực thuộc trung ương. ``code`` is the 2-digit code (``"01"``)."""

    __tablename__ = "provinces"
    __table_args__ = {"info": {"seeded": True}}

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    division_type: Mapped[str] = mapped_column(String(40))

    communes: Mapped[list[Commune]] = relationship(back_populates="province")

    def __repr__(self) -> str:
        return f"<Province {self.code} {self.name}>"


class Commune(db.Model):
    """Xã / phường / đặc khu. ``code`` is the 5-digit code (``"00070"``)."""

    __tablename__ = "communes"
    __table_args__ = {"info": {"seeded": True}}

    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    division_type: Mapped[str] = mapped_column(String(40))
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"), index=True)

    province: Mapped[Province] = relationship(back_populates="communes")

    def __repr__(self) -> str:
        return f"<Commune {self.code} {self.name}>"
