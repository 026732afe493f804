"""Persons the portal knows (the population register, as far as this product holds it)
and their residence (cư trú)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from benefits.extensions import db
from benefits.models_base import Timestamps
from benefits.people.names import vietnamese_sort_key


class Person(Timestamps, db.Model):
    __tablename__ = "persons"
    __table_args__ = (CheckConstraint("sex IN ('M', 'F')", name="sex_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Số định danh cá nhân: the unique key of a person (interchange section 1).
    national_id: Mapped[str] = mapped_column(String(12), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    # people.names.vietnamese_sort_key(full_name): payment lists sort on it (binary order).
    name_sort_key: Mapped[str | None] = mapped_column(String(600))
    date_of_birth: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(1))
    # Permanent residence (thường trú).
    commune_code: Mapped[str] = mapped_column(ForeignKey("communes.code"), index=True)
    address: Mapped[str | None] = mapped_column(String(255))
    died_on: Mapped[date | None] = mapped_column(Date)
    # Xóa đăng ký thường trú (Decree 63/2024): recorded from the death registration.
    residence_deregistered_on: Mapped[date | None] = mapped_column(Date)
    residence_deregistration_ref: Mapped[str | None] = mapped_column(String(40))

    residence_events: Mapped[list[ResidenceEvent]] = relationship(
        back_populates="person", order_by="ResidenceEvent.id"
    )

    @validates("full_name")
    def _keep_sort_key(self, _key: str, value: str) -> str:
        self.name_sort_key = vietnamese_sort_key(value)
        return value

    def __repr__(self) -> str:
        return f"<Person {self.id}>"


class ResidenceEvent(db.Model):
    """Residence history: registration, a move, a deregistration (with its reference)."""

    __tablename__ = "residence_events"
    __table_args__ = (
        CheckConstraint("kind IN ('registered', 'moved', 'deregistered')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    commune_code: Mapped[str] = mapped_column(ForeignKey("communes.code"))
    address: Mapped[str | None] = mapped_column(String(255))
    on_date: Mapped[date] = mapped_column(Date)
    reference: Mapped[str | None] = mapped_column(String(60))

    person: Mapped[Person] = relationship(back_populates="residence_events")
