"""Every page carries a content security policy without inline scripts, a referrer
policy and a permissions policy; the deployment check passes with production settings."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.attachments import attachments_store
from tests.factories import CaseFactory, MessageFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", ["home", "cases:contact", "login"])
def test_a_page_says_where_its_scripts_and_styles_may_come_from(client, name):
    response = client.get(reverse(name))

    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_no_page_of_ours_has_an_inline_script_or_style():
    """What the policy forbids is not in our templates (mail bodies are not pages)."""
    templates = [
        path
        for folder in (ROOT / "templates", *ROOT.glob("*/templates"))
        for path in folder.rglob("*.html")
        if "emails" not in path.parts and path.parts[-2:] != ("dev", "mail_detail.html")
    ]
    inline = re.compile(r"<script>|<style|\sstyle=|\son[a-z]+=")
    offending = [
        str(path.relative_to(ROOT)) for path in templates if inline.search(path.read_text())
    ]

    assert len(templates) > 40 and offending == []


def test_an_attachment_keeps_its_own_sandboxed_policy(client, agent):
    message = MessageFactory(case=CaseFactory(assignee=agent))
    [attachment] = attachments_store(
        message=message,
        uploads=[SimpleUploadedFile("notes.txt", b"The printer is on fire.")],
        content_types=["text/plain"],
    )
    client.force_login(agent.user)

    response = client.get(reverse("cases:attachment", args=[attachment.pk]))

    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_the_deployment_check_passes_with_production_settings(tmp_path):
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "help.example.com",
        "SITE_URL": "https://help.example.com",
        "VAR_DIR": str(tmp_path),
    }

    # As `manage.py release` does: static files are collected before the check.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_admin_may_have_inline_styles_but_never_inline_scripts(client, manager):
    client.force_login(manager.user)

    admin_policy = client.get(reverse("admin:index"))["Content-Security-Policy"]
    desk_policy = client.get(reverse("cases:queue"))["Content-Security-Policy"]

    assert "style-src 'self' 'unsafe-inline'" in admin_policy
    assert "script-src 'self';" in admin_policy + ";"
    assert "unsafe-inline" not in desk_policy


@pytest.mark.parametrize(
    ("site_url", "redirect"),
    [("https://help.example.com", "True"), ("http://127.0.0.1:8841", "False"), ("", "False")],
)
def test_production_redirects_to_https_when_the_site_is_https(tmp_path, site_url, redirect):
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SITE_URL": site_url,
        "VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
    }
    code = "from django.conf import settings; print(settings.SECURE_SSL_REDIRECT)"

    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )

    assert result.stdout.strip() == redirect, result.stderr
