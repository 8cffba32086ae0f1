"""The stateful fake of Infisical's API. ``FakeInfisical`` is the entry point.

``handler.py`` answers one request (routes from ``api.py``, auth from ``auth.py``, state from
``state.py``, errors rendered by ``profiles.py``); ``seeding.py`` is the Python API over the same
state; ``core.py`` assembles both behind a :class:`~pytest_infisical.pipeline.Pipeline`.
"""

from __future__ import annotations

from .core import DEFAULT_URL, FakeInfisical, fake_pipeline
from .profiles import PROFILES, Profile, get_profile

__all__ = ["DEFAULT_URL", "PROFILES", "FakeInfisical", "Profile", "fake_pipeline", "get_profile"]
