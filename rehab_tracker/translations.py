"""The server's translations as build output: ``.po`` (committed) to ``.mo`` (compiled, ignored by git)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import polib


def translations_compile(*, locale_paths: Iterable[Path | str]) -> list[Path]:
    """Compile each ``django.po`` under ``locale_paths`` whose ``.mo`` is missing or older; return those."""
    compiled = []
    for root in locale_paths:
        for po_path in sorted(Path(root).glob("*/LC_MESSAGES/*.po")):
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
            compiled.append(mo_path)
    return compiled
