"""Deployment files of a bundle: the WSGI entry point, requirements, Dockerfile and README."""

APP_PY = '''"""WSGI entry point of this phone menu: `gunicorn app:app` (see README.md)."""

from pathlib import Path

from ivr_handler import create_app

app = create_app(Path(__file__).resolve().parent)
'''

REQUIREMENTS = """\
# The handler app needs only these (IVR Studio itself is not needed to run a bundle).
flask>=3.0,<4
twilio>=9.0,<10
gunicorn>=22.0,<28
# templates in prompts and logic nodes
python-liquid>=2.0,<3
# Hours nodes: time zones everywhere, public holidays, iCalendar files
tzdata>=2024.1
holidays>=0.50
icalendar>=6.0
recurring-ical-events>=3.0
"""

REQUIREMENTS_DEV = """\
-r requirements.txt
pytest>=8,<10
"""

DOCKERFILE = """\
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \\
    PYTHONUNBUFFERED=1 \\
    IVR_ENV=production \\
    PORT=8000

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN useradd --create-home --uid 10001 ivr
USER ivr

EXPOSE 8000
# TWILIO_AUTH_TOKEN must be given at run time (docker run -e TWILIO_AUTH_TOKEN=...); the app refuses to
# start in production without it.
CMD exec gunicorn --bind "0.0.0.0:${PORT}" --workers "${WEB_CONCURRENCY:-2}" --access-logfile - app:app
"""

DYNAMIC_NOTE = """## Logic nodes, templates and back-ends

This flow decides some things on the server: business hours, decisions on the caller's number or on
variables, and requests to back-ends (its Look up nodes). The handler evaluates them within the webhook
request that reaches them; what the call remembers (variables, kept answers) travels in its state cookie.
Each answer names the logic steps taken in `X-IVR-Path`; with `IVR_TRACE_LOOKUPS=1` it also reports the
back-end requests (URL, status, the start of the answer) in `X-IVR-Lookups` — off by default, since back-end
URLs and answers may hold personal data.
$env_list
"""

DOCKERIGNORE = """\
__pycache__/
*.pyc
.pytest_cache/
.venv/
tests/
"""

CONFTEST = '''"""Make the bundle folder importable (``app``, ``ivr_handler``) however pytest is started."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
'''

README = """\
# $name

A phone menu (IVR) exported by IVR Studio: $nodes nodes, starting at `$start`.
It is a small Flask app that answers Twilio's webhooks with TwiML.

| Path | What it is |
|---|---|
| `app.py` | the WSGI entry point, `app:app` |
| `ivr_handler/` | the handler app (Flask; routing, speech and key matching, retries, signature check) |
| `twiml/<node>.xml` | one TwiML document per node of the flow |
| `routing.json` | where each branch and exit of each node leads |
| `tests/test_flow.py` | tests that drive every branch of this flow |
| `Dockerfile` | a container image running gunicorn |

## Run it locally

```sh
python3 -m venv .venv && . .venv/bin/activate
pip install -r requirements.txt
gunicorn --bind 127.0.0.1:8000 app:app
curl -X POST http://127.0.0.1:8000/voice
```

Every answer carries the header `X-IVR-Node` (the node whose TwiML it is), and the app writes one JSON
log line per call step (with the `CallSid`, node and outcome) to standard error.

## Test it

```sh
pip install -r requirements-dev.txt
python -m pytest tests -q
```

The tests drive every branch of this flow by key and by phrase, the no-input and no-match retries up to
the too-many-attempts exit, and every transfer and voicemail outcome, through Flask's test client.
Re-exporting the flow rewrites `tests/test_flow.py`; keep your own tests in other files.

### Scenario tests, in CI too

Scenario files (`*.test.yaml`) test the menu as a caller would — keys, speech, a busy transfer — and say
what must happen: saved from IVR Studio's test-call panel (**Save call as test**), written by
`ivr-studio map --tests`, or by hand. Keep them in `scenarios/` with `target: ..` (this folder), and run
them beside the tests above with IVR Studio's pytest plugin, which collects every `*.test.yaml` file:

```sh
pip install -r requirements-dev.txt "ivr-studio==$version" pytest-xdist
python -m pytest tests scenarios -q -n auto --junitxml=test-report.xml
```

`ivr-studio==$version` is the IVR Studio that exported this bundle, from the package index your team
publishes it to. Without one, install it from IVR Studio's source: the wheel `python -m build` makes in a
checkout of it (`pip install /path/to/ivr_studio-$version-py3-none-any.whl`), or the checkout itself
(`pip install /path/to/ivr-studio`). Install it into the environment pytest runs in: that is where pytest
finds the plugin.

`-k` picks calls by name; `ivr-studio test scenarios/*.test.yaml --junit test-report.xml` runs the same
calls without pytest. IVR Studio is needed for these tests only, not to run the app or `tests/test_flow.py`.

## Deploy it

Run it anywhere that serves Python over HTTPS, for example:

```sh
export TWILIO_AUTH_TOKEN=...            # your Twilio auth token (Console > Account > API keys & tokens)
export IVR_ENV=production               # refuse to start without TWILIO_AUTH_TOKEN
export PUBLIC_BASE_URL=https://ivr.example.com   # only needed behind a proxy, see below
gunicorn --bind 0.0.0.0:8000 --workers 2 app:app
```

or with Docker:

```sh
docker build -t my-ivr .
docker run -p 8000:8000 -e TWILIO_AUTH_TOKEN=... my-ivr
```

The app keeps nothing in memory between requests: what a call remembers (how many times the caller
failed a menu) travels with the call in a signed cookie, which Twilio sends back on every request of the
call. So any number of workers or hosts can serve the same calls, as long as they share the signing key.

Settings (environment variables):

- `TWILIO_AUTH_TOKEN`: when set, every request must carry a valid `X-Twilio-Signature`; others get 403.
- `PUBLIC_BASE_URL`: the public origin Twilio calls, e.g. `https://ivr.example.com`. The signature covers
  the exact URL Twilio requested; behind a proxy or tunnel that changes the scheme or host, set this, or
  make the proxy send `X-Forwarded-Proto` and `X-Forwarded-Host`. Serve the app at the root of its own
  host name: its TwiML links to `/node/...`, so a path prefix (`https://example.com/ivr`) does not work.
- `IVR_ENV=production`: the app refuses to start without `TWILIO_AUTH_TOKEN`.
- `IVR_STATE_SECRET`: the key that signs the call-state cookie. By default it is derived from
  `TWILIO_AUTH_TOKEN`; set it when you want to rotate the two separately. Every instance behind one
  number needs the same value. A cookie that was changed, belongs to another call or is too big is
  refused with 403.

$dynamic_note
## Point your Twilio number at it

In the Twilio Console, open your phone number, and under **Voice Configuration**, "A call comes in":
choose **Webhook**, URL `https://<your host>/voice`, method **HTTP POST**. Save, and call the number.

Use the final `https://` URL: if your host answers Twilio with a redirect (http to https, a missing
trailing slash), Twilio repeats the request as a GET and the caller's key presses are lost.

The app's routes: `/voice` (the start of the call), `/node/<id>` (a node's TwiML) and
`/node/<id>/result` (where menus, transfers and recordings report back).
"""
