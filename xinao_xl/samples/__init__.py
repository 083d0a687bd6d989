"""Built-in sample data for the demo (synthetic, no customer data)."""

from pathlib import Path

SAMPLES = Path(__file__).parent
DEPARTMENT_MONTH = SAMPLES / "客服部_2026-11.json"
