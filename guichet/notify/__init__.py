"""Sending an answer to a citizen by e-mail or SMS ("re-bouclage"): plain Python, no database, no Qt.

The caller (a service) decides what to send and records what was sent; this package only talks to the mail
server and the SMS gateway, and turns every failure into a :class:`SendError` with a French message.
"""

from guichet.notify.email import OutgoingEmail, build_message, new_message_id, send_email
from guichet.notify.errors import SendError
from guichet.notify.settings import SmsSettings, SmtpSettings
from guichet.notify.sms import (
    FolderSmsSender,
    HttpSmsSender,
    OutgoingSms,
    SmsSender,
    is_gsm7,
    make_sms_sender,
    sms_segments,
    to_gsm_friendly,
)

__all__ = [
    "FolderSmsSender",
    "HttpSmsSender",
    "OutgoingEmail",
    "OutgoingSms",
    "SendError",
    "SmsSender",
    "SmsSettings",
    "SmtpSettings",
    "build_message",
    "is_gsm7",
    "make_sms_sender",
    "new_message_id",
    "send_email",
    "sms_segments",
    "to_gsm_friendly",
]
