from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def seed_text() -> str:
    return (FIXTURES / "seed_2019.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def corrected_text() -> str:
    return (FIXTURES / "seed_2019_corrected.txt").read_text(encoding="utf-8")
