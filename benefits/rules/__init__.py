"""Dated rule tables (standard level, coefficients, one-off amounts) and the one
entitlement definition, in Python and as SQL."""
