"""Replies to SMS commands, each one SMS: at most 160 characters of the GSM 03.38 default alphabet.

Names and region names come from the dataset and may hold any Unicode; they are folded to
GSM-safe text before their length is measured, so the 160-character budget is exact.
"""

from __future__ import annotations

import math
import unicodedata

from service.language import Language
from service.names.masking import mask_name
from service.schemas import DatasetInfo, Hours, NikAnswer

SMS_LIMIT = 160  # septets in one single-part SMS

# The GSM 03.38 default alphabet, basic table, in code order (0x1B, the escape to the extension
# table, is left out: it is not a character of its own).
GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Reachable through the escape, so each costs two septets.
GSM7_EXTENSION = "\f^{}\\[~]|€"

_BASIC = frozenset(GSM7_BASIC)
_EXTENSION = frozenset(GSM7_EXTENSION)

# Punctuation that has no GSM-7 form but an obvious ASCII stand-in.
_ASCII_LOOKALIKES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u02bc": "'",
        "`": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "[": "(",
        "]": ")",
        "{": "(",
        "}": ")",
    }
)
UNKNOWN_CHARACTER = "?"
TRUNCATION_MARK = ".."

# Caps for fields that are short in any real dataset; the kelurahan and kecamatan names share
# what is left, so a registered reply always fits.
NAME_MAX = 40
TPS_LABEL_MAX = 16


def fits_one_sms(text: str) -> bool:
    """At most 160 septets, only GSM-7 characters; extension characters count as two."""
    septets = 0
    for char in text:
        if char in _BASIC:
            septets += 1
        elif char in _EXTENSION:
            septets += 2
        else:
            return False
    return septets <= SMS_LIMIT


def gsm_safe(text: str) -> str:
    """Fold text to the GSM-7 basic table, one septet per character: `José` -> `Jose`.

    Accents are dropped (NFKD without combining marks), curly quotes and dashes become ASCII,
    anything else outside the basic table becomes `?`, and whitespace runs become one space.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    folded = " ".join(plain.translate(_ASCII_LOOKALIKES).split())
    return "".join(char if char in _BASIC else UNKNOWN_CHARACTER for char in folded)


def _shorten(text: str, width: int) -> str:
    if len(text) <= width:
        return text
    if width <= len(TRUNCATION_MARK):
        return text[:width]
    return text[: width - len(TRUNCATION_MARK)].rstrip() + TRUNCATION_MARK


def _fit_regions(kelurahan: str, kecamatan: str, room: int) -> tuple[str, str]:
    """Shorten the two region names to share `room` characters, the longer one first."""
    if len(kelurahan) + len(kecamatan) <= room:
        return kelurahan, kecamatan
    half = room // 2
    if len(kelurahan) <= half:
        return kelurahan, _shorten(kecamatan, room - len(kelurahan))
    if len(kecamatan) <= half:
        return _shorten(kelurahan, room - len(kecamatan)), kecamatan
    return _shorten(kelurahan, half), _shorten(kecamatan, room - half)


_REGISTERED: dict[Language, str] = {
    "id": "Terdaftar di DPT: {name}, {tps}, Kel. {kelurahan}, Kec. {kecamatan}.{polling}",
    "en": "Registered in the DPT: {name}, {tps}, Kel. {kelurahan}, Kec. {kecamatan}.{polling}",
}
_POLLING_DATE: dict[Language, str] = {
    "id": " Pemungutan suara {date:%d-%m-%Y} {hours}. Bawa KTP-el.",
    "en": " Voting day {date:%d-%m-%Y} {hours}. Bring your KTP-el.",
}


def _hours(hours: Hours | None, zone: str | None, language: Language) -> str:
    """`07.00-13.00 WIB` (`07:00-13:00 WIB` in English): local time of the TPS."""
    chosen = hours or Hours(start="07:00", end="13:00")
    start, end = (
        (chosen.start, chosen.end)
        if language == "en"
        else (chosen.start.replace(":", "."), chosen.end.replace(":", "."))
    )
    return f"{start}-{end}" + (f" {zone}" if zone else "")


def registered_reply(answer: NikAnswer, language: Language) -> str:
    """Masked name, TPS, kelurahan, kecamatan, polling date and hours in the TPS's local time,
    and what to bring; region names shortened to fit.

    The name is masked again (masking is idempotent), so even an unmasked answer stays private.
    An answer without a voter gets the not-registered reply.
    """
    voter = answer.voter
    if voter is None:
        return not_registered_reply(language, answer.dataset)
    polling_date = answer.dataset.polling_date
    hours = _hours(answer.dataset.polling_hours, voter.tps.time_zone, language)
    polling = "" if polling_date is None else _POLLING_DATE[language].format(date=polling_date, hours=hours)
    fields = {
        "name": _shorten(mask_name(gsm_safe(voter.name)), NAME_MAX),
        "tps": _shorten(gsm_safe(voter.tps.label), TPS_LABEL_MAX),
        "polling": polling,
    }
    template = _REGISTERED[language]
    room = SMS_LIMIT - len(template.format(**fields, kelurahan="", kecamatan=""))
    kelurahan, kecamatan = _fit_regions(
        gsm_safe(voter.region.kelurahan.name), gsm_safe(voter.region.kecamatan.name), room
    )
    return template.format(**fields, kelurahan=kelurahan, kecamatan=kecamatan)


_NOT_REGISTERED: dict[Language, str] = {
    "id": (
        "NIK tidak ditemukan di DPT. Datangi PPS di kelurahan/desa Anda dengan membawa KTP-el. "
        "Sudah pindah domisili? Urus pindah memilih (DPTb) di PPS."
    ),
    "en": (
        "NIK not found in the DPT. Visit the PPS at your kelurahan/desa and bring your KTP-el. "
        "Moved house? Ask the PPS to register you as a moved voter (DPTb)."
    ),
}
# With the election's details: the number, the PPS, DPTb by its deadline(s), DPK on polling day
# with its hours. Dates without the year (`20-11`): the year is this election's.
_WHAT_TO_DO: dict[Language, str] = {
    "id": (
        "NIK tidak ditemukan di DPT. Cek ulang angkanya, lapor PPS kelurahan.{dptb}"
        " {day} pk {hours}: pilih dgn KTP-el di TPS RT/RW KTP-el (DPK)."
    ),
    "en": (
        "NIK not found in the DPT. Check the digits, ask the PPS at the kelurahan.{dptb}"
        " {day} {hours}: vote with KTP-el at a TPS of its RT/RW (DPK)."
    ),
}
_DPTB: dict[Language, tuple[str, str, str]] = {
    # One deadline; two (moving house, study or work / the sick and others); when two do not fit,
    # the earlier one, which is safe for everyone.
    "id": (
        " DPTb s.d. {urgent}.",
        " DPTb s.d. {moving} (pindah), {urgent} (sakit dll).",
        " DPTb s.d. {moving}.",
    ),
    "en": (" DPTb by {urgent}.", " DPTb by {moving} (moved), {urgent} (sick etc).", " DPTb by {moving}."),
}


def not_registered_reply(language: Language, dataset: DatasetInfo | None = None) -> str:
    """What to do next; with the dataset's election details when it has them, within one SMS."""
    if dataset is None or dataset.polling_date is None or dataset.dpk_hours is None:
        return _NOT_REGISTERED[language]
    zones: tuple[str, ...] = dataset.time_zones or ()
    hours = _hours(dataset.dpk_hours, zones[0] if len(zones) == 1 else None, language)
    moving, urgent = dataset.dptb_deadline, dataset.dptb_urgent_deadline
    one, two, short = _DPTB[language]
    if moving and urgent:
        dptb_forms = [
            two.format(moving=f"{moving:%d-%m}", urgent=f"{urgent:%d-%m}"),
            short.format(moving=f"{moving:%d-%m}"),
        ]
    elif moving or urgent:
        dptb_forms = [one.format(urgent=f"{(urgent or moving):%d-%m}")]
    else:
        dptb_forms = [""]
    for dptb in dptb_forms:
        reply = _WHAT_TO_DO[language].format(dptb=dptb, day=f"{dataset.polling_date:%d-%m}", hours=hours)
        if fits_one_sms(reply):
            return reply
    return _NOT_REGISTERED[language]


# Why a typed NIK cannot be one, by the stable code of service.nik.parse.
_NIK_PROBLEMS: dict[Language, dict[str, str]] = {
    "id": {
        "nik_length": "NIK harus 16 angka.",
        "nik_not_digits": "NIK hanya berisi angka.",
        "nik_region": "6 angka pertama NIK bukan kode wilayah yang dikenal.",
        "nik_birth_date": "Tanggal lahir di NIK (angka ke-7 s.d. 12) tidak sah.",
        "nik_serial": "4 angka terakhir NIK tidak boleh 0000.",
        "nik_pattern": "NIK berupa angka berulang atau berurutan.",
    },
    "en": {
        "nik_length": "A NIK has 16 digits.",
        "nik_not_digits": "A NIK has digits only.",
        "nik_region": "The first 6 digits of the NIK are not a known region code.",
        "nik_birth_date": "The birth date in the NIK (digits 7 to 12) is not valid.",
        "nik_serial": "The last 4 digits of a NIK cannot be 0000.",
        "nik_pattern": "The NIK is a repeated or sequential pattern.",
    },
}
_NIK_PROBLEM_UNKNOWN: dict[Language, str] = {"id": "NIK tidak sah.", "en": "The NIK is not valid."}
_NIK_FORMAT: dict[Language, str] = {
    "id": " Periksa KTP-el Anda, lalu kirim: DPT <16 angka NIK>",
    "en": " Check your KTP-el, then send: CHECK <16-digit NIK>",
}


def invalid_nik_reply(code: str, language: Language) -> str:
    """The reason for an InvalidNik code, then the format to send; unknown codes get a generic one."""
    reason = _NIK_PROBLEMS[language].get(code, _NIK_PROBLEM_UNKNOWN[language])
    return reason + _NIK_FORMAT[language]


_RATE_LIMITED: dict[Language, str] = {
    "id": "Terlalu banyak permintaan. Coba lagi dalam {minutes} menit.",
    "en": "Too many requests. Please try again in {minutes} {unit}.",
}


def rate_limited_reply(retry_after_seconds: int, language: Language) -> str:
    """When to try again, in whole minutes rounded up (at least one)."""
    minutes = max(1, math.ceil(retry_after_seconds / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return _RATE_LIMITED[language].format(minutes=minutes, unit=unit)


_UNAVAILABLE: dict[Language, str] = {
    "id": "Layanan cek DPT sedang sibuk. Silakan coba lagi beberapa menit lagi.",
    "en": "The DPT check service is busy. Please try again in a few minutes.",
}


def unavailable_reply(language: Language) -> str:
    return _UNAVAILABLE[language]


# No example NIK: any 16 digits that pass validation could be a real person's, and this text
# goes to everyone who asks for help.
_HELP: dict[Language, str] = {
    "id": "Cek DPT: ketik DPT <NIK 16 angka> sesuai KTP-el Anda, lalu kirim. EN for English.",
    "en": ("DPT check: send CHECK <16-digit NIK> as on your KTP-el. Ketik DPT <NIK> untuk Bahasa Indonesia."),
}


def help_reply(language: Language) -> str:
    return _HELP[language]
