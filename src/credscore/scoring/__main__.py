"""`python -m credscore.scoring [--write-schema | --check-schema]`: as `python -m credscore.scoring.config`;
with no arguments it rewrites schemas/scoring-config.schema.json (the historical behaviour)."""

import sys

from credscore.scoring.config import main

if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:] or ["--write-schema"]))
