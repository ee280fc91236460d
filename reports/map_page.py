"""The page of a print map (A4 landscape at 300 dpi) and the permissions of the files written.

Kept apart from the drawing modules so that deciding which maps to draw, and starting the processes that draw
them (``reports.maps``), does not import matplotlib.
"""

from __future__ import annotations

import os

# A4 landscape at 300 dpi = 3508 × 2480 px, the page size of a plan document (GB/T 9704 uses A4).
DPI = 300
PAGE_PX = (3508, 2480)
FIGSIZE = (PAGE_PX[0] / DPI, PAGE_PX[1] / DPI)  # inches


def file_mode() -> int:
    """Permissions of a new output file under the process umask (0644 with the usual umask 022)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask
