"""Allow `python -m app` as well as the `stripdown` script."""

import sys

from app.cli import main

sys.exit(main())
