"""`python -m classifier.shared_head embed|evaluate|train` (see classifier.shared_head.cli)."""

import sys

from classifier.shared_head.cli import main

sys.exit(main())
