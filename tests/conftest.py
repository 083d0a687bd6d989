"""Fixtures shared by every test package."""

from __future__ import annotations

import pytest

from tests.support import libreoffice


@pytest.fixture(scope="session")
def require_libreoffice() -> str:
    """The soffice path; skips when LibreOffice is missing, but fails under CI (CI must run these)."""
    soffice = libreoffice.find_soffice()
    if soffice is None:
        reason = "LibreOffice (soffice) is not installed; install libreoffice-calc or set $SOFFICE"
        if libreoffice.in_ci():
            pytest.fail(f"{reason} — required when CI is set", pytrace=False)
        pytest.skip(reason)
    return soffice
