"""Model: the inert data every stage passes on (imports nothing above it).

Loading the package loads :mod:`paste_exc.model.json`, which gives
:meth:`~paste_exc.model.report.CollectedException.as_json_dict` its conversion.
"""

from paste_exc.model import json as json
