"""An operator's admin script for a self-hosted Infisical that still accepts API keys.

    INFISICAL_API_KEY=ak.… python infisical_admin.py projects
    INFISICAL_API_KEY=ak.… python infisical_admin.py rotate DB_PASSWORD --project <id> --env prod

``rotate`` sets a fresh random value and prints only the new version: the value itself is never
printed. This is the code under test; it knows nothing about pytest-infisical.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from typing import Any, Optional

import requests

SITE_URL = os.environ.get("INFISICAL_URL", "https://app.infisical.com")


class AdminError(Exception):
    pass


class Admin:
    def __init__(self, api_key: str, site_url: str = SITE_URL) -> None:
        self.site_url = site_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers["X-API-KEY"] = api_key

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.session.request(method, f"{self.site_url}{path}", timeout=10, **kwargs)
        if response.status_code != 200:
            try:
                message = response.json().get("message")
            except ValueError:
                message = response.text
            raise AdminError(f"Infisical answered {response.status_code}: {message}")
        return response.json()

    def projects(self) -> list[tuple[str, str]]:
        return [(w["_id"], w["name"]) for w in self._call("GET", "/api/v1/workspace")["workspaces"]]

    def rotate(self, name: str, project_id: str, environment: str) -> int:
        body = {"workspaceId": project_id, "environment": environment, "secretValue": secrets.token_urlsafe(24)}
        return int(self._call("PATCH", f"/api/v3/secrets/raw/{name}", json=body)["secret"]["version"])


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="infisical_admin")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("projects", help="list the projects this key's user belongs to")
    rotate = commands.add_parser("rotate", help="give a secret a fresh random value")
    rotate.add_argument("name")
    rotate.add_argument("--project", required=True)
    rotate.add_argument("--env", default="dev")
    args = parser.parse_args(argv)
    admin = Admin(os.environ["INFISICAL_API_KEY"])
    try:
        if args.command == "projects":
            for project_id, name in admin.projects():
                print(f"{project_id}  {name}")
        else:
            print(f"{args.name} rotated in {args.env}: now version {admin.rotate(args.name, args.project, args.env)}")
    except AdminError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
