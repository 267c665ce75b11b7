"""Personal data kept only inside the service: members' contact data (phone, email, ID number, address), unit
staff and liaison contacts' phones, emails and addresses, and meetings' check-in codes.

Why a private table and not a private stream: the relay publishes every row of the events table, so a
private stream would need a relay filter in the kernel; and events are append-only and hash-chained, so
personal data in them could never be corrected or erased (PIPL gives people that right). A plain table,
written in the same transaction as the public event that mentions it, is consistent with the events, is
never published, and can be corrected or deleted."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from contracts.members.contact_details import ContactDetails, mobile_of
from eventstore.db import quote_ident


@dataclass(frozen=True)
class NotificationAddress:
    """Where notifications reach one person: their email and mobile, nothing else of their contact data."""

    email: str | None
    mobile: str | None

    @classmethod
    def of(cls, email: str | None, phone: str | None) -> NotificationAddress:
        return cls(email, mobile_of(phone))


class PrivateData:
    def __init__(self, schema: str) -> None:
        self.s = quote_ident(schema)

    async def setup(self, conn: asyncpg.Connection) -> None:
        await conn.execute(f"""
CREATE TABLE IF NOT EXISTS {self.s}.member_contacts (
    committee_id text NOT NULL, member_id text NOT NULL, phone text, id_number text, address text,
    updated_by text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (committee_id, member_id));
CREATE UNIQUE INDEX IF NOT EXISTS member_contacts_id_number
    ON {self.s}.member_contacts (committee_id, id_number) WHERE id_number IS NOT NULL;
CREATE TABLE IF NOT EXISTS {self.s}.person_contacts (
    committee_id text NOT NULL, kind text NOT NULL, person_id text NOT NULL, phone text, address text,
    updated_by text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (committee_id, kind, person_id));
CREATE TABLE IF NOT EXISTS {self.s}.meeting_codes (
    committee_id text NOT NULL, meeting_id text NOT NULL, code text NOT NULL,
    PRIMARY KEY (committee_id, meeting_id));
ALTER TABLE {self.s}.member_contacts ADD COLUMN IF NOT EXISTS email text;
ALTER TABLE {self.s}.person_contacts ADD COLUMN IF NOT EXISTS email text;
""")

    async def id_number_holder(self, conn: asyncpg.Connection, committee_id: str, id_number: str) -> str | None:
        holder: str | None = await conn.fetchval(
            f"SELECT member_id FROM {self.s}.member_contacts WHERE committee_id = $1 AND id_number = $2",
            committee_id, id_number)
        return holder

    async def save_member_contact(self, conn: asyncpg.Connection, committee_id: str, member_id: str,
                                  contact: ContactDetails, by: str) -> None:
        """Given fields replace the stored ones; fields not given are kept."""
        await conn.execute(
            f"INSERT INTO {self.s}.member_contacts "
            "(committee_id, member_id, phone, id_number, address, email, updated_by) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (committee_id, member_id) DO UPDATE SET "
            "phone = coalesce(excluded.phone, member_contacts.phone), "
            "id_number = coalesce(excluded.id_number, member_contacts.id_number), "
            "address = coalesce(excluded.address, member_contacts.address), "
            "email = coalesce(excluded.email, member_contacts.email), "
            "updated_by = excluded.updated_by, updated_at = now()",
            committee_id, member_id, contact.phone, contact.id_number, contact.address, contact.email, by)

    async def member_contact(self, conn: asyncpg.Connection, committee_id: str,
                             member_id: str) -> ContactDetails | None:
        row = await conn.fetchrow(f"SELECT phone, id_number, address, email FROM {self.s}.member_contacts "
                                  "WHERE committee_id = $1 AND member_id = $2", committee_id, member_id)
        return ContactDetails.model_construct(**dict(row)) if row else None

    async def notification_addresses(self, conn: asyncpg.Connection, committee_id: str,
                                     member_ids: list[str]) -> dict[str, NotificationAddress]:
        """Email and mobile of those of `member_ids` who have either on file in this committee."""
        rows = await conn.fetch(f"SELECT member_id, email, phone FROM {self.s}.member_contacts "
                                "WHERE committee_id = $1 AND member_id = ANY($2)", committee_id, member_ids)
        found = {r["member_id"]: NotificationAddress.of(r["email"], r["phone"]) for r in rows}
        return {m: a for m, a in found.items() if a.email or a.mobile}

    async def save_person_contact(self, conn: asyncpg.Connection, committee_id: str, kind: str, person_id: str,
                                  phone: str | None, address: str | None, by: str, email: str | None = None) -> None:
        if phone is None and address is None and email is None:
            return
        await conn.execute(
            f"INSERT INTO {self.s}.person_contacts (committee_id, kind, person_id, phone, address, email, updated_by) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (committee_id, kind, person_id) DO UPDATE SET "
            "phone = excluded.phone, address = excluded.address, email = excluded.email, "
            "updated_by = excluded.updated_by, updated_at = now()", committee_id, kind, person_id, phone, address,
            email, by)

    async def person_addresses(self, conn: asyncpg.Connection, committee_id: str, kind: str,
                               person_ids: list[str]) -> dict[str, NotificationAddress]:
        """Email and mobile of those of `person_ids` (unit staff, liaison contacts) who have either on file."""
        rows = await conn.fetch(f"SELECT person_id, email, phone FROM {self.s}.person_contacts "
                                "WHERE committee_id = $1 AND kind = $2 AND person_id = ANY($3)",
                                committee_id, kind, person_ids)
        found = {r["person_id"]: NotificationAddress.of(r["email"], r["phone"]) for r in rows}
        return {p: a for p, a in found.items() if a.email or a.mobile}

    async def set_meeting_code(self, conn: asyncpg.Connection, committee_id: str, meeting_id: str,
                               code: str) -> None:
        await conn.execute(f"INSERT INTO {self.s}.meeting_codes VALUES ($1, $2, $3) ON CONFLICT "
                           "(committee_id, meeting_id) DO UPDATE SET code = excluded.code",
                           committee_id, meeting_id, code)

    async def meeting_code(self, conn: asyncpg.Connection, committee_id: str, meeting_id: str) -> str | None:
        code: str | None = await conn.fetchval(
            f"SELECT code FROM {self.s}.meeting_codes WHERE committee_id = $1 AND meeting_id = $2",
            committee_id, meeting_id)
        return code
