"""GET `/exports/{year}/{name}.xlsx[?asOf=YYYY-MM-DD]`: one export as an XLSX file, for the caller's committee.

The bearer token is the GraphQL endpoint's (`gateway.auth.from_header`); the caller needs every policy row of the
GraphQL queries whose figures the export holds (`Export.operations`: office staff, leadership and admin today),
else 401 / 403. `year` is a `contracts.bounded.Year`, `asOf` an `AnyDate` (default today, as `oversight`'s);
either out of bounds is 400 naming the field and pydantic's rule. An unknown name is 404 listing the names.
Errors are JSON `{"error": {"code", "message", ...}}`, as the command APIs answer."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from contracts.bounded import AnyDate, Year
from contracts.clock import today
from gateway import policy
from gateway.auth import from_header
from gateway.context import Context, Services
from gateway.errors import Forbidden, Unauthenticated
from gateway.exports import handling, opinion_reports, overdue, scorecards
from gateway.exports.workbook import Export, to_xlsx

PATH = "/exports/{year}/{name}.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORTS: dict[str, Export] = {e.name: e for e in (handling.BY_UNIT, handling.BY_CATEGORY, overdue.EXPORT,
                                                  scorecards.EXPORT, opinion_reports.EXPORT)}


class ExportRequest(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    year: Year
    as_of: AnyDate | None = Field(default=None, alias="asOf")


def _error(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, **extra}}, status_code=status)


def route(services: Services) -> Route:
    async def export(request: Request) -> Response:
        name = request.path_params["name"]
        found = EXPORTS.get(name)
        if found is None:
            return _error(404, "not_found", f"no export {name!r}; the exports are {', '.join(sorted(EXPORTS))}")
        viewer = from_header(request.headers.get("authorization"))
        try:
            for operation in found.operations:
                policy.require(viewer, operation)
        except Unauthenticated as err:
            return _error(401, "unauthenticated", err.message)
        except Forbidden as err:
            return _error(403, "forbidden", f"the {name} export is not available to the {viewer.role.value} role",
                          detail=err.message)
        try:
            asked = ExportRequest.model_validate({"year": request.path_params["year"],
                                                  "asOf": request.query_params.get("asOf") or None})
        except ValidationError as err:
            first = err.errors()[0]
            field = ".".join(str(p) for p in first["loc"])
            return _error(400, "invalid_request", f"{field}: {first['msg']}", field=field, rule=first["type"])
        day: date = asked.as_of or today()
        c = Context(services, viewer, request)
        sheets = await found.build(c, asked.year, day)
        as_of = f"，截至{day.isoformat()}" if found.uses_as_of else ""
        body = to_xlsx(sheets, title=f"{asked.year}年{found.title}",
                       description=f"{viewer.committee_id} {asked.year}年{found.title}{as_of}")
        suffix = f"-{day.isoformat()}" if found.uses_as_of else ""
        return Response(body, media_type=XLSX, headers={
            "Content-Disposition": f'attachment; filename="{name}-{asked.year}{suffix}.xlsx"',
            "Cache-Control": "no-store",  # names and scores of people: not for shared caches
        })

    return Route(PATH, export, methods=["GET"])
