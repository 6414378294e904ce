"""Architecture checks: import layering, locked public APIs, no globals, the error catalogue, module size.

Packages and modules are discovered from the source tree, so a package added tomorrow is covered
without editing this file.
"""

from __future__ import annotations

import ast
import importlib
import string
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from yunmail import errors

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
PACKAGE = SRC / "yunmail"
MAX_MODULE_LINES = 800

# DESIGN.md §9 "Public API": these re-export their API with a locked ``__all__`` once they exist.
API_LOCKED = (
    "yunmail.auth",
    "yunmail.billing",
    "yunmail.delivery",
    "yunmail.directory",
    "yunmail.domains",
    "yunmail.events",
    "yunmail.filters",
    "yunmail.mailstore",
    "yunmail.migration",
    "yunmail.policy",
    "yunmail.security",
    "yunmail.storage",
)


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def source_files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def source_of(name: str) -> Path | None:
    relative = Path(*name.split("."))
    for candidate in (SRC / relative / "__init__.py", (SRC / relative).with_suffix(".py")):
        if candidate.exists():
            return candidate
    return None


def declares_all(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(
        isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
        for node in tree.body
    )


def api_modules() -> list[str]:
    """The API-locked names that exist, plus every package whose ``__init__`` declares ``__all__``."""
    found = {name for name in API_LOCKED if source_of(name) is not None}
    found |= {module_name(p) for p in PACKAGE.rglob("__init__.py") if declares_all(p)}
    return sorted(found)


def public_bindings(path: Path) -> set[str]:
    """Public names a module binds at top level: for a package ``__init__`` its imports as well."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_init = path.name == "__init__.py"
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and is_init and node.module != "__future__":
            names.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.Import) and is_init:
            names.update(alias.asname or alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return {n for n in names if not n.startswith("_")}


def test_import_layering_contracts_are_kept() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint_imports), str(ROOT / "pyproject.toml"), "--no-cache", "--no-logo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", api_modules())
def test_all_lists_exactly_the_public_names(name: str) -> None:
    path = source_of(name)
    assert path is not None
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{name} must declare __all__"
    assert [n for n, count in Counter(exported).items() if count > 1] == []
    assert sorted(set(exported)) == sorted(public_bindings(path))


@pytest.mark.parametrize("name", api_modules())
def test_every_name_in_all_exists(name: str) -> None:
    module = importlib.import_module(name)
    assert [n for n in getattr(module, "__all__", []) if not hasattr(module, n)] == []


def test_no_global_statements_in_source() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in source_files()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Global)
    ]
    assert offenders == []


def test_no_module_is_longer_than_the_limit() -> None:
    # Generated Alembic revisions are data, not code anyone reads top to bottom.
    lengths = {
        path: len(path.read_text(encoding="utf-8").splitlines())
        for path in source_files()
        if "migrations/versions" not in path.as_posix()
    }
    offenders = sorted(
        f"{p.relative_to(ROOT)}: {n} lines" for p, n in lengths.items() if n > MAX_MODULE_LINES
    )
    assert offenders == []


def catalogue() -> list[type[errors.YunmailError]]:
    return [
        value
        for value in vars(errors).values()
        if isinstance(value, type) and issubclass(value, errors.YunmailError)
    ]


def placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}


def test_every_error_sets_its_own_code() -> None:
    assert [cls.__name__ for cls in catalogue() if "code" not in vars(cls)] == []


def test_error_codes_are_unique() -> None:
    codes = Counter(cls.code for cls in catalogue())
    assert [code for code, count in codes.items() if count > 1] == []


def test_error_codes_are_upper_snake_case() -> None:
    allowed = set(string.ascii_uppercase + string.digits + "_")
    assert [cls.code for cls in catalogue() if not cls.code or set(cls.code) - allowed] == []


def test_every_error_has_english_and_chinese_text() -> None:
    missing = [
        cls.__name__ for cls in catalogue() if not cls.en.strip() or not cls.zh.strip() or cls.zh == cls.en
    ]
    assert missing == []


def test_error_templates_use_the_same_placeholders_in_both_languages() -> None:
    mismatched = {
        cls.__name__: (sorted(placeholders(cls.en)), sorted(placeholders(cls.zh)))
        for cls in catalogue()
        if placeholders(cls.en) != placeholders(cls.zh)
    }
    assert mismatched == {}


def test_every_error_has_an_http_error_status() -> None:
    assert [cls.__name__ for cls in catalogue() if not 400 <= cls.http_status <= 599] == []


def test_smtp_reply_and_enhanced_status_agree() -> None:
    # RFC 3463: the enhanced status class (4 or 5) matches the reply code's first digit.
    def agrees(reply: tuple[int, str]) -> bool:
        code, enhanced = reply
        parts = enhanced.split(".")
        return (
            400 <= code <= 599
            and len(parts) == 3
            and all(p.isdigit() for p in parts)
            and parts[0] == str(code)[0]
        )

    assert [cls.__name__ for cls in catalogue() if not agrees(cls.smtp)] == []
