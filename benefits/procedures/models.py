"""Per-province settings of the catalogue (domain.md section 2: whether public posting is
required is a per-procedure, per-province setting, on by default for the allowance)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from benefits.extensions import db


class PostingSetting(db.Model):
    __tablename__ = "posting_settings"
    __table_args__ = (UniqueConstraint("procedure_code", "province_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_code: Mapped[str] = mapped_column(String(30))
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"))
    public_posting: Mapped[bool]
