"""Recorded response cassettes that cannot leak: record against a real Infisical, re-key, scan, replay.

* :mod:`.format` — the file: load, dump, atomic save, typed errors naming the place;
* :mod:`.player` — :class:`CassettePlayer`, a handler that replays a cassette;
* :mod:`.recorder` — :class:`Recorder`, a handler that forwards to a real Infisical and records;
* :mod:`.rekey` — every real credential, project key and value replaced by fixture material;
* :mod:`.scan` — the leak scan, for a cassette before it is written and for files on disk;
* :mod:`.session` — a cassette test without pytest: which file, replay or record, and
  :class:`CassetteInfisical`, what the ``infisical`` fixture is in a test marked ``infisical_cassette``.

Nothing here needs pytest (the plugin is glue around :mod:`.session`). Importing this package is cheap: the crypto libraries load on first use.
"""

from __future__ import annotations

from .format import Cassette, load, loads, save
from .player import CassettePlayer
from .recorder import Recorder
from .rekey import RealCredentials, rekey
from .scan import scan_paths, scan_text
from .session import CassetteInfisical, CassetteUsageError

__all__ = [
    "Cassette",
    "CassetteInfisical",
    "CassettePlayer",
    "CassetteUsageError",
    "RealCredentials",
    "Recorder",
    "load",
    "loads",
    "rekey",
    "save",
    "scan_paths",
    "scan_text",
]
