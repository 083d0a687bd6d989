"""The policy text beside the repository (../shared/policy), for tests that check the data
against the words of the policies."""

import re
import unicodedata
from pathlib import Path

POLICY_TEXT = Path(__file__).resolve().parents[3] / "shared" / "policy" / "000_aa47e35c85eb54b3.txt"


def squeeze(text: str) -> str:
    """Half-width forms (NFKC) and no whitespace: the text file breaks lines inside names."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
