"""Every ```python block in README.md and docs/*.md runs, so the documentation cannot rot.

A block that defines test functions, or names a fixture of the plugin (``infisical``,
``infisical_service_token`` …), runs as a pytest test file through pytester with the plugin; a
block that only names fixtures is wrapped in one test function that takes them. Any other block
runs as plain code, with the few example objects it names taken from ``GIVEN`` below. A block
that is deliberately not runnable is preceded by ``<!-- doc: not-run (reason) -->``; a block
that exercises a reference list of calls the strict teardown would object to (faults armed and
never triggered) may be preceded by ``<!-- doc: marker infisical(...) -->``.

Line numbers are kept: a failing block reports ``README.md:<line>`` and its traceback points at
the lines of the Markdown file.
"""

from __future__ import annotations

import ast
import builtins
import os
import re
import sys
import textwrap
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable, Optional

import attrs
import pytest

# Loaded before any in-process pytester run, as tests/conftest.py does for the transports: a run
# unloads the modules it imported, and a block importing them afresh would then catch exception
# classes other than the ones the already-loaded code raises.
import pytest_infisical.assertions
import pytest_infisical.credentials
import pytest_infisical.crypto
import pytest_infisical.errors  # noqa: F401
from pytest_infisical import plugin

ROOT = Path(__file__).resolve().parent.parent
#: the Markdown files whose Python blocks are executed
DOC_FILES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
#: the README's quick start imports ``my_app``, the stand-in for a user's code in examples/quickstart
STAND_INS = [ROOT / "examples" / "quickstart"]
#: commands the docs run as a user's own program would be run, each a stand-in on PATH
COMMANDS = {
    # a command-line client: reads the secrets of its service token's scope, as the Infisical CLI does
    "my-cli": """
import argparse, json, sys, urllib.parse, urllib.request

parser = argparse.ArgumentParser()
parser.add_argument("--domain", required=True)
parser.add_argument("--token", required=True)
args = parser.parse_args()
headers = {"Authorization": "Bearer " + ".".join(args.token.split(".")[:3])}

def get(path, **params):
    url = args.domain + path + ("?" + urllib.parse.urlencode(params) if params else "")
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as response:
        return json.load(response)

token = get("/v2/service-token")
scope = token["scopes"][0]
secrets = get("/v3/secrets", workspaceId=token["workspace"], environment=scope["environment"])
print(len(secrets["secrets"]), "secrets")
""",
}
#: fixture names that make a block a pytest test: the plugin's, and pytest's own that docs use
FIXTURES = frozenset(name for name in vars(plugin) if name.startswith("infisical")) | {"tmp_path", "monkeypatch"}

DIRECTIVE = re.compile(r"^\s*<!--\s*doc:(?P<body>.*?)-->\s*$")
NOT_RUN = re.compile(r"^\s*not-run\s+\((?P<reason>[^)]*\S[^)]*)\)\s*$")
MARKER = re.compile(r"^\s*marker\s+(?P<marker>infisical\(.*\))\s*$")


@attrs.frozen
class Block:
    file: Path
    line: int  # the line of the opening fence
    code: str
    not_run: Optional[str] = None
    marker: Optional[str] = None

    @property
    def where(self) -> str:
        return f"{shown(self.file)}:{self.line}"


def shown(path: Path) -> str:
    """The path as the docs' reader knows it: relative to the repository."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


class DocError(Exception):
    """A malformed directive or fence: reported as a failing test, with the place."""


def parse(path: Path) -> list[Block]:
    """The ```python blocks of a Markdown file, with the directive on the line before each."""
    lines = path.read_text(encoding="utf-8").splitlines()
    where = shown(path)
    blocks: list[Block] = []
    directive: Optional[tuple[int, str]] = None
    i = 0
    while i < len(lines):
        line = lines[i]
        match = DIRECTIVE.match(line)
        if match:
            directive = (i + 1, match["body"])
            i += 1
            continue
        fence = re.match(r"^(\s*)(`{3,})(.*)$", line)
        if not fence:
            if line.strip() and directive:
                raise DocError(f"{where}:{directive[0]}: a <!-- doc: ... --> directive must come right before a fence")
            i += 1
            continue
        indent, ticks, info = fence.groups()
        end = next((j for j in range(i + 1, len(lines)) if lines[j].strip() == ticks), None)
        if end is None:
            raise DocError(f"{where}:{i + 1}: a code fence is never closed")
        if info.strip() == "python":
            code = textwrap.dedent("\n".join(line[len(indent) :] for line in lines[i + 1 : end]))
            not_run = marker = None
            if directive:
                body = directive[1]
                if NOT_RUN.match(body):
                    not_run = NOT_RUN.match(body)["reason"].strip()  # type: ignore[index]
                elif MARKER.match(body):
                    marker = MARKER.match(body)["marker"]  # type: ignore[index]
                else:
                    raise DocError(
                        f"{where}:{directive[0]}: unknown directive <!-- doc:{body}-->; "
                        "use <!-- doc: not-run (reason) --> or <!-- doc: marker infisical(...) -->"
                    )
            blocks.append(Block(path, i + 1, code, not_run, marker))
        elif directive:
            raise DocError(f"{where}:{directive[0]}: a <!-- doc: ... --> directive applies to ```python blocks only")
        directive = None
        i = end + 1
    return blocks


def free_names(tree: ast.AST) -> set[str]:
    """Names the code reads but never binds (roughly: enough for a documentation block)."""
    loaded: set[str] = set()
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return loaded - bound - set(dir(builtins))


def defines_tests(tree: ast.Module) -> bool:
    return any(
        (isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"))
        or (isinstance(node, ast.ClassDef) and node.name.startswith("Test"))
        for node in tree.body
    )


# ---- what plain blocks may name without defining it -------------------------------------------


def _service_token_read() -> dict[str, Any]:
    """A ``GET /api/v3/secrets`` response read with a full service token, as the crypto docs show."""
    import requests

    from pytest_infisical.harness import Options, start

    with start(Options(secrets={"DB_PASSWORD": "hunter2"})) as fake:
        token = fake.create_service_token()
        token_doc = requests.get(f"{fake.url}/api/v2/service-token", headers=token.headers, timeout=5).json()
        response = requests.get(
            f"{fake.url}/api/v3/secrets",
            params={"workspaceId": token_doc["workspace"], "environment": "dev"},
            headers=token.headers,
            timeout=5,
        )
        return {"response_json": response.json(), "token": token, "token_doc": token_doc}


#: name → a function making it (and its companions); blocks name these instead of building them
GIVEN: dict[str, Callable[[], dict[str, Any]]] = {
    "response_json": _service_token_read,
    "token": _service_token_read,
    "token_doc": _service_token_read,
}


def given(names: set[str]) -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    for make in {GIVEN[name] for name in names if name in GIVEN}:
        namespace.update(make())
    return namespace


# ---- running a block ----------------------------------------------------------------------------


def as_test_file(block: Block, tree: ast.Module, names: set[str]) -> str:
    """The block as a test module whose line numbers are the Markdown file's."""
    first = block.line + 1  # the block's first line in the Markdown file
    if defines_tests(tree):
        return "\n" * (first - 1) + block.code + "\n"
    fixtures = sorted(names & FIXTURES)
    head = [
        "import pytest",
        f"@pytest.mark.{block.marker}" if block.marker else "",
        f"def test_block({', '.join(fixtures)}):",
    ]
    assert first > len(head), block.where
    return "\n".join(head) + "\n" * (first - len(head)) + textwrap.indent(block.code, "    ") + "\n"


def install_commands(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = pytester.mkdir("bin")
    for name, script in COMMANDS.items():
        command = folder / name
        command.write_text(f"#!{sys.executable}\n{script}", encoding="utf-8")
        command.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ.get('PATH', '')}")


def run_with_pytest(
    block: Block, tree: ast.Module, names: set[str], pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    for folder in STAND_INS:
        pytester.syspathinsert(folder)
    install_commands(pytester, monkeypatch)
    name = re.sub(r"\W", "_", shown(block.file))
    pytester.makepyfile(**{f"test_{name}_{block.line}": as_test_file(block, tree, names)})
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--tb=short", "-W", "error::pytest.PytestUnraisableExceptionWarning"
    )
    outcomes = result.parseoutcomes()
    if result.ret != 0 or not outcomes.get("passed") or set(outcomes) - {"passed", "warnings", "warning"}:
        pytest.fail(f"{block.where}: the block fails as a test file:\n{result.stdout.str()}", pytrace=False)


def run_plain(block: Block, names: set[str]) -> None:
    source = "\n" * block.line + block.code  # line numbers of the Markdown file
    namespace = {"__name__": "__doc_block__", **given(names)}
    try:
        exec(compile(source, str(block.file), "exec"), namespace)  # noqa: S102 - our own documentation
    except Exception as error:
        trace = "".join(traceback.format_exception(type(error), error, error.__traceback__)[2:])
        failure = f"{block.where}: the block raises {type(error).__name__}: {error}\n{trace}"
    else:
        return
    pytest.fail(failure, pytrace=False)


def collect() -> Iterator[Any]:
    for path in DOC_FILES:
        try:
            blocks = parse(path)
        except DocError as error:
            yield pytest.param(error, id=shown(path))
            continue
        for block in blocks:
            yield pytest.param(
                block,
                id=block.where,
                marks=[pytest.mark.skip(reason=f"{block.where}: not run: {block.not_run}")] * bool(block.not_run),
            )


@pytest.mark.parametrize("block", list(collect()))
def test_doc_block_runs(
    block: Any, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    if isinstance(block, DocError):
        pytest.fail(str(block), pytrace=False)
    try:
        tree = ast.parse(block.code)
    except SyntaxError as error:
        pytest.fail(
            f"{block.where}: the block is not valid Python: {error.msg} (block line {error.lineno})", pytrace=False
        )
    names = free_names(tree)
    if defines_tests(tree) or names & FIXTURES:
        try:
            run_with_pytest(block, tree, names, pytester, monkeypatch)
        finally:
            capsys.readouterr()  # the inner session's output: the failure message carries it
    else:
        unknown = sorted(names - set(GIVEN))
        if unknown:
            pytest.fail(
                f"{block.where}: the block uses {', '.join(unknown)} without defining it; define it in the block, "
                "or mark the block <!-- doc: not-run (reason) -->",
                pytrace=False,
            )
        run_plain(block, names)


# ---- the checker itself -------------------------------------------------------------------------


def write(tmp_path: Path, text: str) -> Path:
    doc = tmp_path / "guide.md"
    doc.write_text(textwrap.dedent(text), encoding="utf-8")
    return doc


def test_a_failing_plain_block_names_its_file_and_line(tmp_path: Path) -> None:
    doc = write(tmp_path, "# Guide\n\n```python\nanswer = 41\nassert answer == 42, 'off by one'\n```\n")
    [block] = parse(doc)
    with pytest.raises(pytest.fail.Exception) as failure:
        run_plain(block, free_names(ast.parse(block.code)))
    message = str(failure.value)
    assert message.startswith(f"{doc}:3: the block raises AssertionError: off by one")
    assert f'File "{doc}", line 5' in message  # the traceback points into the Markdown file


def test_a_failing_fixture_block_fails_with_the_inner_report(
    tmp_path: Path, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = write(
        tmp_path, "Text.\n\n```python\ninfisical.set_secret('A', 'b')\nassert infisical.secrets('dev') == {}\n```\n"
    )
    [block] = parse(doc)
    tree = ast.parse(block.code)
    with pytest.raises(pytest.fail.Exception) as failure:
        run_with_pytest(block, tree, free_names(tree), pytester, monkeypatch)
    message = str(failure.value)
    assert message.startswith(f"{doc}:3: the block fails as a test file:")
    assert ".py:5: in test_block" in message  # the line in the Markdown file
    assert "AssertionError: assert {'A': 'b'} == {}" in message


def test_a_block_that_passes_runs_its_tests(
    tmp_path: Path, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = write(tmp_path, "```python\ndef test_one(infisical_api_key):\n    assert infisical_api_key.headers\n```\n")
    [block] = parse(doc)
    tree = ast.parse(block.code)
    run_with_pytest(block, tree, free_names(tree), pytester, monkeypatch)


def test_directives(tmp_path: Path) -> None:
    doc = write(
        tmp_path,
        """\
        <!-- doc: not-run (needs a live server) -->
        ```python
        import nothing
        ```

        <!-- doc: marker infisical(assert_all_expected=False) -->
        ```python
        infisical.fail_next(status=503)
        ```

        ```console
        $ not python
        ```
        """,
    )
    skipped, marked = parse(doc)
    assert (skipped.line, skipped.not_run, skipped.marker) == (2, "needs a live server", None)
    assert (marked.line, marked.not_run, marked.marker) == (7, None, "infisical(assert_all_expected=False)")


USE = "use <!-- doc: not-run (reason) --> or <!-- doc: marker infisical(...) -->"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("<!-- doc: not-run -->\n```python\npass\n```\n", f"1: unknown directive <!-- doc: not-run -->; {USE}"),
        ("<!-- doc: skip (why) -->\n```python\npass\n```\n", f"1: unknown directive <!-- doc: skip (why) -->; {USE}"),
        (
            "<!-- doc: not-run (why) -->\nText.\n```python\npass\n```\n",
            "1: a <!-- doc: ... --> directive must come right before a fence",
        ),
        (
            "<!-- doc: not-run (why) -->\n```console\n$ ls\n```\n",
            "1: a <!-- doc: ... --> directive applies to ```python blocks only",
        ),
        ("Text.\n```python\npass\n", "2: a code fence is never closed"),
    ],
)
def test_malformed_directives_and_fences_are_errors(tmp_path: Path, text: str, error: str) -> None:
    doc = write(tmp_path, text)
    with pytest.raises(DocError) as raised:
        parse(doc)
    assert str(raised.value) == f"{doc}:{error}"


def test_free_names_are_what_a_block_reads_without_binding() -> None:
    code = """
import requests
from pytest_infisical import crypto as c
def helper(x):
    return [y for y in x]
try:
    pass
except ValueError as error:
    print(error)
total = helper(infisical.calls) + [token]
"""
    assert free_names(ast.parse(code)) == {"infisical", "token"}
