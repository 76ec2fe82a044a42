"""`curbside serve` logs one line per request: method, path, status, time (never the query)."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from curbside.web.server import RequestLog


def test_one_line_per_request_without_the_query_string(app: FastAPI) -> None:
    lines: list[str] = []
    client = TestClient(RequestLog(app, lines.append))
    client.get("/library", params={"q": "my private question"})
    client.get("/no/such/page")
    assert len(lines) == 2
    assert re.fullmatch(r"\S+Z \S+ GET /library 200 \d+\.\d ms", lines[0]), lines[0]
    assert " GET /no/such/page 404 " in lines[1]
    assert not any("private" in line for line in lines)
