"""The bundle's entry point (PyInstaller starts a script, not a package's __main__)."""

import sys

from guichet.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
