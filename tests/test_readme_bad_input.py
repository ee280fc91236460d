"""README.md's "Bad input" table states the true number of bad-input tests per class."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_bad_input_table_is_current():
    """The counts in README.md are those of the collected test ids (tests/bad_input_table.py --check)."""
    proc = subprocess.run([sys.executable, "tests/bad_input_table.py", "--check"], capture_output=True,
                          text=True, cwd=ROOT, check=False, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
