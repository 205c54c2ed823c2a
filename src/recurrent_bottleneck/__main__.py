import sys

from recurrent_bottleneck.cli import main

sys.exit(main())
