"""Sending one SMS: through the HTTP gateway at ``SMS_GATEWAY_URL`` when it is set, else
into the log (a development machine sends nothing). The client speaks JSON over HTTP:
``POST {"to": "+84...", "text": "..."}`` with ``Authorization: Bearer <SMS_GATEWAY_TOKEN>``
when a token is set; any 2xx is a message accepted (decision 142)."""

from __future__ import annotations

import json
import logging
import urllib.request

from flask import current_app

log = logging.getLogger(__name__)


class SmsRefused(Exception):
    """The gateway answered, but not with 2xx: the outbox tries again later."""


def international(phone: str) -> str:
    """The number as gateways take it: ``0912345678`` becomes ``+84912345678``."""
    digits = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
    if digits.startswith("+"):
        return digits
    if digits.startswith("84"):
        return "+" + digits
    return "+84" + digits.removeprefix("0")


def _masked(phone: str) -> str:
    return "*" * max(len(phone) - 3, 0) + phone[-3:]


def send_sms(to: str, text: str) -> None:
    url = current_app.config.get("SMS_GATEWAY_URL")
    if not url:
        # The logging backend: never the full number; the text (a dossier code and a
        # link) only on a development machine (issue 29.5: no personal data in logs).
        if current_app.config.get("ENV_NAME") == "development":
            log.info("sms to %s: %s", _masked(to), text)
        else:
            log.info("sms to %s not sent: SMS_GATEWAY_URL is not set", _masked(to))
        return
    headers = {"Content-Type": "application/json; charset=utf-8"}
    token = current_app.config.get("SMS_GATEWAY_TOKEN")
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = json.dumps({"to": international(to), "text": text}).encode()
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (configured URL)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    if not 200 <= status < 300:
        raise SmsRefused(f"gateway answered {status}")
