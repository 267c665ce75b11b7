"""GET `/print/{document}/{key}.html`: one printout of the caller's committee as print-ready HTML (A4, Chinese
fonts; print it from the browser, or with any HTML-to-PDF tool).

  /print/assignment-slip/{proposalId}.html   交办单 — office staff, leadership, admin; a unit's staff if assigned
  /print/feedback-form/{proposalId}.html     征询意见表 — as the slip, and a member of their own proposals
  /print/opinion-letter/{proposalId}.html    意见建议函 of a proposal not accepted — office, leadership, admin
  /print/opinion-digest/{issue}.html         《社情民意》 issue, e.g. 2026年第3期 — office, leadership, admin

The bearer token and the error shape are the exports' (`gateway.exports.route`): JSON `{"error": {"code",
"message", ...}}` — 401 without a valid token; 403 for a role the document is not for, or a proposal the caller
is not party to; 404 for an unknown document or a proposal not in the caller's committee; 400 naming the field
and pydantic's rule for a key out of its contract bound, or a `format` other than `html` (no PDF: the project has
no headless browser dependency); 409 when the proposal has no such document yet (a slip before assignment); 500
`template_error` for a committee's broken override template."""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from gateway import policy
from gateway.auth import from_header
from gateway.context import Context, Services
from gateway.errors import Conflict, Forbidden, NotFound, Unauthenticated
from gateway.printouts import assignment_slip, feedback_form, opinion_digest, opinion_letter
from gateway.printouts.document import Document
from gateway.printouts.rendering import PrintTemplateError, render

PATH = "/print/{document}/{key}.html"
DOCUMENTS: dict[str, Document] = {d.name: d for d in (assignment_slip.DOCUMENT, feedback_form.DOCUMENT,
                                                      opinion_letter.DOCUMENT, opinion_digest.DOCUMENT)}


class PrintRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    format: Literal["html"] = "html"


def _error(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, **extra}}, status_code=status)


def _invalid(err: ValidationError) -> JSONResponse:
    first = err.errors()[0]
    field = ".".join(str(p) for p in first["loc"])
    return _error(400, "invalid_request", f"{field}: {first['msg']}", field=field, rule=first["type"])


def route(services: Services) -> Route:
    async def printout(request: Request) -> Response:
        name = request.path_params["document"]
        found = DOCUMENTS.get(name)
        if found is None:
            return _error(404, "not_found", f"no printout {name!r}; the printouts are {', '.join(sorted(DOCUMENTS))}")
        viewer = from_header(request.headers.get("authorization"))
        try:
            policy.require(viewer, found.operation)
            if viewer.role not in found.roles:
                raise Forbidden(f"{found.title} is printed by {', '.join(sorted(r.value for r in found.roles))}")
        except Unauthenticated as err:
            return _error(401, "unauthenticated", err.message)
        except Forbidden as err:
            return _error(403, "forbidden", f"the {name} printout is not available to the {viewer.role.value} role",
                          detail=err.message)
        raw_key = request.path_params["key"]
        try:
            PrintRequest.model_validate({"format": request.query_params.get("format") or "html"})
            key = found.key.model_validate({found.key_field: raw_key})
        except ValidationError as err:
            return _invalid(err)
        c = Context(services, viewer, request)
        try:
            printable = await found.build(c, key)
            html = render(viewer.committee_id, found.name, {**printable.variables, "title": printable.title,
                                                            "committee_id": viewer.committee_id})
        except NotFound as err:
            return _error(404, "not_found", err.message)
        except Forbidden as err:
            return _error(403, "forbidden", err.message)
        except Conflict as err:
            return _error(409, "conflict", err.message)
        except PrintTemplateError as err:
            return _error(500, "template_error", str(err))
        return HTMLResponse(html, headers={
            # RFC 6266/5987: the name may be Chinese (an issue's), headers are Latin-1
            "Content-Disposition": f"inline; filename*=UTF-8''{quote(printable.filename + '.html')}",
            "Cache-Control": "no-store",  # names of people: not for shared caches
        })

    return Route(PATH, printout, methods=["GET"])
