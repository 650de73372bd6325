"""``python -m village_desk``."""

import sys

from village_desk.app import main

sys.exit(main())
