"""Rules of the code itself that neither ruff nor import-linter checks."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = ["helpdesk", "agents", "contacts", "outbox", "cases", "inbox", "knowledge", "tests"]


def python_files():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def test_no_private_name_is_imported_from_another_module():
    offenders = []
    for path in python_files():
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module.split(".")[0] not in APPS:
                    continue
                offenders += [
                    f"{path.relative_to(ROOT)}:{node.lineno}: {alias.name} from {node.module}"
                    for alias in node.names
                    if alias.name.startswith("_") and not alias.name.startswith("__")
                ]
    assert offenders == [], "\n".join(offenders)


def test_no_template_renders_a_form_with_crispy_forms():
    """Form fields render one way, with the field tag (helpdesk.templatetags.desk_forms)."""
    templates = [ROOT / "templates", *(ROOT / app / "templates" for app in APPS)]
    offenders = [
        str(path.relative_to(ROOT))
        for folder in templates
        for path in folder.rglob("*.html")
        if "crispy" in path.read_text()
    ]
    assert offenders == []


TRANSLATING = {"gettext", "gettext_lazy", "_", "ngettext", "pgettext", "ngettext_lazy"}


def test_no_word_to_translate_is_inside_an_f_string():
    """makemessages (xgettext) cannot see into an f-string's expressions: a gettext()
    there is never put in the catalogue, so it stays English in every language."""
    offenders = []
    for path in python_files():
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if not isinstance(node, ast.JoinedStr):
                continue
            for inner in ast.walk(node):
                name = getattr(getattr(inner, "func", None), "id", None)
                if isinstance(inner, ast.Call) and name in TRANSLATING:
                    offenders.append(f"{path.relative_to(ROOT)}:{inner.lineno}: {name}()")
    assert offenders == [], "\n".join(offenders)
