"""Sending one email: through ``MAIL_SERVER`` when it is set, else, on a development
machine only, into the log (it sends nothing). Anywhere else an email without a server is
not sent, and the log says so without its body or its full address: a body holds names
and a password-reset link (decision 105)."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger(__name__)


def masked_address(address: str) -> str:
    """``d***@example.vn``: whose mailbox it is stays out of the log."""
    local, _at, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def send_email(to: str, subject: str, body: str) -> None:
    server = current_app.config.get("MAIL_SERVER")
    if not server:
        if current_app.config.get("ENV_NAME") == "development":
            log.info("email to %s: %s\n%s", to, subject, body)
        else:
            log.warning("email to %s not sent: MAIL_SERVER is not set", masked_address(to))
        return
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(server, current_app.config["MAIL_PORT"], timeout=10) as smtp:
        smtp.send_message(message)
