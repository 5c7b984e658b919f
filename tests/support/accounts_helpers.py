"""Helpers of the accounts tests: request counts and a scripted browser."""

from __future__ import annotations

import html
import re
import ssl
from urllib.parse import parse_qs, urlsplit

import httpx


def token_posts(sandbox, service: str) -> int:
    """How many POSTs reached the token endpoint of ``service`` (entra | salesforce_auth)."""
    counts = sandbox.control("requests")["services"].get(service, {}).get("endpoints", {})
    return sum(
        n
        for name, n in counts.items()
        if name.startswith("POST ") and name.split(" ")[1].endswith("/token") and "[fault" not in name
    )


def make_browser(sandbox, *, decide: str = "allow", seen: list | None = None):
    """An async 'system browser': follows the authorize URL to the loopback redirect.

    With the sandbox's auto_approve the authorize page redirects at once; otherwise the
    allow/deny form is submitted (a form without ``action`` posts to its own page), and a
    self-submitting ``form_post`` page is posted on to the app. Every page it got is appended
    to ``seen``.
    """

    async def browser(url: str) -> None:
        async with httpx.AsyncClient(
            verify=ssl.create_default_context(cafile=sandbox.ca_file), follow_redirects=True, timeout=30
        ) as client:
            response = await client.get(url)
            for _ in range(3):
                if seen is not None:
                    seen.append(response)
                form = re.search(r"<form([^>]*)>(.*?)</form>", response.text, re.S | re.I)
                if not form or response.url.scheme != "https":  # back at the loopback
                    return
                target = re.search(r"action=[\"']?([^\"' >]*)", form.group(1))
                fields = {
                    html.unescape(n): html.unescape(v)
                    for n, v in re.findall(
                        r"<input[^>]*name=[\"']?([^\"' >]+)[^>]*value=[\"']?([^\"'>]*)", form.group(2)
                    )
                }
                for name, options in re.findall(
                    r"<select[^>]*name=[\"']?([^\"' >]+)[^>]*>(.*?)</select>", form.group(2), re.S
                ):
                    values = re.findall(r"<option[^>]*value=[\"']?([^\"' >]*)([^>]*)>", options)
                    chosen = [v for v, rest in values if "selected" in rest] or [v for v, _ in values]
                    if chosen:
                        fields[html.unescape(name)] = html.unescape(chosen[0])
                for name, value in re.findall(
                    r"<button[^>]*name=[\"']?([^\"' >]+)[^>]*value=[\"']?([^\"' >]*)", form.group(2)
                ):
                    if decide in value.lower():
                        fields[name] = value
                action = response.url.join(html.unescape(target.group(1)) if target else "")
                response = await client.post(action, data=fields)
            if seen is not None:
                seen.append(response)

    return browser


def redirect_uri_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["redirect_uri"][0]


def state_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["state"][0]


def sign_in_profile(sandbox, profile, monkeypatch, *, outlook: bool = True, salesforce: bool = True) -> None:
    """Point the app at ``sandbox`` (environment) and sign ``profile`` in through the real app
    sign-in (``tandem login``): the device code is approved at once, the browser is scripted."""
    import argparse

    from app.cli import accounts as accounts_cli

    monkeypatch.setenv("TANDEM_SANDBOX_URL", sandbox.base_url)
    monkeypatch.setenv("TANDEM_SANDBOX_CA", sandbox.ca_file)
    sandbox.state.config["auto_approve"] = True
    sandbox.state.config["device_interval_s"] = 1
    base = dict(
        profile=str(profile),
        sandbox_url=None,
        sandbox_ca=None,
        json=True,
        device=False,
        service=None,
        login_host=None,
    )
    if outlook:
        assert accounts_cli.login_outlook(argparse.Namespace(**base)) == 0
    if salesforce:
        assert (
            accounts_cli.login_salesforce(argparse.Namespace(**base, open_browser=make_browser(sandbox))) == 0
        )
