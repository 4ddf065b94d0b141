"""A small hand-written Flask menu app for the map tests: a cycle, a sub-menu, a transfer with a voicemail
fallback, an error branch and a dead end. ``app.hits`` counts the requests each path received."""

from __future__ import annotations

from collections import Counter

from flask import Flask, Response, request


def twiml(body: str) -> Response:
    return Response(f'<?xml version="1.0" encoding="UTF-8"?><Response>{body}</Response>', mimetype="text/xml")


def create_menu_app() -> Flask:
    app = Flask("menu_app")
    app.hits = Counter()  # type: ignore[attr-defined]

    @app.before_request
    def count() -> None:
        app.hits[request.path] += 1  # type: ignore[attr-defined]

    @app.post("/voice")
    def voice() -> Response:
        return twiml(
            "<Say>Welcome to Example Garden Centre.</Say>"
            '<Gather numDigits="1" action="/menu" input="dtmf speech" hints="opening hours, plants">'
            "<Say>For opening hours press 1 or say opening hours. For plants press 2. To talk to us press 4."
            " To hear this again press 9.</Say></Gather>"
            "<Redirect>/voice</Redirect>"
        )

    @app.post("/menu")
    def menu() -> Response:
        digits = request.form.get("Digits", "")
        speech = request.form.get("SpeechResult", "").lower()
        if digits == "1" or "opening hours" in speech:
            return twiml("<Say>We are open every day from nine to six.</Say><Redirect>/voice</Redirect>")
        if digits == "2" or "plants" in speech:
            return twiml(
                '<Gather numDigits="1" action="/plants"><Say>For roses press 1. For the main menu press 0.</Say>'
                "</Gather><Redirect>/voice</Redirect>"
            )
        if digits == "3":
            raise RuntimeError("the stock database is down")  # the error branch: HTTP 500
        if digits == "4":
            return twiml(
                '<Say>Connecting you.</Say><Dial action="/after-dial" timeout="15">+15550001111</Dial>'
            )
        if digits == "5":
            return twiml("<Say>Thank you for calling.</Say>")  # a dead end: no goodbye, no hang-up
        if digits == "9":
            return twiml("<Redirect>/voice</Redirect>")
        return twiml("<Say>Sorry, that is not an option.</Say><Redirect>/voice</Redirect>")

    @app.post("/plants")
    def plants() -> Response:
        if request.form.get("Digits") == "1":
            return twiml("<Say>Our roses are in bloom.</Say><Hangup/>")
        return twiml("<Redirect>/voice</Redirect>")

    @app.post("/after-dial")
    def after_dial() -> Response:
        if request.form.get("DialCallStatus") == "completed":
            return twiml("<Say>Goodbye.</Say><Hangup/>")
        return twiml('<Say>Please leave a message.</Say><Record action="/recorded" maxLength="30"/>')

    @app.post("/recorded")
    def recorded() -> Response:
        return twiml("<Say>Thanks, we will call back.</Say><Hangup/>")

    return app
