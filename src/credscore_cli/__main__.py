import sys

from credscore_cli.main import main

# The guard matters: the local stack spawns worker processes, which import this module again.
if __name__ == "__main__":
    sys.exit(main())
