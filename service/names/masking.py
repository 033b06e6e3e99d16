"""Masked names for public answers: enough for a person to recognise their own name, no more."""

from __future__ import annotations


def mask_word(word: str) -> str:
    if len(word) <= 1:
        return word
    if len(word) <= 3:
        return word[0] + "*" * (len(word) - 1)
    return word[0] + "*" * (len(word) - 2) + word[-1]


def mask_name(name: str) -> str:
    """Each word keeps its first letter and, when longer than three letters, its last.

    `BUDI SANTOSO` -> `B**I S*****O`; `SITI AMINAH` -> `S**I A****H`; `ANI` -> `A**`.
    """
    return " ".join(mask_word(word) for word in name.split())
