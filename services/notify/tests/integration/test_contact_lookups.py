"""The delivery worker asks the members service for each message's address: a run of deliveries asks over one
kept-open connection, not a new one per message, and still asks every time (nothing is cached)."""

from __future__ import annotations

from notify.contacts import MembersContacts

from ..address_route import address_route


async def test_twenty_deliveries_ask_for_twenty_addresses_over_one_connection() -> None:
    with address_route(lambda member: f"{member}@example.cn") as route:
        contacts = MembersContacts(route.url)
        try:
            found = [await contacts.address("demo-county", "member", f"m{i:03}", "email") for i in range(20)]
        finally:
            await contacts.aclose()
    assert found == [f"m{i:03}@example.cn" for i in range(20)]
    assert len(route.ports) == 20, "asked for each delivery"
    assert len(set(route.ports)) == 1, "over one connection"
