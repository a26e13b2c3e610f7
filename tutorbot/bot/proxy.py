"""Point discord.py at another REST base and gateway (an API proxy, or the tests' fake Discord)."""

from __future__ import annotations

import discord
import discord.gateway
import discord.http
import yarl


def redirect_discord(api_url: str | None, gateway_url: str | None) -> None:
    """Set discord.py's REST base and gateway URL; None leaves Discord's own. Call before login."""
    if api_url:
        discord.http.Route.BASE = api_url.rstrip("/")
    if gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
