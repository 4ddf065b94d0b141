"""A bug in the editor never takes the user's flow with it: the recovery file is written, the user is told."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QMessageBox

from ivr_studio.flow.ivrflow import load_flow
from ivr_studio.ui.crash_guard import install_crash_guard


def raise_and_catch() -> tuple:
    try:
        raise RuntimeError("boom in a slot")
    except RuntimeError:
        return sys.exc_info()


def test_an_unexpected_error_saves_the_flow_and_explains(window, monkeypatch, capsys):
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, title, text, *a, **k: shown.append(text))
    window.document.set_field("start", "title", "Unsaved work")
    previous = install_crash_guard(window)
    try:
        sys.excepthook(*raise_and_catch())
    finally:
        sys.excepthook = previous
    recovery = window.autosaver.recovery_file()
    assert load_flow(recovery).node("start").title == "Unsaved work"
    assert len(shown) == 1 and "boom in a slot" in shown[0] and str(recovery) in shown[0]
    assert "RuntimeError: boom in a slot" in capsys.readouterr().err
    window.autosaver.discard()


def test_with_nothing_unsaved_the_message_says_so(window, monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, title, text, *a, **k: shown.append(text))
    previous = install_crash_guard(window)
    try:
        sys.excepthook(*raise_and_catch())
    finally:
        sys.excepthook = previous
    assert "no unsaved changes" in shown[0]
