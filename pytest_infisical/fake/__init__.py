"""The stateful fake of Infisical's API. ``FakeInfisical`` is the entry point."""

from __future__ import annotations

from .core import DEFAULT_URL, FakeInfisical, fake_pipeline
from .profiles import PROFILES, Profile, get_profile

__all__ = ["DEFAULT_URL", "PROFILES", "FakeInfisical", "Profile", "fake_pipeline", "get_profile"]
