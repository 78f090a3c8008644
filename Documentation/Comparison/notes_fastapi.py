# The starter's notes service in FastAPI (0.115+) + Pydantic 2 + httpx, for Documentation/Comparison.md.
# Two processes, as the article runs them:
#   uvicorn notes_fastapi:api --port 8000      uvicorn notes_fastapi:web --port 3000
# and nginx in front (nginx.conf below the code).
import html
import os
from typing import Annotated

import httpx
from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field, StringConstraints

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=20)]


class Note(BaseModel):
    id: int
    title: str
    body: str
    tags: list[str]


class NewNote(BaseModel):
    title: Title
    body: Annotated[str, StringConstraints(max_length=2000)] = ""
    tags: Annotated[list[Tag], Field(max_length=5)] = []


notes = [Note(id=1, title="Welcome", body="This note comes from the API.", tags=["hello"])]
api = FastAPI()


def envelope(status_code, data=None, error=None):
    status = "success" if error is None else "error"
    return JSONResponse({"status": status, "data": data, "error": error}, status_code=status_code)


@api.exception_handler(RequestValidationError)
async def invalid(request: Request, exc: RequestValidationError):
    details = [{"loc": [str(p) for p in e["loc"][1:]], "code": e["type"], "message": e["msg"]} for e in exc.errors()]
    return envelope(422, error={"code": "validation_failed", "message": "The input is not valid", "details": details})


@api.exception_handler(HTTPException)
async def failed(request: Request, exc: HTTPException):
    return envelope(exc.status_code, error={"code": "not_found", "message": exc.detail})


@api.get("/api/notes/")
def list_notes(tag: Annotated[str | None, Query(min_length=1, max_length=20)] = None, limit: Annotated[int, Query(ge=1, le=100)] = 20):
    return envelope(200, [n.model_dump() for n in notes if tag is None or tag in n.tags][:limit])


@api.post("/api/notes/", status_code=201)
def add_note(new: NewNote):
    note = Note(id=max(n.id for n in notes) + 1, **new.model_dump())
    notes.append(note)
    response = envelope(201, note.model_dump())
    response.headers["Location"] = f"/api/notes/{note.id}/"
    return response


@api.get("/api/notes/{note_id}/")
def get_note(note_id: int):
    for note in notes:
        if note.id == note_id:
            return envelope(200, note.model_dump())
    raise HTTPException(404, "No such note")


web = FastAPI()
client = httpx.AsyncClient(base_url=os.environ.get("API_URL", "http://127.0.0.1:8000"))


def page(status, title, content):
    return HTMLResponse(f"<!DOCTYPE html><html><head><title>{html.escape(title)}</title></head><body>{content}</body></html>", status)


async def fetch(path, params=None):
    answer = await client.get(path, params=params)
    body = answer.json()
    return answer.status_code, body["data"]


@web.get("/notes/")
async def notes_page(tag: str | None = None):
    status, data = await fetch("/api/notes/", {"tag": tag, "limit": 50} if tag is not None else {"limit": 50})
    if status != 200:
        return page(status, "Error", f"<h1>{status}</h1>")
    items = "".join(f'<li><a href="/notes/{n["id"]}/">{html.escape(n["title"])}</a></li>' for n in data)
    return page(200, "Notes", f"<h1>Notes</h1><ul>{items}</ul>")


@web.get("/notes/{note_id}/")
async def note_page(note_id: int):
    status, note = await fetch(f"/api/notes/{note_id}/")
    if status != 200:
        return page(status, "Error", f"<h1>{status}</h1>")
    return page(200, note["title"], f'<h1>{html.escape(note["title"])}</h1><p>{html.escape(note["body"])}</p>')

# nginx.conf (the gateway):
# server { listen 8080;
#   location /notes/ { proxy_pass http://127.0.0.1:3000; proxy_set_header Host $host; }
#   location /api/   { proxy_pass http://127.0.0.1:8000; proxy_set_header Host $host; } }
