"""Reading uploaded files from a request, and serving a stored attachment."""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, send_file
from werkzeug.datastructures import FileStorage

from benefits.cases.attachments import MAX_FILE_BYTES, Upload
from benefits.cases.models import Attachment
from benefits.extensions import db


def uploads_from(files: list[FileStorage]) -> list[Upload]:
    result = []
    for storage in files or []:
        if not storage or not storage.filename:
            continue
        # Read one byte past the limit: enough to refuse, never the whole of a huge file.
        content = storage.stream.read(MAX_FILE_BYTES + 1)
        result.append(Upload(storage.filename, content))
    return result


def upload_folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def send_case_attachment(case, attachment_id: int):
    """A paper of ``case`` (already checked to be in the caller's reach), or 404."""
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.case_id != case.id:
        abort(404)
    return send_file(
        upload_folder() / attachment.stored_name,
        mimetype=attachment.content_type,
        download_name=attachment.original_name,
        as_attachment=True,
    )
