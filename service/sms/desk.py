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
from service.observability.metrics import sms_answered
from service.schemas import NikAnswer
from service.sms.grammar import SmsCommand, parse_sms
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

    async def reply(self, sender: str, text: str, gateway: str) -> str:
        """The reply to `text` from `sender`, which came through `gateway` (whose misses share a
        budget): always a text, whatever went wrong."""
        command = parse_sms(text)
        try:
            return await self._answer(command, sender, gateway)
        except RateLimited as limited:
            sms_answered("rate_limited")
            return rate_limited_reply(limited.retry_after or 60, command.language)
        except InvalidNik as invalid:
            sms_answered("invalid_nik")
            return invalid_nik_reply(invalid.code, command.language)
        except Unavailable:
            sms_answered("unavailable")
            return unavailable_reply(command.language)

    async def _answer(self, command: SmsCommand, sender: str, gateway: str) -> str:
        caller = await self.gate.admit_phone(sender, gateway)
        if command.kind == "help" or command.nik_text is None:
            sms_answered("help")
            return help_reply(command.language)
        answer = await self.lookup.answer(parse_nik(command.nik_text))
        await self.gate.settle(caller, answer)
        sms_answered("registered" if answer.registered else "not_registered")
        if not answer.registered:
            return not_registered_reply(command.language, _decode_answer(answer.body).dataset)
        return registered_reply(_decode_answer(answer.body), command.language)
