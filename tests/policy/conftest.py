"""Shared helpers for the policy tests: a fresh, editable copy of the rules data."""

import copy
import tomllib

import pytest

from tests.policy.policy_text import POLICY_TEXT, squeeze
from xinao_xl.policy.rules import DEFAULT_RULES_PATH

with open(DEFAULT_RULES_PATH, "rb") as _fh:
    _RAW = tomllib.load(_fh)


@pytest.fixture
def raw_rules():
    """The decoded rules.toml, a deep copy each test may modify."""
    return copy.deepcopy(_RAW)


@pytest.fixture(scope="session")
def policy_text():
    """The three policies' text, squeezed; skipped when it is not beside the repository."""
    if not POLICY_TEXT.exists():
        pytest.skip("policy text not beside the repository (../shared/policy)")
    return squeeze(POLICY_TEXT.read_text(encoding="utf-8"))
