"""``python -m parabench_client`` runs the command line, like ``parabench-client``."""

import sys

from parabench_client.cli import main

sys.exit(main())
