"""`dpt import`'s file arguments, checked before anything starts: the inputs are readable files,
and the rejects file can be written without overwriting either of them."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from service.importer.reading import UnusableArgument
from service.importer.rejects import write_header


def _same_file(path: Path, other: Path) -> bool:
    if path.resolve() == other.resolve():
        return True
    return path.exists() and other.exists() and path.samefile(other)  # a hard link, say


def check_files(voters: Path, tps: Path, rejects: Path) -> None:
    """UnusableArgument (bilingual) if an input cannot be read or the rejects file not written."""
    for path, flag in ((voters, "--voters"), (tps, "--tps")):
        if not path.exists():
            raise UnusableArgument(f"{flag}: berkas tidak ditemukan / file not found: {path}")
        if not path.is_file():
            raise UnusableArgument(f"{flag}: bukan berkas biasa / not a regular file: {path}")
        if not os.access(path, os.R_OK):
            raise UnusableArgument(f"{flag}: berkas tidak bisa dibaca / file not readable: {path}")
    if rejects.is_dir():
        raise UnusableArgument(
            f"--rejects: ini folder, bukan berkas / this is a folder, not a file: {rejects}"
        )
    if not rejects.parent.is_dir():
        raise UnusableArgument(f"--rejects: folder tidak ditemukan / folder not found: {rejects.parent}")
    if _same_file(rejects, voters) or _same_file(rejects, tps):
        raise UnusableArgument(
            f"--rejects: akan menimpa berkas masukan / would overwrite an input file: {rejects}"
        )
    if not os.access(rejects if rejects.exists() else rejects.parent, os.W_OK):
        raise UnusableArgument(
            f"--rejects: berkas tidak bisa ditulis / file not writable: {rejects}"
            " (pilih tempat lain dengan --rejects / choose another place with --rejects)"
        )


@contextlib.contextmanager
def open_rejects(path: Path) -> Iterator[IO[str]]:
    """The rejects file, its header written; UnusableArgument if it cannot be created."""
    try:
        stream = path.open("w", encoding="utf-8", newline="")
    except OSError as error:
        raise UnusableArgument(
            f"--rejects: berkas tidak bisa ditulis / file not writable: {path} ({error.strerror})"
        ) from None
    with stream:
        write_header(stream)
        yield stream
