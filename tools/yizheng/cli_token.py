"""`yizheng token --role ROLE [--member ID | --unit ID] [--committee ID]`: print a development bearer token
(HS256, signed with the local secret; production tokens come from the OIDC provider)."""

from __future__ import annotations

import os

import typer

ROLES = "member, unit_staff, office_staff, leadership, admin, service"


def token(
    role: str = typer.Option(..., "--role", help=f"one of: {ROLES}"),
    member: str | None = typer.Option(None, "--member", help="the member id (required for --role member)"),
    unit: str | None = typer.Option(None, "--unit", help="the unit id (required for --role unit_staff)"),
    committee: str = typer.Option(os.environ.get("YIZHENG_COMMITTEE", "demo"), "--committee",
                                  help="the committee (tenant) the token is for [env YIZHENG_COMMITTEE]"),
    subject: str | None = typer.Option(None, "--subject", help="the token's subject (default: member/unit/role)"),
    days: int = typer.Option(30, "--days", min=1, help="days until it expires"),
) -> None:
    """Print a development bearer token for ROLE in COMMITTEE."""
    from contracts.envelope import Role
    from runtime.auth import issue_token

    try:
        parsed = Role(role)
    except ValueError:
        raise typer.BadParameter(f"{role!r} is not a role; use one of: {ROLES}", param_hint="--role") from None
    if parsed is Role.member and not member:
        raise typer.BadParameter("a member token needs --member ID", param_hint="--member")
    if parsed is Role.unit_staff and not unit:
        raise typer.BadParameter("a unit staff token needs --unit ID", param_hint="--unit")
    typer.echo(issue_token(parsed, committee, subject=subject, member_id=member, unit_id=unit,
                           ttl_seconds=days * 24 * 3600))
