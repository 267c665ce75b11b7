"""The registry as the internal topics carry it: members (no contact data), organizations, units and their staff,
and the liaison contacts the office keeps (在外乡贤, 非公经济人士 …; withheld from the public topic) with their
visits."""

from __future__ import annotations

from gateway.views.base import Fact, View, on
from gateway.views.statements import Statements

# Registry fields a `member-updated` may change, by their column.
_MEMBER_FIELDS = ("name", "family_name", "sector", "township_id", "special_committee_id", "standing_committee",
                  "chair_role", "special_supervisor_unit_id")


class DirectoryView(View):
    name = "directory"
    description = "members, organizations, handling units and their staff, liaison contacts and their visits"
    tables = ("members", "organizations", "organization_members", "units", "unit_staff", "liaison_contacts",
              "liaison_visits")
    DDL = """
    CREATE TABLE IF NOT EXISTS {s}.members (
        committee_id text NOT NULL, member_id text NOT NULL, name text NOT NULL, family_name text,
        sector text, township_id text, special_committee_id text, standing_committee boolean NOT NULL DEFAULT false,
        chair_role text, special_supervisor_unit_id text, term int, session int, joined_on date,
        status text NOT NULL DEFAULT 'active', status_effective_on date,
        PRIMARY KEY (committee_id, member_id));
    CREATE INDEX IF NOT EXISTS members_by_sector ON {s}.members (committee_id, sector);
    CREATE INDEX IF NOT EXISTS members_by_township ON {s}.members (committee_id, township_id);
    CREATE TABLE IF NOT EXISTS {s}.organizations (
        committee_id text NOT NULL, organization_id text NOT NULL, name text NOT NULL, kind text, sector text,
        PRIMARY KEY (committee_id, organization_id));
    CREATE TABLE IF NOT EXISTS {s}.organization_members (
        committee_id text NOT NULL, organization_id text NOT NULL, member_id text NOT NULL, position text,
        PRIMARY KEY (committee_id, organization_id, member_id));
    CREATE TABLE IF NOT EXISTS {s}.units (
        committee_id text NOT NULL, unit_id text NOT NULL, name text NOT NULL,
        PRIMARY KEY (committee_id, unit_id));
    CREATE TABLE IF NOT EXISTS {s}.unit_staff (
        committee_id text NOT NULL, staff_id text NOT NULL, unit_id text NOT NULL, name text NOT NULL,
        title text, is_liaison boolean NOT NULL DEFAULT false,
        PRIMARY KEY (committee_id, staff_id));
    CREATE TABLE IF NOT EXISTS {s}.liaison_contacts (
        committee_id text NOT NULL, contact_id text NOT NULL, kind text NOT NULL, name text NOT NULL,
        township_id text, sector text, member_id text, based_in text,
        PRIMARY KEY (committee_id, contact_id));
    -- A visit names a contact, a member's enterprise (by the member), or both.
    CREATE TABLE IF NOT EXISTS {s}.liaison_visits (
        committee_id text NOT NULL, liaison_visit_id text NOT NULL, contact_id text, visited_member_id text,
        visitor_member_ids text[] NOT NULL DEFAULT '{}', visited_on date NOT NULL, purpose text NOT NULL DEFAULT '',
        PRIMARY KEY (committee_id, liaison_visit_id));
    CREATE INDEX IF NOT EXISTS liaison_visits_by_contact ON {s}.liaison_visits (committee_id, contact_id);
    """

    @on("member-registered")
    async def _registered(self, conn: Statements, f: Fact) -> None:
        d = f.data
        await conn.execute(
            f"INSERT INTO {self.t('members')} (committee_id, member_id, name, family_name, sector, township_id, "
            "special_committee_id, standing_committee, chair_role, special_supervisor_unit_id, term, session, "
            "joined_on) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) "
            "ON CONFLICT (committee_id, member_id) DO UPDATE SET name = excluded.name, "
            "family_name = excluded.family_name, sector = excluded.sector, township_id = excluded.township_id, "
            "special_committee_id = excluded.special_committee_id, "
            "standing_committee = excluded.standing_committee, chair_role = excluded.chair_role, "
            "special_supervisor_unit_id = excluded.special_supervisor_unit_id, term = excluded.term, "
            "session = excluded.session, joined_on = excluded.joined_on",
            f.committee_id, d["member_id"], d["name"], d.get("family_name"), d.get("sector"), d.get("township_id"),
            d.get("special_committee_id"), bool(d.get("standing_committee")), d.get("chair_role"),
            d.get("special_supervisor_unit_id"), d.get("term"), d.get("session"), f.date("joined_on"))

    @on("member-updated")
    async def _updated(self, conn: Statements, f: Fact) -> None:
        changed = [c for c in f.data.get("changed", []) if c in _MEMBER_FIELDS]
        if not changed:
            return  # e.g. only the private contact data changed
        sets = ", ".join(f"{c} = ${i + 3}" for i, c in enumerate(changed))
        values = [f.data.get(c) for c in changed]
        values = [bool(v) if c == "standing_committee" else v for c, v in zip(changed, values, strict=True)]
        await conn.execute(f"UPDATE {self.t('members')} SET {sets} WHERE committee_id = $1 AND member_id = $2",
                           f.committee_id, f.data["member_id"], *values)

    @on("member-status-changed")
    async def _status(self, conn: Statements, f: Fact) -> None:
        await conn.execute(
            f"UPDATE {self.t('members')} SET status = $3, status_effective_on = $4 "
            "WHERE committee_id = $1 AND member_id = $2",
            f.committee_id, f.data["member_id"], f.data["status"], f.date("effective_on"))

    @on("organization-registered")
    async def _organization(self, conn: Statements, f: Fact) -> None:
        await conn.execute(
            f"INSERT INTO {self.t('organizations')} (committee_id, organization_id, name, kind, sector) "
            "VALUES ($1,$2,$3,$4,$5) ON CONFLICT (committee_id, organization_id) DO UPDATE SET "
            "name = excluded.name, kind = excluded.kind, sector = excluded.sector",
            f.committee_id, f.data["organization_id"], f.data["name"], f.data.get("kind"), f.data.get("sector"))

    @on("organization-member-added")
    async def _organization_member(self, conn: Statements, f: Fact) -> None:
        await conn.execute(
            f"INSERT INTO {self.t('organization_members')} (committee_id, organization_id, member_id, position) "
            "VALUES ($1,$2,$3,$4) ON CONFLICT (committee_id, organization_id, member_id) "
            "DO UPDATE SET position = excluded.position",
            f.committee_id, f.data["organization_id"], f.data["member_id"], f.data.get("position"))

    @on("unit-registered")
    async def _unit(self, conn: Statements, f: Fact) -> None:
        await conn.execute(
            f"INSERT INTO {self.t('units')} (committee_id, unit_id, name) VALUES ($1,$2,$3) "
            "ON CONFLICT (committee_id, unit_id) DO UPDATE SET name = excluded.name",
            f.committee_id, f.data["unit_id"], f.data["name"])

    @on("unit-staff-added")
    async def _staff(self, conn: Statements, f: Fact) -> None:
        d = f.data
        await conn.execute(
            f"INSERT INTO {self.t('unit_staff')} (committee_id, staff_id, unit_id, name, title, is_liaison) "
            "VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (committee_id, staff_id) DO UPDATE SET "
            "unit_id = excluded.unit_id, name = excluded.name, title = excluded.title, "
            "is_liaison = excluded.is_liaison",
            f.committee_id, d["staff_id"], d["unit_id"], d["name"], d.get("title"), bool(d.get("is_liaison")))

    @on("liaison-contact-added")
    async def _liaison_contact(self, conn: Statements, f: Fact) -> None:
        d = f.data
        await conn.execute(
            f"INSERT INTO {self.t('liaison_contacts')} (committee_id, contact_id, kind, name, township_id, sector, "
            "member_id, based_in) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT (committee_id, contact_id) DO UPDATE "
            "SET kind = excluded.kind, name = excluded.name, township_id = excluded.township_id, "
            "sector = excluded.sector, member_id = excluded.member_id, based_in = excluded.based_in",
            f.committee_id, d["contact_id"], d["kind"], d["name"], d.get("township_id"), d.get("sector"),
            d.get("member_id"), d.get("based_in"))

    @on("liaison-visit-recorded")
    async def _liaison_visit(self, conn: Statements, f: Fact) -> None:
        d = f.data
        await conn.execute(
            f"INSERT INTO {self.t('liaison_visits')} (committee_id, liaison_visit_id, contact_id, visited_member_id, "
            "visitor_member_ids, visited_on, purpose) VALUES ($1,$2,$3,$4,$5,$6,$7) "
            "ON CONFLICT (committee_id, liaison_visit_id) DO UPDATE SET contact_id = excluded.contact_id, "
            "visited_member_id = excluded.visited_member_id, visitor_member_ids = excluded.visitor_member_ids, "
            "visited_on = excluded.visited_on, purpose = excluded.purpose",
            f.committee_id, d["liaison_visit_id"], d.get("contact_id"), d.get("visited_member_id"),
            f.ids("visitor_member_ids"), f.date("visited_on") or f.local_date, d.get("purpose") or "")
