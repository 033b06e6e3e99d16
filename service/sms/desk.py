"""One incoming SMS to one reply: grammar, per-sender limits, the NIK lookup, a reply that fits.

Every gateway adapter (Kannel, Twilio, plain JSON) ends here, so all of them answer alike. The
reply is always a text for the phone: a limit, a malformed NIK or an outage is explained in the
reply itself, never as an HTTP error that the gateway would turn into "Could not fetch content".
"""

from __future__ import annotations

import msgspec

from service.access.gate import Gate
from service.errors import InvalidNik, RateLimited, Unavailable
from service.nik.lookup import NikLookup
from service.nik.parse import parse_nik
from service.schemas import NikAnswer
from service.sms.grammar import parse_sms
from service.sms.replies import (
    help_reply,
    invalid_nik_reply,
    not_registered_reply,
    rate_limited_reply,
    registered_reply,
    unavailable_reply,
)

_decode_answer = msgspec.json.Decoder(NikAnswer).decode


class SmsDesk:
    """Answers the SMS of one request (it holds only references to the worker's services)."""

    def __init__(self, lookup: NikLookup, gate: Gate):
        self.lookup = lookup
        self.gate = gate

    async def reply(self, sender: str, text: str) -> str:
        command = parse_sms(text)
        language = command.language
        try:
            caller = await self.gate.admit_phone(sender)
        except RateLimited as limited:
            return rate_limited_reply(limited.retry_after or 60, language)
        if command.kind == "help" or command.nik_text is None:
            return help_reply(language)
        try:
            nik = parse_nik(command.nik_text)
            answer = await self.lookup.answer(nik)
        except InvalidNik as invalid:
            return invalid_nik_reply(invalid.code, language)
        except Unavailable:
            return unavailable_reply(language)
        self.gate.settle(caller, answer)
        if not answer.registered:
            return not_registered_reply(language)
        return registered_reply(_decode_answer(answer.body), language)
