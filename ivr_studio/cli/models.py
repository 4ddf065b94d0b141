"""``ivr-studio models list | download LANG | add DIR [--language LANG] | remove LANG``: speech models.

Manages the vosk models used for ``<Gather input="speech">`` (see :mod:`ivr_studio.voice.models`).
English works without any download through the bundled pocketsphinx model.
"""

from __future__ import annotations

import argparse
import sys

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "models",
        help="list, download, add or remove speech-recognition models",
        description="Manage the vosk speech models used for speech input. English also works without "
        "one (bundled pocketsphinx model). Models live in IVR Studio's data folder "
        "(IVR_STUDIO_MODELS_DIR overrides it); set IVR_STUDIO_MODEL_BASE_URL to download from a mirror.",
    )
    actions = p.add_subparsers(dest="models_action", metavar="ACTION")
    actions.add_parser("list", help="show installed and downloadable models").set_defaults(func=run_list)
    d = actions.add_parser("download", help="download and install the model for a language")
    d.add_argument("language", help="BCP-47 language tag, e.g. en-US, es-MX, ko-KR")
    d.set_defaults(func=run_download)
    a = actions.add_parser("add", help="register a vosk model folder you already have")
    a.add_argument("folder", help="the unpacked model folder")
    a.add_argument("--language", help="the language it serves (guessed from the folder name if omitted)")
    a.set_defaults(func=run_add)
    r = actions.add_parser("remove", help="remove the downloaded or registered model for a language")
    r.add_argument(
        "language",
        help="BCP-47 language tag, e.g. es-MX: a downloaded model is deleted, a registered folder only "
        "unregistered (it stays where it is)",
    )
    r.set_defaults(func=run_remove)
    p.set_defaults(func=lambda args: _usage(p))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return EXIT_USAGE


def progress_bar(done: int, total: int | None, width: int = 30) -> str:
    """One line of text progress: ``[#####.....]  50%  20.0/40.0 MB``."""
    mb = done / 1e6
    if not total:
        return f"{mb:8.1f} MB"
    fraction = min(1.0, done / total)
    filled = round(width * fraction)
    return f"[{'#' * filled}{'.' * (width - filled)}] {fraction:4.0%} {mb:6.1f}/{total / 1e6:.1f} MB"


def run_list(args: argparse.Namespace) -> int:
    from ivr_studio.voice.model_catalog import CATALOG
    from ivr_studio.voice.models import ModelError, ModelManager

    manager = ModelManager()
    try:
        manager.check_registry()
    except ModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    installed = manager.installed()
    print(f"Models folder: {manager.root}")
    print("Installed:")
    for m in installed:
        print(f"  {m.language:<8} {m.name:<36} {m.source:<10} {m.path}")
    print(
        f"  {'en-*':<8} {'pocketsphinx US English (bundled)':<36} {'built in':<10} used when no vosk model fits"
    )
    have = {m.name for m in installed}
    print("Downloadable (sizes approximate):")
    for entry in CATALOG:
        mark = "installed" if entry.name in have else ""
        print(f"  {entry.language:<8} {entry.name:<36} ~{entry.approx_mb:>4} MB  {mark}")
    return EXIT_OK


def run_download(args: argparse.Namespace) -> int:
    from ivr_studio.voice.models import ModelError, ModelManager

    manager = ModelManager()
    tty = sys.stderr.isatty()
    last = [-1]
    bar_shown = [False]  # a progress bar without its line end is on the terminal

    def show(done: int, total: int | None) -> None:
        step = int(done * 20 / total) if total else done // 5_000_000
        if tty:
            bar_shown[0] = True
            print("\r" + progress_bar(done, total), end="", file=sys.stderr, flush=True)
        elif step != last[0]:  # logs and pipes: a line every 5 %, not a carriage-return storm
            last[0] = step
            print(progress_bar(done, total), file=sys.stderr)

    try:
        model = manager.download(args.language, progress=show)
    except ModelError as exc:
        end_of_bar = "\n" if bar_shown[0] else ""
        print(f"{end_of_bar}error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if bar_shown[0]:
        print(file=sys.stderr)
    print(f"installed {model.name} for {model.language} in {model.path}")
    return EXIT_OK


def run_add(args: argparse.Namespace) -> int:
    from ivr_studio.voice.models import ModelError, ModelManager

    try:
        model = ModelManager().add(args.folder, args.language)
    except ModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"registered {model.path} for {model.language}")
    return EXIT_OK


def run_remove(args: argparse.Namespace) -> int:
    from ivr_studio.voice.models import ModelError, ModelManager

    try:
        removed = ModelManager().remove(args.language)
    except ModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    for r in removed:
        if r.action == "deleted":
            print(f"deleted the downloaded {r.language} model {r.path}")
        else:
            print(f"unregistered {r.path} for {r.language} (the folder itself was left as it is)")
    return EXIT_OK
