"""Reading uploaded files from a request, serving a stored attachment and a decision's
letter."""

from __future__ import annotations

from io import BytesIO
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
    response = send_file(
        upload_folder() / attachment.stored_name,
        mimetype=attachment.content_type,
        download_name=attachment.original_name,
        as_attachment=True,
    )
    # A citizen's papers (ID card, certificates) are kept in no cache, the browser's
    # included: a shared computer at the commune office (decision 105).
    response.headers["Cache-Control"] = "no-store"
    return response


def send_decision_letter(case):
    """The PDF of the chairman's decision on ``case`` (already checked to be in the
    caller's reach), or 404 while it has none. Made from the stored decision each time,
    never cached: it names the person."""
    from benefits.cases.decision_letter import render_decision_letter
    from benefits.cases.letters import decision_letter_of

    if case.decision is None:
        abort(404)
    response = send_file(
        BytesIO(render_decision_letter(decision_letter_of(case))),
        mimetype="application/pdf",
        download_name=f"quyet-dinh-{case.code}.pdf",
        as_attachment=True,
    )
    response.headers["Cache-Control"] = "no-store"
    return response
