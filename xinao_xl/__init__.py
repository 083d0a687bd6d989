"""xinao_xl: Python behind the service office's Excel workbooks (考核表, 回访台账, 投诉台账)."""

import time as _time

__version__ = "0.1.0"

LOADED_AT = _time.time()
"""When this process loaded the package: a module file changed after it may hold other
code than this process runs (services/spawned.py does not use a value built from such)."""
