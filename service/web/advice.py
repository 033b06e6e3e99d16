"""What the resident page's answer tells a person to do next, with this election's dates and hours
(service/voters/election.py): when to vote and what to bring, or, when the NIK is not on the
list, the number, the PPS, DPTb with its deadline and DPK on polling day."""

from __future__ import annotations

import datetime as dt

from service.language import Language
from service.schemas import DatasetInfo, Hours, NikAnswer
from service.web.texts import TEXTS

_MONTHS = {
    "id": ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
           "Oktober", "November", "Desember"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"],
}  # fmt: skip


def date_text(value: dt.date | None, language: Language) -> str:
    if value is None:
        return ""
    return f"{value.day} {_MONTHS[language][value.month - 1]} {value.year}"


def clock(text: str, language: Language) -> str:
    """`07:00` as Indonesians write it (`07.00`), or as is in English."""
    return text.replace(":", ".") if language == "id" else text


def hours_text(hours: Hours | None, zone: str | None, language: Language) -> str:
    texts = TEXTS[language]
    chosen = hours or Hours(start="07:00", end="13:00")
    return texts["hours_local"].format(
        start=clock(chosen.start, language), end=clock(chosen.end, language), zone=zone or texts["local_time"]
    )


def _zone_of(dataset: DatasetInfo) -> str | None:
    zones: tuple[str, ...] = dataset.time_zones or ()
    return zones[0] if len(zones) == 1 else None  # several zones: "local time"


def advice(answer: NikAnswer, language: Language) -> dict[str, str | list[str]]:
    """The lines the answer page shows under the answer, already in `language`."""
    texts = TEXTS[language]
    dataset = answer.dataset
    rules = texts["rules"].format(regulation=dataset.regulation) if dataset.regulation else ""
    if answer.registered and answer.voter:
        tps = answer.voter.tps
        access = [
            texts[key if flag else f"not_{key}"]
            for key, flag in (("step_free", tps.step_free), ("ground_floor", tps.ground_floor))
            if flag is not None
        ]
        if tps.access_note:
            access.append(tps.access_note)
        return {
            "hours": hours_text(dataset.polling_hours, tps.time_zone or _zone_of(dataset), language),
            "access": access,
            "rules": rules,
        }
    steps = [texts["check_digits"], texts["pps_help"]]
    if dataset.dptb_deadline:
        steps.append(texts["dptb_moving"].format(date=date_text(dataset.dptb_deadline, language)))
    if dataset.dptb_urgent_deadline:
        steps.append(texts["dptb_urgent"].format(date=date_text(dataset.dptb_urgent_deadline, language)))
    if not (dataset.dptb_deadline or dataset.dptb_urgent_deadline):
        steps.append(texts["dptb_unknown"])  # no polling date yet
    day = f" ({date_text(dataset.polling_date, language)})" if dataset.polling_date else ""
    dpk_hours = hours_text(dataset.dpk_hours, _zone_of(dataset), language)
    steps.append(texts["dpk_help"].format(day=day, hours=dpk_hours))
    return {"steps": steps, "rules": rules}
