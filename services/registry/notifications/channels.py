"""The external channels behind one interface: `send(outgoing)` hands a message over or raises
`DeliveryFailed` with why. The in-app channel needs no adapter: the inbox row is the delivery.

Adapters get the address already decrypted and never log the message text."""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Protocol

from services.registry.notifications.domain import Channel, Kind, mask_email
from shared.settings import Settings

log = logging.getLogger("linli.registry.notifications")


class DeliveryFailed(Exception):
    """The channel did not take the message; `reason` goes to the delivery log."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        # Retrying cannot help (no template, no address): the delivery fails at once.
        self.permanent = permanent


@dataclass(frozen=True)
class Outgoing:
    notification_id: int
    person_id: int
    kind: Kind
    title: str
    body: str
    link: str
    address: str | None  # the channel's address for the person (e-mail, mobile), None if it needs none
    at: datetime  # now, by the service clock (request timestamps of signed APIs)
    unsubscribe: str | None = None  # the one-tap link of a non-essential kind (no login needed)


class ChannelAdapter(Protocol):
    channel: Channel

    def reaches(self, address: str | None) -> bool:
        """Whether a person with this address can be reached at all."""
        ...

    async def send(self, outgoing: Outgoing) -> None: ...


class LogChannel:
    """Development: writes to the log that a message would go out, with ids, kind and link but
    no text (texts are built from event data, yet logs are not where messages belong)."""

    channel = Channel.log

    def reaches(self, address: str | None) -> bool:
        return True

    async def send(self, outgoing: Outgoing) -> None:
        log.info(
            "notification %s (%s) for person %s would be sent; open %s",
            outgoing.notification_id,
            outgoing.kind.value,
            outgoing.person_id,
            outgoing.link,
        )


class EmailChannel:
    """E-mail over SMTP with the standard library (run in a thread: smtplib blocks)."""

    channel = Channel.email

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def reaches(self, address: str | None) -> bool:
        return address is not None

    def message(self, outgoing: Outgoing) -> EmailMessage:
        if outgoing.address is None:
            raise DeliveryFailed("no e-mail address", permanent=True)
        mail = EmailMessage()
        mail["From"] = self.settings.smtp_sender
        mail["To"] = outgoing.address
        mail["Subject"] = outgoing.title
        mail["Message-ID"] = make_msgid(f"linli-n{outgoing.notification_id}")
        text = f"{outgoing.body}\n\n在邻里应用中打开：{outgoing.link}\n"
        if outgoing.unsubscribe is not None:
            # RFC 8058 one-click: mail clients POST to the link; the link itself works when tapped.
            mail["List-Unsubscribe"] = f"<{outgoing.unsubscribe}>"
            mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
            text += f"不想再收到此类邮件和短信：{outgoing.unsubscribe}\n"
        mail.set_content(text)
        return mail

    def _send_blocking(self, mail: EmailMessage) -> None:
        s = self.settings
        smtp: smtplib.SMTP
        if s.smtp_ssl:
            smtp = smtplib.SMTP_SSL(
                s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds)
        with smtp:
            if s.smtp_starttls and not s.smtp_ssl:
                smtp.starttls(context=ssl.create_default_context())
            if s.smtp_username and s.smtp_password is not None:
                smtp.login(s.smtp_username, s.smtp_password.get_secret_value())
            smtp.send_message(mail)

    async def send(self, outgoing: Outgoing) -> None:
        mail = self.message(outgoing)
        try:
            await asyncio.to_thread(self._send_blocking, mail)
        except (OSError, smtplib.SMTPException) as exc:
            # The reason names the failure, not the address (the log is not for personal data).
            raise DeliveryFailed(f"smtp: {type(exc).__name__}: {str(exc)[:200]}") from None
        log.info(
            "notification %s (%s) e-mailed to person %s at %s",
            outgoing.notification_id,
            outgoing.kind.value,
            outgoing.person_id,
            mask_email(outgoing.address or ""),
        )
