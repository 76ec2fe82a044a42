#!/usr/bin/env python3
"""Write the starter pack's ONC list files from the published ONC files.

    .venv/bin/python scripts/onc_data.py [../shared/data/onc_ddi]

Reads the workbooks and mapped CSVs with `curbside.sources.onc` and writes
src/curbside/knowledge/pack/onc/high_priority.yaml: drug names, class
membership and pairs (facts, not prose) with the list's provenance. A test re-derives them
from ../shared/data and fails when they are stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from curbside.sources import onc

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "data" / "onc_ddi"


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    for kind in onc.PACK_LISTS:
        out = onc.PACK_DIR / f"{kind}.yaml"
        out.write_text(onc.dump(onc.derive(folder, kind)), encoding="utf-8")
        print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
