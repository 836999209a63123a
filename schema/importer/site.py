"""Message Nest's site settings and admin account → PushNest's site settings and users.

The site title and logo are taken only while PushNest's are still the defaults, so neither a
second run nor an import after an admin chose their own changes them. Message Nest kept its one
account's password in clear: an account PushNest does not have yet is created with that password
hashed and must choose a new one at its first sign-in; an existing PushNest account is never
touched (its password is not replaced by a leaked one).
"""

from __future__ import annotations

import base64
from collections import defaultdict

from pydantic import ValidationError

from schema import crypto
from schema.importer.context import ImportRun
from schema.importer.source import text
from schema.models import SiteSettings, User
from schema.models.site_settings import DEFAULT_TITLE, SITE_SETTINGS_ID
from schema.models.users import Role
from schema.services.site_settings import SiteFields, check_logo_url
from schema.services.users import NewUser

# Message Nest site_config keys PushNest has no place for, and why.
_SITE_LEFT_OUT = {
    "slogan": "the console shows no slogan",
    "pagesize": "the console pages lists itself",
    "cookie_exp_days": "sessions last PUSHNEST_JWT_TTL_MINUTES",
    "theme_color": "the console has light and dark themes, no colour presets",
    "enable_public_preview": "PushNest's public preview links are switched per binding",
}
_SECTIONS_LEFT_OUT = {
    "log_config": "Message Nest's send-log cleanup; PushNest's retention applies, and imported history is kept",
    "hosted_msg_config": "Message Nest's hosted-message cleanup; imported inbox items are kept",
    "qyweixin_app_token": "cached WeCom access tokens; PushNest fetches its own",
}
_INTERNAL = {"init", "migration", "about"}


async def import_settings(run: ImportRun) -> None:
    sections: dict[str, dict[str, str]] = defaultdict(dict)
    for row in run.data.of("settings"):
        sections[text(row, "section")][text(row, "key")] = str(row.get("value") or "")
    site = sections.pop("site_config", {})
    for section in sorted(sections):
        if section in _SECTIONS_LEFT_OUT:
            run.report.leave_out(f"setting section {section}", _SECTIONS_LEFT_OUT[section])
        elif section not in _INTERNAL:
            run.report.leave_out(f"setting section {section}", "not a Message Nest setting PushNest knows")
    if site:
        await _site(run, site)


async def _site(run: ImportRun, site: dict[str, str]) -> None:
    for key, value in site.items():
        if key in _SITE_LEFT_OUT and value.strip():
            run.report.leave_out(f"site setting {key} ({value.strip()[:40]!r})", _SITE_LEFT_OUT[key])
    row = await SiteSettings.get_or_none(id=SITE_SETTINGS_ID) or SiteSettings(id=SITE_SETTINGS_ID)
    changed = False
    title = site.get("title", "").strip()
    if title and row.title != title:
        if row.title == DEFAULT_TITLE:
            row.title = SiteFields.model_validate({"title": title[:100]}).title
            changed = True
        else:
            run.report.note(f"site title: PushNest's {row.title!r} kept (Message Nest's was {title!r})")
    logo = _svg_logo(run, site.get("logo", ""))
    if logo and row.logo_url != logo:
        if row.logo_url is None:
            row.logo_url, changed = logo, True
        else:
            run.report.note("site logo: PushNest's logo kept")
    if not changed:
        run.report.skipped("settings")
        return
    await row.save()
    run.report.updated("settings")


def _svg_logo(run: ImportRun, svg: str) -> str | None:
    """Message Nest keeps its logo as raw SVG text; PushNest as an image URL."""
    svg = svg.strip()
    if not svg:
        return None
    try:
        return check_logo_url("data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode())
    except ValueError as exc:
        run.report.leave_out("site setting logo", str(exc))
        return None


async def import_accounts(run: ImportRun) -> None:
    for row in run.data.of("accounts"):
        username, password = text(row, "username"), str(row.get("password") or "")
        what = f"account {username or text(row, 'id')}"
        if await User.filter(username=username).exists():
            run.report.skipped("users")
            run.report.note(f"{what}: a PushNest user of that name exists; its password was kept")
            continue
        try:
            name = NewUser.model_validate({"username": username, "password": "x" * 64}).username
        except ValidationError:
            run.report.failed("users", what, "not a valid PushNest username")
            continue
        if not password:
            run.report.failed("users", what, "no password to sign in with")
            continue
        await User.create(
            username=name,
            # Message Nest's password, whatever its strength: it works once, for choosing a new one.
            password_hash=await crypto.hash_password_off_loop(password),
            role=Role.ADMIN,
            must_change_password=True,
        )
        run.report.created("users")
        run.report.note(
            f"{what}: created as an admin with Message Nest's password; "
            "a new password must be chosen at the first sign-in"
        )
