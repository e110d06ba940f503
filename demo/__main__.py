"""`python -m demo [--out DIR] [--seed N]`: write the demo district's documents."""
import sys

from demo.generate import main

sys.exit(main())
