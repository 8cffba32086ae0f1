"""The fake's API: one explicit tuple of API modules, and the router built from their ``ROUTES``.

Every module of this package that declares routes (a module-level ``ROUTES`` tuple) must be in
:data:`API_MODULES`; one that is not makes importing this module fail, so a forgotten module is an
error at once rather than routes silently answering "not found".
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache
from types import ModuleType
from typing import Optional

from ..http import Router
from . import (
    identities,
    organizations,
    raw_secrets,
    secrets,
    service_accounts,
    service_tokens,
    status,
    users,
    workspaces,
)
from .profiles import PROFILES
from .routing import RouteSpec

__all__ = ["API_MODULES", "ROUTES", "router"]

API_MODULES: tuple[ModuleType, ...] = (
    identities,
    organizations,
    raw_secrets,
    secrets,
    service_accounts,
    service_tokens,
    status,
    users,
    workspaces,
)


def _check_every_api_module_listed() -> None:
    listed = {module.__name__ for module in API_MODULES}
    package = __name__.rpartition(".")[0]
    for info in pkgutil.iter_modules(importlib.import_module(package).__path__):
        name = f"{package}.{info.name}"
        if name not in listed and name != __name__ and hasattr(importlib.import_module(name), "ROUTES"):
            raise ImportError(f"{name} declares ROUTES but is not in {__name__}.API_MODULES; add it there")


_check_every_api_module_listed()

#: every route of the fake, in declaration order
ROUTES: tuple[RouteSpec, ...] = tuple(spec for module in API_MODULES for spec in module.ROUTES)


@lru_cache(maxsize=8)
def router(families: Optional[frozenset[str]] = None) -> Router[RouteSpec]:
    """The routing table of the routes a profile serves: those of no family and those of its
    ``route_families`` (None: those of ``latest``, the default profile). Built once per set of
    families; nothing adds to it after."""
    if families is None:
        families = PROFILES["latest"].route_families
    table: Router[RouteSpec] = Router()
    for spec in ROUTES:
        if not spec.family or spec.family in families:
            table.add(spec.method, spec.path, spec)
    return table
