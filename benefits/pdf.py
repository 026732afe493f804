"""What every PDF of the portal shares: the font that carries every Vietnamese diacritic
(DejaVu Sans, Debian package fonts-dejavu-core) and the masked ID number printed on paper."""

from __future__ import annotations

import logging
from pathlib import Path

from benefits.errors import DomainError

# fontTools logs every glyph subset at INFO; the operator needs none of it.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT_PATHS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
)


def dejavu_font() -> Path:
    """The first DejaVu Sans (regular) found on this machine."""
    for path in FONT_PATHS:
        if path.exists():
            return path
    raise DomainError("DejaVu Sans is not installed (Debian package fonts-dejavu-core)")


def masked_for_signature(national_id: str) -> str:
    """All digits hidden but the last 3 (issue 7: ID masked except the last 3 digits)."""
    return "*" * (len(national_id) - 3) + national_id[-3:]
