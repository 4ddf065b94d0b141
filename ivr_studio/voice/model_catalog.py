"""The official vosk models IVR Studio knows how to download, one per language.

Written from alphacephei's published model list (https://alphacephei.com/vosk/models). That site cannot be
reached from every build machine, so this table is maintained by hand: names and URLs follow the list; the
sizes are **approximate** (MB, for display) and are not used to verify downloads. The exact size and MD5 of
an archive come from the model list itself, ``model-list.json`` next to the archives, which the model
manager fetches when it downloads (and, when the list cannot be had, the server's ``Content-Length``).
All entries are the *small* models: they load in about a second, need ~300 MB of RAM, and support
phrase-list grammars, which is what IVR menus need.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Where model archives are downloaded from; override with ``IVR_STUDIO_MODEL_BASE_URL`` (e.g. a mirror).
DEFAULT_BASE_URL = "https://alphacephei.com/vosk/models/"
#: The published model list under the base URL: a JSON array of {name, lang, size (bytes), md5, url, ...}.
MODEL_LIST = "model-list.json"


@dataclass(frozen=True)
class CatalogModel:
    """One downloadable model. ``languages`` are the BCP-47 tags it serves, the first being canonical."""

    name: str
    languages: tuple[str, ...]
    approx_mb: int
    #: Exact archive size in bytes when known (then checked after download); None trusts the server.
    size: int | None = None
    #: Full URL; None means ``<base URL>/<name>.zip``.
    url: str | None = None

    @property
    def language(self) -> str:
        return self.languages[0]

    def archive_url(self, base_url: str) -> str:
        return self.url or f"{base_url.rstrip('/')}/{self.name}.zip"


def model_list_url(base_url: str) -> str:
    """Where the model list is published: next to the archives under ``base_url``."""
    return f"{base_url.rstrip('/')}/{MODEL_LIST}"


CATALOG: tuple[CatalogModel, ...] = (
    CatalogModel("vosk-model-small-en-us-0.15", ("en-US", "en-CA", "en-GB", "en-AU", "en-NZ", "en"), 40),
    CatalogModel("vosk-model-small-en-in-0.4", ("en-IN",), 36),
    CatalogModel("vosk-model-small-es-0.42", ("es-ES", "es-US", "es-MX", "es-AR", "es-CO", "es"), 39),
    CatalogModel("vosk-model-small-fr-0.22", ("fr-FR", "fr-CA", "fr-BE", "fr-CH", "fr"), 41),
    CatalogModel("vosk-model-small-de-0.15", ("de-DE", "de-AT", "de-CH", "de"), 45),
    CatalogModel("vosk-model-small-it-0.22", ("it-IT", "it"), 48),
    CatalogModel("vosk-model-small-pt-0.3", ("pt-BR", "pt-PT", "pt"), 31),
    CatalogModel("vosk-model-small-nl-0.22", ("nl-NL", "nl-BE", "nl"), 39),
    CatalogModel("vosk-model-small-ru-0.22", ("ru-RU", "ru"), 45),
    CatalogModel("vosk-model-small-uk-v3-small", ("uk-UA", "uk"), 133),
    CatalogModel("vosk-model-small-pl-0.22", ("pl-PL", "pl"), 50),
    CatalogModel("vosk-model-small-cs-0.4-rhasspy", ("cs-CZ", "cs"), 44),
    CatalogModel("vosk-model-small-sv-rhasspy-0.15", ("sv-SE", "sv"), 289),
    CatalogModel("vosk-model-small-tr-0.3", ("tr-TR", "tr"), 35),
    CatalogModel("vosk-model-small-ca-0.4", ("ca-ES", "ca"), 42),
    CatalogModel("vosk-model-small-fa-0.42", ("fa-IR", "fa"), 53),
    CatalogModel("vosk-model-small-hi-0.22", ("hi-IN", "hi"), 42),
    CatalogModel("vosk-model-small-ja-0.22", ("ja-JP", "ja"), 48),
    CatalogModel("vosk-model-small-ko-0.22", ("ko-KR", "ko"), 82),
    CatalogModel("vosk-model-small-cn-0.22", ("zh-CN", "cmn-Hans-CN", "zh-TW", "zh"), 42),
    CatalogModel("vosk-model-small-vn-0.4", ("vi-VN", "vi"), 32),
)


_LANGUAGE_TAG = re.compile(r"\A[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*\Z")


def is_language_tag(text: str) -> bool:
    """Whether ``text`` is shaped like a BCP-47 language tag (``es``, ``es-MX``, ``zh-Hant-TW``)."""
    return bool(_LANGUAGE_TAG.match(text))


def primary(tag: str) -> str:
    """Primary language subtag, lower-case: ``"es-MX"`` -> ``"es"``."""
    return tag.strip().replace("_", "-").split("-", 1)[0].lower()


def find_catalog_model(language: str, catalog: tuple[CatalogModel, ...] = CATALOG) -> CatalogModel | None:
    """The catalog model for a language tag: an exact tag match first, then the same primary language."""
    wanted = language.strip().replace("_", "-").lower()
    for entry in catalog:
        if wanted in (t.lower() for t in entry.languages) or wanted == entry.name.lower():
            return entry
    for entry in catalog:
        if primary(entry.language) == primary(wanted):
            return entry
    return None
