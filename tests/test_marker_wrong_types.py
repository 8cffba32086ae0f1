"""Marker values of the wrong type error the test with one clear line, never silently flip a switch.

``rate_limits="no"`` or ``allow_unrouted="no"`` are truthy strings: accepted, they would turn the
switch the wrong way without a word. A profile is named by a string. The report shows the message
alone, without the "During handling of the above exception" chain of an internal exception.
"""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("rate_limits", "'no'", "@pytest.mark.infisical(rate_limits=...) takes True or False, got 'no'"),
        ("e2ee", "'no'", "@pytest.mark.infisical(e2ee=...) takes True or False, got 'no'"),
        ("allow_unrouted", "'no'", "@pytest.mark.infisical(allow_unrouted=...) takes True or False, got 'no'"),
        ("allow_unmocked", "1", "@pytest.mark.infisical(allow_unmocked=...) takes True or False, got 1"),
        (
            "assert_all_expected",
            "None",
            "@pytest.mark.infisical(assert_all_expected=...) takes True or False, got None",
        ),
        (
            "profile",
            "2024",
            "@pytest.mark.infisical(profile=...) takes a profile name such as '2024-08', got 2024",
        ),
        (
            "profile",
            "None",
            "@pytest.mark.infisical(profile=...) takes a profile name such as '2024-08', got None",
        ),
    ],
)
@pytest.mark.parametrize("fixture", ["infisical", "infisical_server"])
def test_a_wrong_type_errors_the_test(
    pytester: pytest.Pytester, option: str, value: str, expected: str, fixture: str
) -> None:
    pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.infisical({option}={value})
        def test_inner({fixture}):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([expected])
    result.stdout.no_fnmatch_line("*During handling of the above exception*")


@pytest.mark.parametrize("fixture", ["infisical", "infisical_server"])
def test_an_unknown_profile_name_says_the_names_without_a_chained_exception(
    pytester: pytest.Pytester, fixture: str
) -> None:
    pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.infisical(profile="2024")
        def test_inner({fixture}):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["@pytest.mark.infisical: unknown Infisical server profile '2024'; choose one of ['2023', '2024-08', 'latest']"]
    )
    result.stdout.no_fnmatch_line("*During handling of the above exception*")
