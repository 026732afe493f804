"""Named queries over the registry, scoped by the caller's commune filter."""

from __future__ import annotations

from sqlalchemy import or_, select

from benefits.extensions import db
from benefits.people.models import Person
from benefits.registry.models import Beneficiary

PAGE = 50


def search_beneficiaries(scope, text: str = "", after_id: int | None = None) -> list[Beneficiary]:
    """By name or ID number within the scope, keyset-paginated on the id."""
    query = select(Beneficiary).join(Person).where(scope)
    text = text.strip()
    if text:
        if text.isdigit():
            query = query.where(Person.national_id.startswith(text))
        else:
            query = query.where(or_(Person.full_name.ilike(f"%{text}%"), Beneficiary.code == text))
    if after_id:
        query = query.where(Beneficiary.id > after_id)
    return list(db.session.scalars(query.order_by(Beneficiary.id).limit(PAGE)))
