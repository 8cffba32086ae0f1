"""The fixtures, the marker, the options and the ini keys, as a downstream project uses them."""

from __future__ import annotations

import pytest


def test_fixtures_serve_requests_for_every_mode(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import requests

        URL = "https://app.infisical.com"

        def test_modes(infisical, infisical_api_key, infisical_service_token, infisical_service_account,
                       infisical_machine_identity):
            assert requests.get(URL + "/api/v2/service-token", headers=infisical_service_token.headers).status_code == 200
            login = requests.post(URL + "/api/v1/auth/universal-auth/login",
                                  json=infisical_machine_identity.login_body)
            assert login.json()["tokenType"] == "Bearer"
            # handed out under today's profile too, and refused as today's server does
            assert requests.get(URL + "/api/v2/users/me", headers=infisical_api_key.headers).status_code == 400
            assert requests.get(URL + "/api/v2/service-accounts/me",
                                headers=infisical_service_account.headers).status_code == 403

        def test_each_test_gets_a_fresh_fake(infisical):
            infisical.set_secret("A", "1")
            assert infisical.secrets() == {"A": "1"}

        def test_still_fresh(infisical):
            assert infisical.secrets() == {}
            assert infisical.project.environments == ("dev", "staging", "prod")
            assert infisical.url == "https://app.infisical.com"
        """
    )
    pytester.runpytest().assert_outcomes(passed=3)


@pytest.mark.parametrize("profile", ["2023", "2024-08"])
def test_the_retired_modes_fixtures_work_on_the_eras_that_served_them(pytester: pytest.Pytester, profile: str) -> None:
    pytester.makepyfile(
        f"""
        import pytest, requests

        URL = "https://app.infisical.com"
        pytestmark = pytest.mark.infisical(profile="{profile}")

        def test_api_key(infisical, infisical_api_key):
            me = requests.get(URL + "/api/v2/users/me", headers=infisical_api_key.headers)
            assert (me.status_code, me.json()["user"]["email"]) == (200, infisical.user.email)

        def test_service_account(infisical, infisical_service_account):
            me = requests.get(URL + "/api/v2/service-accounts/me", headers=infisical_service_account.headers)
            if infisical.profile.name == "2023":  # served from March to November 2023 only
                assert (me.status_code, me.json()["serviceAccount"]["_id"]) == (200, infisical_service_account.id)
                infisical.assert_called("GET", "/api/v2/service-accounts/me", auth="service_account", times=1)
                assert infisical.calls[0].note is None
            else:
                assert (me.status_code, me.json()["message"]) == (500, "jwt malformed")
                assert infisical.calls[0].note.startswith("Service accounts are retired on the August-2024")
        """
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_a_refused_api_key_names_the_profile_to_pin(pytester: pytest.Pytester) -> None:
    """The test fails on the client's error; its report says why the fake refused, once."""
    pytester.makepyfile(
        """
        import requests

        def test_old_integration(infisical, infisical_api_key):
            params = {"workspaceId": infisical.project.id, "environment": "dev"}
            for _ in range(2):
                response = requests.get("https://app.infisical.com/api/v3/secrets/raw", params=params,
                                        headers=infisical_api_key.headers)
            response.raise_for_status()
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*HTTPError: 400 Client Error*",
            "*- pytest-infisical -*",
            "pytest-infisical: the fake Infisical refused a retired credential:",
            "  1. GET /api/v3/secrets/raw?workspaceId=*&environment=dev auth=api_key (ak.*…(redacted)) -> 400 "
            "[[]API keys are retired on today's Infisical (profile 'latest'); "
            'pin @pytest.mark.infisical(profile="2023") or "2024-08" (or serve --profile 2023) to test an API-key integration]',
            "*= short test summary info =*",
        ]
    )
    result.stdout.no_fnmatch_line("  2. GET *")  # the first refused call is enough


def test_a_failure_without_a_refused_credential_has_no_such_section(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import requests

        def test_fails(infisical, infisical_service_token):
            response = requests.get("https://app.infisical.com/api/v2/service-token",
                                    headers=infisical_service_token.headers)
            assert response.status_code == 404
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*assert 200 == 404*"])
    result.stdout.no_fnmatch_line("*pytest-infisical*")


def test_a_refused_service_account_in_the_strict_report(pytester: pytest.Pytester) -> None:
    """A client that swallows the 403 still meets strict mode's unmet expectation, and the note."""
    pytester.makepyfile(
        """
        import requests

        def test_swallowed(infisical, infisical_service_account):
            infisical.expect("GET", "/api/v2/service-accounts/:id/keys")
            url = "https://app.infisical.com/api/v2/service-accounts"
            me = requests.get(url + "/me", headers=infisical_service_account.headers)
            if me.ok:  # the client gives up quietly on an error
                requests.get(f"{url}/{infisical_service_account.id}/keys", headers=infisical_service_account.headers)

        def test_wanted(infisical, infisical_service_account):
            response = requests.get("https://app.infisical.com/api/v2/service-accounts/me",
                                    headers=infisical_service_account.headers)
            assert (response.status_code, response.json()["error"]) == (403, "TokenError")  # the refusal is the point
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_swallowed*",
            "pytest-infisical: 1 expected call(s) declared with infisical.expect() were not made:",
            "Expected GET /api/v2/service-accounts/:id/keys to be called at least once, but it was called 0 times.",
            "pytest-infisical: the fake Infisical refused a retired credential:",
            "  1. GET /api/v2/service-accounts/me auth=service_account (Bearer sa.*…(redacted)) -> 403 "
            "[[]Service accounts are retired on today's Infisical (profile 'latest'); "
            'pin @pytest.mark.infisical(profile="2023") (or serve --profile 2023) to test a service-account integration]',
        ]
    )


def test_marker_seeds_secrets_in_both_shapes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.infisical(secrets={"DB_PASSWORD": "hunter2"})
        def test_flat(infisical):
            assert infisical.secrets() == {"DB_PASSWORD": "hunter2"}

        @pytest.mark.infisical(secrets={"prod": {"/": {"A": "1"}, "/backend": {"B": "2"}}})
        def test_nested(infisical):
            assert infisical.secrets("prod") == {"A": "1"}
            assert infisical.secrets("prod", "/backend") == {"B": "2"}
        """
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_profile_from_marker_option_and_ini(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\ninfisical_profile = 2023\n")
    pytester.makepyfile(
        """
        import pytest, requests

        def status():
            return requests.get("https://app.infisical.com/api/v2/users/me").status_code

        def test_ini(infisical):
            assert infisical.profile.name == "2023" and status() == 400

        @pytest.mark.infisical(profile="latest")
        def test_marker_wins(infisical):
            assert infisical.profile.name == "latest" and status() == 401
        """
    )
    pytester.runpytest().assert_outcomes(passed=2)
    result = pytester.runpytest("--infisical-profile", "latest", "-k", "test_ini")
    result.assert_outcomes(failed=1)
    # it fails because the command-line option wins over the ini key, not for any other reason
    result.stdout.fnmatch_lines(["E       AssertionError: assert ('latest' == '2023'*"])


def test_class_marker_and_closest_marker_win(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.infisical(profile="2023", secrets={"A": "class"})
        class TestThem:
            def test_class(self, infisical):
                assert (infisical.profile.name, infisical.secrets()) == ("2023", {"A": "class"})

            @pytest.mark.infisical(secrets={"A": "method"})
            def test_method(self, infisical):
                assert (infisical.profile.name, infisical.secrets()) == ("2023", {"A": "method"})
        """
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_extra_base_urls_from_marker_ini_and_option(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\ninfisical_base_urls =\n    http://ini.example:8080\n")
    pytester.makepyfile(
        """
        import pytest, requests

        @pytest.mark.infisical(base_urls=["https://vault.example/infisical"])
        def test_urls(infisical):
            for url in ("http://ini.example:8080", "https://cli.example", "https://vault.example/infisical",
                        "https://app.infisical.com"):
                assert requests.get(url + "/api/status").json()["message"] == "Ok", url
        """
    )
    pytester.runpytest("--infisical-base-url", "https://cli.example").assert_outcomes(passed=1)


def test_e2ee_marker_locks_the_raw_routes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest, requests

        @pytest.mark.infisical(e2ee=True, secrets={"A": "1"})
        def test_locked(infisical, infisical_service_token):
            response = requests.get("https://app.infisical.com/api/v3/secrets/raw",
                                    params={"workspaceId": infisical.project.id, "environment": "dev"},
                                    headers=infisical_service_token.headers)
            assert response.status_code == 404
            assert infisical.secrets() == {"A": "1"}
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_requests_to_other_hosts_are_refused_with_a_reason(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import requests

        def test_elsewhere(infisical):
            requests.get("https://example.org/api")
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1, errors=1)  # the test itself, and strict mode at teardown
    result.stdout.fnmatch_lines(
        [
            "*ConnectionError: pytest-infisical: GET https://example.org/api is not a request to the fake Infisical "
            "(it serves https://app.infisical.com); the request was refused.*"
        ]
    )


def test_bad_marker_usage_is_explained(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.infisical(profil="2023")
        def test_typo(infisical):
            pass

        @pytest.mark.infisical("2023")
        def test_positional(infisical):
            pass

        @pytest.mark.infisical(secrets={"qa": {"/": {"A": "1"}}})
        def test_unknown_environment(infisical):
            pass

        @pytest.mark.infisical(secrets={"dev": {"no-slash": {"A": "1"}}})
        def test_bad_path(infisical):
            pass

        @pytest.mark.infisical(profile="2022")
        def test_bad_profile(infisical):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=5)
    result.stdout.fnmatch_lines_random(
        [
            "*@pytest.mark.infisical got unknown option(s) profil; it takes allow_unmocked, allow_unrouted, "
            "assert_all_expected, base_urls, e2ee, environments, "
            "passthrough, profile, rate_limits, secrets",
            "*@pytest.mark.infisical takes keyword options only, e.g. infisical(profile='2023')",
            "*@pytest.mark.infisical: secrets.qa: project 'Example Project' has no environment 'qa' "
            "(it has dev, staging, prod)",
            "*@pytest.mark.infisical: secrets.dev.no-slash: a folder path starts with '/', got 'no-slash'",
            "*@pytest.mark.infisical: unknown Infisical server profile '2022'; choose one of [[]'2023', '2024-08', 'latest'[]]",
        ]
    )


def test_marker_is_registered(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.infisical(**options): configure the fake Infisical for this test*"])


def test_fixtures_are_documented(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--fixtures")
    result.stdout.fnmatch_lines_random(
        [
            "infisical -- *",
            "*A fresh fake Infisical for this test*",
            "infisical_api_key -- *",
            "infisical_service_token -- *",
            "infisical_service_account -- *",
            "infisical_machine_identity -- *",
        ]
    )


def test_infisical_server_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest, requests

        @pytest.mark.infisical(secrets={"A": "1"}, profile="2023")
        def test_over_http(infisical_server):
            assert infisical_server.url.startswith("http://127.0.0.1:")
            key = infisical_server.create_api_key()
            response = requests.get(infisical_server.url + "/api/v3/secrets/raw", headers=key.headers,
                                    params={"workspaceId": infisical_server.project.id, "environment": "dev"})
            assert {s["secretKey"]: s["secretValue"] for s in response.json()["secrets"]} == {"A": "1"}
            assert requests.get(infisical_server.url + "/api/v2/users/me").status_code == 400  # the 2023 profile
            infisical_server.assert_called("GET", "/api/v3/secrets/raw", auth="api_key", times=1)

        def test_strict_too(infisical_server):
            requests.get(infisical_server.url + "/api/nowhere")

        def test_credential_fixtures_bind_to_the_server(infisical_server, infisical_service_token):
            response = requests.get(infisical_server.url + "/api/v2/service-token", headers=infisical_service_token.headers)
            assert response.json()["workspace"] == infisical_server.project.id
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*_ ERROR at teardown of test_strict_too _*",
            "pytest-infisical: 1 request(s) reached no route of the fake Infisical:",
        ]
    )
