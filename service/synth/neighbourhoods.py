"""Neighbourhoods: the RTs and RWs of a kelurahan, handed out in order, with their streets or dusun."""

from __future__ import annotations

import random
from dataclasses import dataclass

from service.synth.places import GANG, PERUM, ROMAN, STREETS
from service.synth.regions import Kelurahan


@dataclass(slots=True)
class Neighbourhood:
    rt: str
    rw: str
    streets: tuple[str, ...]  # title case, e.g. "Jl. Ahmad Yani" or "Dusun III"
    numbered: bool  # houses carry "No. n" (streets) or not (dusun)
    capacity: int  # voters the RT holds before the next RT starts


class NeighbourhoodWalker:
    """Hands out RTs in order, so neighbours share a street and each TPS covers adjacent RTs."""

    def __init__(self, kelurahan: Kelurahan, rng: random.Random) -> None:
        self._rng = rng
        self._kelurahan = kelurahan
        self._streets = tuple(rng.sample(STREETS, rng.randint(8, 14)))
        self._rt = 0
        self._rw = 1
        self._rts_left_in_rw = rng.randint(3, 7)
        self._used = 0
        self.current = self._next()

    def take(self, voters: int) -> Neighbourhood:
        if self._used + voters > self.current.capacity:
            self.current = self._next()
        self._used += voters
        return self.current

    def _next(self) -> Neighbourhood:
        rng = self._rng
        if self._rt and not self._rts_left_in_rw:
            self._rw += 1
            self._rts_left_in_rw = rng.randint(3, 7)
        self._rt += 1  # RT numbers run on across RWs, as in most Lampung kelurahan
        self._rts_left_in_rw -= 1
        self._used = 0
        style = rng.random()
        street = rng.choice(self._streets)
        streets: tuple[str, ...]
        numbered = True
        if self._kelurahan.is_desa and style < 0.5:
            streets = (f"Dusun {ROMAN[min(self._rw, len(ROMAN)) - 1]}",)
            numbered = False
        elif style < 0.62:
            streets = (f"Jl. {street} Gg. {rng.choice(GANG)}", f"Jl. {street}")
        elif style < 0.7:
            streets = (f"Perum Griya {rng.choice(PERUM)} Blok {rng.choice('ABCDEF')}",)
        else:
            streets = (f"Jl. {street}", f"Jl. {rng.choice(self._streets)}")
        return Neighbourhood(
            rt=f"{self._rt:03d}",
            rw=f"{self._rw:03d}",
            streets=streets,
            numbered=numbered,
            capacity=rng.randint(90, 220),
        )
