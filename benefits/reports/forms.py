"""The reports pages' one form: ask for the figures to be computed again."""

from __future__ import annotations

from flask_wtf import FlaskForm


class RefreshForm(FlaskForm):
    """A button only; the form carries the CSRF token."""
