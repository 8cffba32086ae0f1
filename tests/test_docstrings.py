"""Every public method and property of the ``infisical`` object and what it hands out has a docstring."""

from __future__ import annotations

import inspect

import pytest

from pytest_infisical.fake import FakeInfisical
from pytest_infisical.faults import Fault, RateLimiter
from pytest_infisical.journal import Call, CallList, Journal
from pytest_infisical.stubs import Stub


@pytest.mark.parametrize("cls", [FakeInfisical, Journal, CallList, Call, Fault, RateLimiter, Stub])
def test_every_public_member_has_a_docstring(cls: type) -> None:
    missing = []
    for name, member in inspect.getmembers(cls):
        if name.startswith("_"):
            continue
        target = member.fget if isinstance(member, property) else member
        if not (callable(target) or isinstance(member, property)):
            continue
        doc = inspect.getdoc(target)
        if not doc or doc == inspect.getdoc(getattr(object, name, None)):
            missing.append(name)
    assert missing == []
