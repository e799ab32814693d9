"""One handout in several languages: a prepared edition per language, made once.

Batches (a roster's `language` column) and email (a patient list's) print
each reader in their language. `Editions` prepares each edition the first
time a language asks for it and hands back the same one after; a language
with no translation gets the handout's default language, with a warning
naming the row that asked.

    editions = Editions("my-clinic", layout="large-print")    # or Editions(options=Options(...))
    prepared = editions.get("es", where="patients.csv:12")
    data, pages = render_handout(prepared, patient_name=...)
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from ..load.cache import kept_in
from ..load.project import resolve_handout
from ..sections.translations import Edition, choose_edition
from .options import Options
from .prepare import Prepared, prepare_checked

log = logging.getLogger("handouts")


class Editions:
    """Prepared editions of one handout, by language, made on first use."""

    def __init__(self, handout: str | Path | None = None, *, options: Options | None = None,
                 default_language: str | None = None, **what):
        """`options.language` (or `default_language`) is what a reader without a language gets (None: the manifest's own).

        Each edition is prepared with `prepare.prepare_checked` and the other
        options (`allow_lint_errors` among them): refused with every error
        lint reports for it, in the layout it prints in.
        """
        if default_language is not None:
            what["language"] = default_language
        self.options = Options.of(handout, options, **what)
        self.manifest = resolve_handout(self.options.handout)
        self.default_language = self.options.language
        self._chosen: dict[str | None, Edition] = {}
        self._prepared: dict[Path, Prepared] = {}

    def edition(self, language: str | None) -> Edition:
        """Which manifest prints for `language` (blank: the default language)."""
        language = (language or "").strip() or self.default_language
        if language not in self._chosen:
            self._chosen[language] = choose_edition(self.manifest, language)
        return self._chosen[language]

    def get(self, language: str | None = None, *, where: str | None = None) -> Prepared:
        """The prepared edition for `language`; a fallback is logged as a warning naming `where`."""
        edition = self.edition(language)
        if edition.fell_back:
            log.warning("%s", edition.fallback_message(where))
        if edition.manifest not in self._prepared:
            # The edition's own manifest: its language is chosen already.
            options = replace(self.options, language=None).prepare_keywords()
            # Its checks kept for the next run (`options.cache`): a file of the editions' own, as
            # it holds only what preparing used (a build's holds its pictures too).
            with kept_in(self.options.cache, edition.manifest, prefix="edition"):
                self._prepared[edition.manifest] = prepare_checked(edition.manifest, **options)
        return self._prepared[edition.manifest]

    def prepared(self) -> dict[str, Prepared]:
        """Every edition prepared so far, by the language it prints in."""
        return {p.handout.language: p for p in self._prepared.values()}
