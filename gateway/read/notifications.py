"""Notifications, read from the notify service's own read routes with the caller's token, per request.

Where the data comes from — the choice, and why. The platform's usual way is for the gateway to project a
service's topic into views of its own; for notifications it does not, and asks notify instead:
- an inbox is personal: what a member was told about (their drafts, their grade, a dissatisfied rating)
  stays in one place, like `Member.contact`, and never in a second copy of the committee's data;
- what people read is not in the events: `notify.internal` carries no message text by design (no title, no
  summary, no webhook URL), and "deferred" (waiting for a digest or the end of quiet hours) is a delivery
  row's state that no event announces — projecting would mean re-deriving notify's templates and policy;
- a read after `markNotificationsRead` / `archiveNotification` sees the write at once (the same rows).
What the gateway does take from `notify.internal` is the moment: `notification-created` reaches every
replica's live hub through the projector (no view stores it), and `notificationReceived` then reads the new
item from notify, with the subscriber's own token.

| query / subscription         | member     | leadership  | unit_staff   | office_staff            | admin | service |
|------------------------------|------------|-------------|--------------|-------------------------|-------|---------|
| notifications                | own inbox  | own inbox   | unit's inbox | office's, with deliveries | no  | no      |
| notificationPreferences      | own        | own         | unit's       | office's                | no    | no      |
| notificationReceived         | own        | own         | unit's       | office's                | no    | no      |
| webhookEndpoints             | no         | no          | no           | yes                     | yes   | no      |
| notificationDeliveries       | no         | no          | no           | yes                     | yes   | no      |
| oversight.remindersEscalated | no         | yes         | no           | yes                     | yes   | no      |

The rows are `contracts.access` (the same table notify's routes check); the inbox is always the token's
own (`notify.inbox`), so no argument can name someone else's. A service token and an admin account have no
inbox."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

from gateway.errors import NotFound
from gateway.read.routes import ServiceRoutes


class NotifyReader(ServiceRoutes):
    """The notify service's read routes (`services/notify/routes.py`), called the one way
    (`gateway.read.routes`)."""

    def __init__(self, client: httpx.AsyncClient, notify_url: str | None) -> None:
        super().__init__(client, notify_url, "notify")

    async def _get(self, path: str, token: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return await self.get_json(path, token, params)

    async def inbox(self, token: str, *, first: int, after: str | None, unread_only: bool,
                    archived: bool) -> dict[str, Any]:
        return await self._get("/notifications", token, {"first": first, "after": after,
                                                         "unread_only": str(unread_only).lower(),
                                                         "archived": str(archived).lower()})

    async def notification(self, token: str, notification_id: str) -> dict[str, Any] | None:
        try:
            return await self._get(f"/notifications/{notification_id}", token)
        except NotFound:
            return None

    async def preferences(self, token: str) -> dict[str, Any]:
        return await self._get("/preferences", token)

    async def webhook_endpoints(self, token: str) -> list[dict[str, Any]]:
        return list((await self._get("/webhook-endpoints", token))["items"])

    async def deliveries(self, token: str, *, status: str | None, first: int, after: str | None) -> dict[str, Any]:
        return await self._get("/deliveries", token, {"status": status, "first": first, "after": after})

    async def escalations(self, token: str, month: date) -> dict[str, Any]:
        return await self._get("/escalations", token, {"month": f"{month.year:04d}-{month.month:02d}"})
