"""《社情民意》: one issue of the periodical, from the public-opinion reports the office published in it
(`opinion-report-published`'s `issue`, e.g. 2026年第3期) — each report's title, category, who reported it
(a member, or a direct-report point), and what became of it (adopted at which level, instructed by leaders)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from contracts.bounded import ShortText
from contracts.proposals.enums import Category, ReportLevel
from contracts.roles import STAFF
from gateway.context import Context
from gateway.errors import NotFound
from gateway.exports.workbook import label
from gateway.printouts.document import Document, Printable

TITLE = "社情民意"


class IssueKey(BaseModel):
    model_config = ConfigDict(extra="ignore")

    issue: ShortText  # as the office named it when publishing, e.g. 2026年第3期


async def build(c: Context, key: IssueKey) -> Printable:
    rows = await c.db.fetch("SELECT * FROM {s}.opinion_reports WHERE committee_id = $1 AND status = 'published' "
                            "AND published_issue = $2 ORDER BY published_on NULLS LAST, submitted_on NULLS LAST, "
                            "report_id", c.viewer.committee_id, key.issue)
    if not rows:
        raise NotFound(f"no public-opinion report was published in issue {key.issue!r} of committee "
                       f"{c.viewer.committee_id}")
    authors = await c.loaders.member.load_many([r["author_member_id"] for r in rows if r["author_member_id"]])
    names = {a["member_id"]: str(a["name"]) for a in authors if a}
    reports = [{
        "title": r["title"], "category": label(Category, r["category"]),
        "author": (names.get(r["author_member_id"], r["author_member_id"]) if r["author_member_id"]
                   else f"直报点 {r['direct_report_point_id']}" if r["direct_report_point_id"] else None),
        "adopted": label(ReportLevel, r["adopted_level"]), "instructed": r["instructed"],
        "instructions": r["instruction_count"], "published_on": r["published_on"],
    } for r in rows]
    published = [r["published_on"] for r in rows if r["published_on"]]
    return Printable(f"opinion-digest-{key.issue}", f"《{TITLE}》{key.issue}",
                     {"issue": key.issue, "published_on": max(published) if published else None,
                      "reports": reports})


DOCUMENT = Document("opinion-digest", f"《{TITLE}》", "opinionReports", STAFF, IssueKey, "issue", build)
