"""Attachments: PDF, JPEG or PNG only, checked by content, 10 MB each and 30 MB a dossier,
stored outside the web root under a random name with their SHA-256 (issue 5)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, event, func, select
from sqlalchemy.orm import Session

from benefits.cases.models import Attachment, Case
from benefits.errors import DomainError
from benefits.extensions import db

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_DOSSIER_BYTES = 30 * 1024 * 1024
# A whole gallery picked by mistake is refused; a dossier's papers fit well within (decision 50).
MAX_DOSSIER_FILES = 20
# The files of the papers deleted in a transaction, removed from the disk once it commits.
_FILES_TO_REMOVE = "benefits_attachment_files_to_remove"
_FILES_WRITTEN = "benefits_attachment_files_written"
# The first bytes of each allowed type: the name and the browser's claim are not trusted.
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


class AttachmentRefused(DomainError):
    pass


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes


def sniff_type(content: bytes) -> str | None:
    return next((kind for magic, kind in SIGNATURES if content.startswith(magic)), None)


def check_uploads(uploads: list[Upload], already_bytes: int = 0,
                  already_files: int = 0) -> list[tuple[Upload, str]]:  # fmt: skip
    """Refuse the whole set when one file is wrong: nothing is stored then."""
    if already_files + len(uploads) > MAX_DOSSIER_FILES:
        raise AttachmentRefused(
            _l("A dossier may have at most %(n)s files; choose fewer (a PDF can hold several "
               "pages).", n=MAX_DOSSIER_FILES),
            field="attachments",
        )  # fmt: skip
    checked = []
    total = already_bytes
    for upload in uploads:
        if not upload.content:
            raise AttachmentRefused(
                _l("%(name)s is empty: choose the file again, or another one.",
                   name=upload.filename),
                field="attachments",
            )  # fmt: skip
        kind = sniff_type(upload.content)
        if kind is None:
            raise AttachmentRefused(
                _l("%(name)s is not a PDF, JPEG or PNG file.", name=upload.filename),
                field="attachments",
            )
        if len(upload.content) > MAX_FILE_BYTES:
            raise AttachmentRefused(
                _l("%(name)s is larger than 10 MB.", name=upload.filename), field="attachments"
            )
        total += len(upload.content)
        checked.append((upload, kind))
    if total > MAX_DOSSIER_BYTES:
        raise AttachmentRefused(_l("A dossier's attachments may not exceed 30 MB in all."),
                                field="attachments")  # fmt: skip
    return checked


def attached_bytes(case: Case) -> int:
    return db.session.scalar(
        select(func.coalesce(func.sum(Attachment.size_bytes), 0)).where(
            Attachment.case_id == case.id
        )
    )


def store_attachments(case: Case, uploads: list[Upload], folder: Path) -> list[Attachment]:
    """Store the papers; one already on the dossier (the same bytes, sent again by a double
    click or the Back button) is kept once."""
    checked = check_uploads(
        uploads,
        attached_bytes(case) if case.id else 0,
        len(case.attachments) if case.id else 0,
    )
    folder.mkdir(parents=True, exist_ok=True)
    seen = set(
        db.session.scalars(select(Attachment.sha256).where(Attachment.case_id == case.id))
        if case.id
        else ()
    )
    stored = []
    for upload, kind in checked:
        digest = hashlib.sha256(upload.content).hexdigest()
        if digest in seen:
            continue
        seen.add(digest)
        name = secrets.token_hex(16)
        (folder / name).write_bytes(upload.content)
        # Removed again if the transaction is rolled back (a refused or concurrent
        # submission): no file is left without its row.
        db.session().info.setdefault(_FILES_WRITTEN, []).append(folder / name)
        attachment = Attachment(
            case_id=case.id, original_name=Path(upload.filename).name[:255] or "file",
            stored_name=name, sha256=digest,
            content_type=kind, size_bytes=len(upload.content),
        )  # fmt: skip
        db.session.add(attachment)
        stored.append(attachment)
    db.session.flush()
    return stored


def delete_attachments(case: Case, folder: Path) -> int:
    """Delete the dossier's papers: their rows now, their files once the transaction
    commits (a rollback keeps both; a file is never gone while its row remains).
    Returns how many there were."""
    names = list(
        db.session.scalars(select(Attachment.stored_name).where(Attachment.case_id == case.id))
    )
    db.session.execute(delete(Attachment).where(Attachment.case_id == case.id))
    db.session.expire(case, ["attachments"])
    db.session().info.setdefault(_FILES_TO_REMOVE, []).extend(folder / name for name in names)
    return len(names)


@event.listens_for(Session, "after_commit")
def _remove_deleted_files(session: Session) -> None:
    for path in session.info.pop(_FILES_TO_REMOVE, ()):
        path.unlink(missing_ok=True)
    session.info.pop(_FILES_WRITTEN, None)  # their rows are committed


@event.listens_for(Session, "after_soft_rollback")
def _undo_files_of_rolled_back_transaction(session: Session, previous_transaction) -> None:
    # As the jobs (benefits.jobs): only the outermost transaction's rollback counts. The
    # files it deleted stay; the files it wrote go.
    if previous_transaction.parent is None and not previous_transaction.nested:
        session.info.pop(_FILES_TO_REMOVE, None)
        for path in session.info.pop(_FILES_WRITTEN, ()):
            path.unlink(missing_ok=True)
