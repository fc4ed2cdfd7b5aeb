"""The interactive docs work with no internet: /docs names only this server's own URLs
(no CDN), and each of them answers with Swagger UI's script, style sheet or icon."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from fastapi.testclient import TestClient


def test_the_docs_page_loads_everything_from_this_server(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")

    urls = re.findall(r"""(?:src|href)=["']([^"']+)["']|url:\s*["']([^"']+)["']""", page.text)
    found = [a or b for a, b in urls]
    assert not [u for u in found if urlsplit(u).netloc], f"not local: {found}"
    assert "validatorUrl" in page.text  # the online validator badge (validator.swagger.io) is off

    answers = {u: client.get(urljoin("/docs", u)) for u in found}
    assert all(r.status_code == 200 for r in answers.values()), {u: r.status_code for u, r in answers.items()}
    by_type = {u: r.headers["content-type"] for u, r in answers.items()}
    script = next(u for u in found if u.endswith("swagger-ui-bundle.js"))
    sheet = next(u for u in found if u.endswith("swagger-ui.css"))
    assert "javascript" in by_type[script] and "SwaggerUIBundle" in answers[script].text
    assert by_type[sheet].startswith("text/css") and ".swagger-ui" in answers[sheet].text
    assert any(u.endswith("openapi.json") for u in found) and answers["/openapi.json"].json()["paths"]


def test_the_oauth2_redirect_page_is_served_too(client: TestClient) -> None:
    r = client.get("/docs/oauth2-redirect")
    assert r.status_code == 200 and "oauth2" in r.text.lower() and "://" not in r.text.split("<script")[0]
