"""``python -m proxy``: the same as the ``mockproxy`` command."""

import sys

from proxy.cli import main

sys.exit(main())
