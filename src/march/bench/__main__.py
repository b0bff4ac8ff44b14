"""``python -m march.bench``: the same as ``python -m march bench``."""
import sys

from .cli import main

sys.exit(main())
