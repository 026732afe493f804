"""Sending one email: through ``MAIL_SERVER`` when it is set, else into the log (a
development machine sends nothing)."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger(__name__)


def send_email(to: str, subject: str, body: str) -> None:
    server = current_app.config.get("MAIL_SERVER")
    if not server:
        log.info("email to %s: %s\n%s", to, subject, body)
        return
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(server, current_app.config["MAIL_PORT"], timeout=10) as smtp:
        smtp.send_message(message)
