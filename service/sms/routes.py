"""The SMS channel's webhooks: Kannel (POST or GET), Twilio (signed form POST), and plain JSON.

Each gateway authenticates with its own secret: an `sms` token (`dpt token add --role sms`) in the
URL or header for Kannel and JSON, the request signature for Twilio. An unauthenticated call gets
401 and no lookup. Kannel's GET mode carries the NIK in the query string; the service never
logs query strings (granian's access log is off, and nothing here logs a request).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Annotated, Any
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

import msgspec
from litestar import Request, Response, post, route
from litestar.enums import HttpMethod
from litestar.params import HeaderParameter, QueryParameter

from service.access.gate import gateway_refused
from service.access.tokens import bearer_token
from service.edge.body import decode_body
from service.edge.caller import settle_gateway
from service.edge.openapi import error_responses, operation_with_body, text
from service.edge.services import services
from service.errors import InvalidInput
from service.schemas import SmsInbound, SmsReply
from service.sms.desk import SmsDesk

MAX_SMS_BODY = 4096  # a concatenated SMS is at most a few hundred characters
_decode_inbound = msgspec.json.Decoder(SmsInbound)


def _desk(request: Request[Any, Any, Any]) -> SmsDesk:
    found = services(request)
    return SmsDesk(found.lookup, found.gate)


def _sender(sender: str | None) -> str:
    """The phone number, which per-sender limits need: without one every SMS would share one
    bucket, so the gateway is told it is misconfigured (Kannel: `send-sender = true`)."""
    if not sender or not sender.strip():
        raise InvalidInput(
            "Nomor pengirim SMS tidak ada.",
            "The SMS sender is missing (for Kannel, set send-sender = true).",
            code="sender_missing",
            field="from",
        )
    return sender.strip()


# What gateways send SMS text in (Kannel posts UCS-2 messages as UTF-16BE). Any other charset,
# and any name Python would treat as a codec but that is not a text encoding (idna, punycode,
# undefined, rot13...), is read as UTF-8: a codec chosen by the caller must never raise.
_SMS_CHARSETS = frozenset(
    {"utf-8", "utf8", "utf-16", "utf-16be", "utf-16le", "ucs-2", "iso-8859-1", "latin-1", "latin1",
     "us-ascii", "ascii", "windows-1252", "cp1252"}
)  # fmt: skip


def _decode_text(body: bytes, content_type: str) -> str:
    """The SMS text in the charset the gateway names, else UTF-8; undecodable bytes become U+FFFD."""
    charset = "utf-8"
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() in _SMS_CHARSETS:
            charset = value.strip().strip('"').lower()
    return body.decode("utf-16-be" if charset == "ucs-2" else charset, errors="replace")


def _plain(text: str) -> Response[str]:
    return Response(text, media_type="text/plain")  # Litestar adds "; charset=utf-8"


@route(
    "/sms/kannel",
    http_method=[HttpMethod.POST, HttpMethod.GET],
    summary="Kannel sms-service: post-url mode (recommended) or get-url mode",
    description=(
        "POST: post-url = http://HOST/sms/kannel?token=T with send-sender = true: the SMS text is the "
        "body, the sender is X-Kannel-From. GET, for gateways that can only GET: "
        "get-url = http://HOST/sms/kannel?token=T&from=%p&text=%a. The reply (text/plain) is the SMS "
        "to send back; a limit, a malformed NIK or an outage is explained in the reply itself."
    ),
    responses=error_responses(400, 401, 413, 422, 503),
    status_code=200,
    request_max_body_size=MAX_SMS_BODY,
)
async def kannel(
    request: Request[Any, Any, Any],
    token: Annotated[str | None, QueryParameter(name="token", description="The gateway's sms token")] = None,
    sender: Annotated[str | None, QueryParameter(name="from", description="GET: the sender (%p)")] = None,
    message: Annotated[str | None, QueryParameter(name="text", description="GET: the SMS text (%a)")] = None,
    kannel_from: Annotated[
        str | None, HeaderParameter(name="x-kannel-from", description="POST: the sender (send-sender)")
    ] = None,
) -> Response[str]:
    gateway = await settle_gateway(request, token)
    if request.method == HttpMethod.POST:
        sender = kannel_from
        message = _decode_text(await request.body(), request.headers.get("content-type", ""))
    reply = await _desk(request).reply(_sender(sender), message or "", str(gateway.token_id))
    return _plain(reply)


@post(
    "/sms/inbound",
    summary="Any SMS gateway that can send JSON",
    description='{"from": "+62812...", "text": "DPT 1872..."} with Authorization: Bearer <sms token>.',
    responses=error_responses(400, 401, 413, 422, 503),
    operation_class=operation_with_body(
        "The sender and the SMS text",
        {"from": text(min_length=1, pattern=r"\S"), "text": text()},
        required=("from", "text"),
    ),
    status_code=200,
    request_max_body_size=MAX_SMS_BODY,
)
async def inbound(request: Request[Any, Any, Any]) -> SmsReply:
    gateway = await settle_gateway(request, bearer_token(request.headers.get("authorization")))
    message = decode_body(_decode_inbound, await request.body(), MAX_SMS_BODY)
    return SmsReply(
        reply=await _desk(request).reply(_sender(message.sender), message.text, str(gateway.token_id))
    )


def twilio_signature(auth_token: str, url: str, params: list[tuple[str, str]]) -> str:
    """Twilio's request signature: HMAC-SHA1 over the URL and the sorted form fields, base64."""
    data = url + "".join(key + value for key, value in sorted(params))
    digest = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


@post(
    "/sms/twilio",
    summary="Twilio messaging webhook (X-Twilio-Signature checked), TwiML reply",
    responses=error_responses(400, 401, 413, 422, 503),
    status_code=200,
    request_max_body_size=MAX_SMS_BODY * 4,
)
async def twilio(request: Request[Any, Any, Any]) -> Response[str]:
    settings = services(request).settings
    params = parse_qsl((await request.body()).decode("utf-8", errors="replace"), keep_blank_values=True)
    url = settings.twilio_webhook_url or str(request.url)
    given = request.headers.get("x-twilio-signature", "")
    expected = twilio_signature(settings.twilio_auth_token, url, params) if settings.twilio_auth_token else ""
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise gateway_refused()
    fields = dict(params)
    reply = await _desk(request).reply(_sender(fields.get("From")), fields.get("Body", ""), "twilio")
    twiml = f'<?xml version="1.0" encoding="UTF-8"?><Response><Message>{escape(reply)}</Message></Response>'
    return Response(twiml, media_type="application/xml")
