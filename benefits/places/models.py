"""Administrative units since 1 July 2025 (Decision 19/2025/QĐ-TTg): 34 provinces, 3,321
communes, wards and special zones (xã, phường, đặc khu), loaded by the migrations from the
``vietnam-provinces`` package."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ForeignKey, String, select
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


_PROVINCE_OF_COMMUNE: dict[str, str] = {}


def province_of_commune(code: str) -> str | None:
    """The province of a commune, from the reference rows (read once per process, once
    the migrations have loaded them)."""
    if code not in _PROVINCE_OF_COMMUNE:
        # Read without flushing what the caller has not written yet (an audit row is
        # made before its change is flushed).
        with db.session.no_autoflush:
            found = db.session.execute(select(Commune.code, Commune.province_code))
            _PROVINCE_OF_COMMUNE.update(tuple(row) for row in found)
    return _PROVINCE_OF_COMMUNE.get(code)


def place_names(communes: Iterable[str] = (), *, province_of: str | None = None) -> dict[str, str]:
    """Code -> name of every province, of the ``communes`` named and, with
    ``province_of`` (a commune's code), of every commune of that commune's province."""
    names = dict(db.session.execute(select(Province.code, Province.name)).all())
    wanted = Commune.code.in_(list(communes))
    if province_of is not None:
        province = select(Commune.province_code).where(Commune.code == province_of)
        wanted |= Commune.province_code == province.scalar_subquery()
    names.update(db.session.execute(select(Commune.code, Commune.name).where(wanted)).all())
    return names
