"""Persons known to the portal, personal ID numbers and residence."""
