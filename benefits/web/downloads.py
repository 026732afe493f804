"""Sending a file a function writes, leaving nothing behind on disk."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from flask import send_file


def send_written_file(write, download_name: str, mimetype: str | None = None):
    """Send a file that ``write(path)`` makes: the file is unlinked as soon as it is open,
    and the open handle is streamed, then closed (as the payment exports do)."""
    fd, path = tempfile.mkstemp(suffix=Path(download_name).suffix)
    os.close(fd)
    try:
        write(path)
        handle = open(path, "rb")  # noqa: SIM115 - send_file closes it after the response
    finally:
        os.unlink(path)
    return send_file(handle, as_attachment=True, download_name=download_name, mimetype=mimetype)
