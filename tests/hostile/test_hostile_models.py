"""Speech models: remove deletes only what the manager installed, tags are checked, a corrupt registry is
reported (never overwritten), and unpacking is capped in size and survives a full disk."""

from __future__ import annotations

import http.server
import io
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

FRENCH = "vosk-model-small-fr-0.22"


def model_files(top: str, big: int = 0) -> dict[str, bytes]:
    files = {
        f"{top}/am/final.mdl": b"m" * 2_000,
        f"{top}/conf/mfcc.conf": b"--sample-frequency=16000\n",
        f"{top}/graph/HCLr.fst": b"g" * 2_000,
        f"{top}/graph/Gr.fst": b"r" * 2_000,
    }
    if big:
        files[f"{top}/graph/words.txt"] = bytes(big)  # zeros: a few kB in the archive
    return files


def zipped(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


@contextmanager
def model_site(files: dict[str, bytes]) -> Iterator[str]:
    """A local model site on 127.0.0.1 serving ``files`` (no model list: downloads are checked by size)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            data = files.get(self.path.lstrip("/"))
            if data is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def install_download(hostile, top: str = FRENCH, language: str = "fr-FR") -> None:
    for name, data in model_files(top).items():
        hostile.write(f".home/models/{language}/{name}", data)


@pytest.mark.parametrize("name", ["notes", "../notes", "x" * 500, ""])
def test_remove_of_something_that_is_not_a_language_tag_deletes_nothing(hostile, name):
    hostile.write(".home/models/notes/todo.txt", "my notes\n")
    hostile.run("models", "remove", name).fails(1, "is not a language tag (such as es-MX or ko-KR)")


def test_remove_of_a_language_folder_the_manager_did_not_install_deletes_nothing(hostile):
    hostile.write(".home/models/en/notes.txt", "mine\n")
    hostile.write(".home/models/fr-FR/my-own-model/readme.txt", "mine too\n")
    hostile.run("models", "remove", "en").fails(1, "no downloaded or registered model for 'en'")
    hostile.run("models", "remove", "fr-FR").fails(1, "no downloaded or registered model for 'fr-FR'")


def test_remove_deletes_only_the_downloaded_model_and_says_so(hostile):
    install_download(hostile)
    hostile.write(".home/models/fr-FR/notes.txt", "mine\n")
    run = hostile.run("models", "remove", "fr-FR")
    run.succeeds(changed=[f".home/models/fr-FR/{FRENCH}/"])
    assert f"deleted the downloaded fr-FR model {hostile.path('.home/models/fr-FR/' + FRENCH)}" in run.stdout
    assert hostile.path(".home/models/fr-FR/notes.txt").exists()


def test_remove_of_an_added_folder_unregisters_it_and_says_the_folder_stays(hostile):
    for name, data in model_files("vosk-model-small-fr-0.22").items():
        hostile.write(f"mine/{name}", data)
    folder = hostile.path(f"mine/{FRENCH}")
    hostile.run("models", "add", str(folder), "--language", "fr-CA").succeeds(changed=[".home/models/"])
    run = hostile.run("models", "remove", "fr-CA").succeeds(changed=[".home/models/registered.json"])
    assert f"unregistered {folder} for fr-CA (the folder itself was left as it is)" in run.stdout
    assert folder.is_dir()


@pytest.mark.parametrize("language", ["en US", "en-US\n", "<script>", "x" * 300, "e"])
def test_add_refuses_a_language_that_is_not_a_tag(hostile, language):
    for name, data in model_files(FRENCH).items():
        hostile.write(f"mine/{name}", data)
    run = hostile.run("models", "add", f"mine/{FRENCH}", "--language", language)
    run.fails(1, "is not a language tag")


@pytest.mark.parametrize("content", [b"\xff\xfe{\x00}\x00", b'{"fr-FR": 1e999}', b"[1, 2]", b"{"])
def test_a_corrupt_registry_is_reported_and_never_overwritten(hostile, content):
    hostile.write(".home/models/registered.json", content)
    for name, data in model_files(FRENCH).items():
        hostile.write(f"mine/{name}", data)
    hostile.run("models", "list").fails(1, "registered.json")
    hostile.run("models", "add", f"mine/{FRENCH}", "--language", "fr-FR").fails(1, "fix or delete it")
    assert hostile.path(".home/models/registered.json").read_bytes() == content


def test_a_registry_on_a_fifo_does_not_block(hostile):
    import os

    os.mkfifo(hostile.path(".home/models/registered.json"))
    hostile.run("models", "list", seconds=20).fails(1, "registered.json: is a FIFO")


def test_an_archive_that_unpacks_to_far_more_than_a_model_is_refused(hostile):
    archive = zipped(model_files(FRENCH, big=200 * 1024 * 1024))  # 200 MB of zeros in about 200 kB
    assert len(archive) < 1024 * 1024
    with model_site({f"{FRENCH}.zip": archive}) as url:
        run = hostile.run("models", "download", "fr-FR", env={"IVR_STUDIO_MODEL_BASE_URL": url}, seconds=60)
    run.fails(1, "would unpack to 210 MB, more than 67 MB; it is not a speech model", changed=[".home/models/"])
    assert not hostile.path(f".home/models/fr-FR/{FRENCH}").exists()
    assert not any(p.is_file() for p in hostile.path(".home/models").rglob("*"))


def test_a_full_disk_while_unpacking_is_a_clear_error_and_installs_nothing(hostile):
    archive = zipped(model_files(FRENCH, big=5 * 1024 * 1024))  # 5 MB unpacked, a few kB packed
    with model_site({f"{FRENCH}.zip": archive}) as url:
        run = hostile.run(
            "models", "download", "fr-FR", env={"IVR_STUDIO_MODEL_BASE_URL": url}, disk_full_after=1024 * 1024
        )
    run.fails(1, f"could not unpack {FRENCH}: File too large", changed=[".home/models/"])
    assert "nothing installed" in run.stderr
    assert not any(p.is_file() for p in hostile.path(".home/models").rglob("*"))
