"""A real SMTP server on loopback (aiosmtpd) that keeps what the portal sends."""

from __future__ import annotations

import contextlib
import re
import socket
from email import message_from_bytes
from email.policy import default as default_policy

from aiosmtpd.controller import Controller

PUBLIC_URL = "https://dichvucong.example.vn"


class Mailbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"

    def body(self, index: int = -1) -> str:
        return self.messages[index].get_body(preferencelist=("plain",)).get_content()

    def reset_path(self, index: int = -1) -> str:
        """The path of the password reset link in a message."""
        match = re.search(re.escape(PUBLIC_URL) + r"(/password/reset/\S+)", self.body(index))
        assert match, self.body(index)
        return match.group(1)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def mailbox_for(app):
    """``app`` sends its emails to a new mailbox, its links made from ``PUBLIC_URL``."""
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    saved = {key: app.config[key] for key in ("MAIL_SERVER", "MAIL_PORT", "PUBLIC_URL")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, PUBLIC_URL=PUBLIC_URL)
    try:
        yield box
    finally:
        app.config.update(saved)
        controller.stop()
