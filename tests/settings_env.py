"""settings.py as it is evaluated with some environment: what production would configure,
read without starting a second process."""

import importlib.util
import os
from pathlib import Path
from unittest import mock

from django.conf import settings


def settings_with_env(**environment: str):
    spec = importlib.util.spec_from_file_location(
        "_settings_with_env", Path(settings.BASE_DIR) / "afa_platform/settings.py"
    )
    module = importlib.util.module_from_spec(spec)
    # DEBUG on, so the settings need no secret key or host names.
    with mock.patch.dict(os.environ, {"DEBUG": "1", **environment}):
        spec.loader.exec_module(module)
    return module
