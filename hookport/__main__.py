"""``python -m hookport``: same as the ``hookport`` console script."""
import sys

from hookport.cli import main

sys.exit(main())
