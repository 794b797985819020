"""The test folders have no __init__.py, so pytest imports each test file by its base name: two files of
one name in different tiers cannot both be collected in one run (`make test` stops at collection)."""

from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent


def test_every_test_file_name_is_unique_across_the_tiers() -> None:
    names = Counter(path.name for path in TESTS.rglob("test_*.py"))
    assert not [name for name, count in names.items() if count > 1]
