"""Text shown to people in both interface languages, defined beside the concept it describes."""

from __future__ import annotations

from dataclasses import dataclass

LANGUAGES = ("en", "zh")


@dataclass(frozen=True, slots=True)
class Wording:
    """One text in English and Simplified Chinese; an unknown language reads the English."""

    en: str
    zh: str

    def __call__(self, language: str = "en") -> str:
        return self.zh if language == "zh" else self.en

    def __repr__(self) -> str:
        return f"Wording({self.en!r})"
