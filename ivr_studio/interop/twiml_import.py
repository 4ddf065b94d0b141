"""TwiML import: a set of TwiML documents (TwiML Bins, an app's static responses) becomes one flow.

Each document becomes a chain of nodes (:mod:`ivr_studio.interop.twiml_nodes`). An action or Redirect URL
that names another document of the set becomes a link; any other URL becomes a Redirect node. A URL names a
document when its path ends with the document's file name, with or without the extension (``menu.xml``,
``/twiml/menu``, a TwiML Bin URL ending in the Bin's SID when the file is called ``EH….xml``), or is its path
relative to the folder imported. Documents are read through the bounded reader and parsed by the safe TwiML
parser; a document that does not parse is reported and left out, never half-imported.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from ivr_studio.files import InputFileError, cut, read_bytes
from ivr_studio.flow.layout import auto_layout
from ivr_studio.flow.model import Flow
from ivr_studio.interop.report import SKIPPED, WARNING, ImportReport, short
from ivr_studio.interop.twiml_nodes import ChainBuilder, ChainResolver, DocumentChain, PendingLink
from ivr_studio.twiml.parse import parse_twiml
from ivr_studio.twiml.verbs import MAX_DOCUMENT_BYTES

#: Suffixes of the files a folder import picks up.
TWIML_SUFFIXES = (".xml", ".twiml")
#: A folder of TwiML is a few dozen documents; more than this is not a phone menu.
MAX_DOCUMENTS = 2000
#: Read a little more than Twilio's 64 kB so the parser, not the reader, reports an oversized document.
READ_LIMIT = MAX_DOCUMENT_BYTES + 1024


class TwimlImportError(ValueError):
    """The documents could not be imported at all (nothing to import, unreadable input, too many files)."""


@dataclass(frozen=True)
class Document:
    """One TwiML document: its name (path relative to the folder, without suffix) and bytes."""

    name: str
    body: bytes
    file: str = ""


def collect_documents(inputs: list[str | os.PathLike]) -> list[Document]:
    """The documents named by ``inputs`` (files, or folders searched recursively for .xml/.twiml files)."""
    docs: list[Document] = []
    for raw in inputs:
        path = Path(raw)
        if path.is_dir():
            files = sorted(
                p for p in path.rglob("*") if p.suffix.lower() in TWIML_SUFFIXES and not p.is_dir()
            )
            if not files:
                raise TwimlImportError(f"{path}: no .xml or .twiml files in this folder")
            pairs = [(p, p.relative_to(path).with_suffix("").as_posix()) for p in files]
        else:
            pairs = [(path, path.with_suffix("").name)]
        for p, name in pairs:
            if len(docs) >= MAX_DOCUMENTS:
                raise TwimlImportError(f"more than {MAX_DOCUMENTS} documents; import a smaller set")
            try:
                body = read_bytes(p, READ_LIMIT)
            except InputFileError as exc:
                raise TwimlImportError(str(exc)) from None
            docs.append(Document(name, body, str(p)))
    if not docs:
        raise TwimlImportError("no documents to import")
    names = [d.name for d in docs]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise TwimlImportError(f"two documents are both called {cut(dupes[0], 60)}; rename one")
    return docs


class _UrlMatcher:
    """Which document of the set a URL names (see the module docstring)."""

    def __init__(self, names: list[str]) -> None:
        self.full = {n: n for n in names}
        self.tail: dict[str, str | None] = {}
        for n in names:
            last = PurePosixPath(n).name
            self.tail[last] = None if last in self.tail and self.tail[last] != n else n

    def __call__(self, current: str, url: str) -> str | None:
        url = url.strip()
        if not url:
            return current  # no action: Twilio requests the current document again
        path = unquote(urlsplit(url).path).strip("/")
        if not path:
            return None
        p = PurePosixPath(path)
        candidates = [path, str(p.with_suffix("")) if p.suffix.lower() in TWIML_SUFFIXES else path]
        for c in candidates:
            for n in self.full:
                if c == n or c.endswith("/" + n):
                    return n
        last = p.name
        stem = p.stem if p.suffix.lower() in TWIML_SUFFIXES else last
        for c in (last, stem):
            if self.tail.get(c):
                return self.tail[c]
        return None


def import_twiml(
    documents: list[Document], start: str | None = None, name: str = ""
) -> tuple[Flow, ImportReport]:
    """The flow the documents make, and the import report. ``start`` names the first document (default:
    the first one, in name order, that no other document leads to)."""
    report = ImportReport(
        name or (documents[0].file if len(documents) == 1 else f"{len(documents)} documents")
    )
    flow = Flow(name or "Imported TwiML")
    builder = ChainBuilder(flow, report)
    chains: dict[str, DocumentChain] = {}
    for doc in sorted(documents, key=lambda d: d.name):
        parsed = parse_twiml(doc.body)
        for d in parsed.diagnostics:
            if parsed.ok:
                report.add(doc.name, "document", WARNING, f"{d.code}: {short(d.message)}")
        if not parsed.ok:
            fatal = parsed.fatal
            report.add(doc.name, "document", SKIPPED, f"{fatal.code}: {short(fatal.message)}")
            continue
        chains[doc.name] = builder.add_document(doc.name, parsed.root, title=doc.name)
    if not chains:
        raise TwimlImportError("none of the documents is valid TwiML (see the report)")
    matcher = _UrlMatcher(list(chains))

    def target_of(doc: str, link: PendingLink) -> str | None:
        return matcher(doc, link.url)

    resolver = ChainResolver(flow, chains, target_of, report)
    resolver.resolve_all()
    if start is not None and start not in chains:
        raise TwimlImportError(f"--start {cut(start, 60)} is not one of the documents")
    if start is None:
        start = _guess_start(chains, target_of)
    flow.set_start(resolver.document_target(start))
    place(flow)
    return flow, report


#: Names a first document is often given; one of them wins among documents nothing else leads to.
START_NAMES = ("welcome", "index", "main", "start", "incoming", "voice", "answer", "greeting")


def _guess_start(chains: dict[str, DocumentChain], target_of) -> str:
    """The first document: one no other document leads to, preferring a usual name, then the one that
    reaches the most documents."""
    edges = {
        d: {t for link in [*c.pending, c.redirect] if link and (t := target_of(d, link)) in chains}
        for d, c in chains.items()
    }
    linked = {t for d, ts in edges.items() for t in ts if t != d}
    candidates = [d for d in chains if d not in linked] or list(chains)

    def reach(d: str) -> int:
        seen, todo = {d}, [d]
        while todo:
            for t in edges[todo.pop()]:
                if t not in seen:
                    seen.add(t)
                    todo.append(t)
        return len(seen)

    def rank(d: str) -> tuple[int, int, str]:
        stem = PurePosixPath(d).name.lower()
        return (0 if stem in START_NAMES else 1, -reach(d), d)

    return min(candidates, key=rank)


def place(flow: Flow) -> None:
    """Lay the imported nodes out left to right, as the editor's auto layout does."""
    positions = auto_layout(flow, lambda n: (220.0, 80.0 + 22.0 * len(n.exits())))
    for node_id, pos in positions.items():
        flow.nodes[node_id].position = (float(pos[0]), float(pos[1]))
