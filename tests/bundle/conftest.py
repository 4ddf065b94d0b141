"""Fixtures of the bundle tests."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from handler_helpers import app_for, clinic_flow


@pytest.fixture
def clinic() -> FlaskClient:
    """The handler app for :func:`handler_helpers.clinic_flow`, with signature checks off."""
    return app_for(clinic_flow()).test_client()
