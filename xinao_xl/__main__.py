import sys

from xinao_xl.cli import main

sys.exit(main())
