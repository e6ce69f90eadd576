"""python -m credscore_cli.population [--n 800] [--seed 7]: the reference population's report (per characteristic:
mean, median, share with evidence, Missing and baseline points; the gain from withholding sources)."""

from __future__ import annotations

import argparse

from credscore.scoring.population import reference_report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m credscore_cli.population", description=__doc__)
    parser.add_argument("--n", type=int, default=800)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    print(reference_report(args.n, args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
