"""Search keys: text folded so that what people type finds what is stored, on every database.

"Wisła", "WISLA" and "wisla" fold to the same key: letters lose their accents (Unicode NFKD without the
combining marks), case is folded (casefold: "ß" -> "ss"), letters that are not composed of a base letter and a
mark are spelled in Latin ("ł" -> "l", "ø" -> "o", "æ" -> "ae"), and runs of spaces become one. Models store
the key in an indexed column, kept by save(); queries fold the typed text the same way and compare keys, so
nothing depends on a database collation."""

from __future__ import annotations

import unicodedata

# Letters NFKD does not decompose into a base letter and a mark.
_SPECIAL_LETTERS = str.maketrans({
    "ł": "l", "Ł": "l", "ß": "ss", "ẞ": "ss", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ð": "d", "Ð": "d",
    "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "þ": "th", "Þ": "th", "ı": "i", "ħ": "h", "Ħ": "h",
    "ŀ": "l", "Ŀ": "l", "ŧ": "t", "Ŧ": "t",
})  # fmt: skip


def fold(text: str | None) -> str:
    """The search key of a text: 'Wisła  Hurt' -> 'wisla hurt', 'Müller' -> 'muller', 'Straße' -> 'strasse'."""
    text = (text or "").translate(_SPECIAL_LETTERS)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.casefold().split())
