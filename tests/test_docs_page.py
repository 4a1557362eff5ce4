"""``/docs`` renders in a real browser, offline: headless Chromium loads the page from the live
server and the rendered DOM holds every operation, the demo credentials and the "not
implemented" marks. Also the OpenAPI document behind it: 3.0.3 (what the bundled Swagger UI
reads), valid, with the example of every operation."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import html

from openrev.contract.examples import EXAMPLES
from openrev.contract.operations import OPERATIONS
from openrev.ops.base import HANDLERS

NOT_IMPLEMENTED = set(OPERATIONS) - set(HANDLERS)


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser") or \
        shutil.which("google-chrome")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (Debian package `chromium`; .ci/run "
                        "installs it)")
        pytest.skip("chromium is not installed (Debian package `chromium`)")
    return found


def _rendered_dom(url: str, profile: Path) -> html.HtmlElement:
    done = subprocess.run(
        [_chromium(), "--headless=new", "--no-sandbox", "--disable-gpu",
         "--no-first-run", "--disable-extensions", "--disable-background-networking",
         f"--user-data-dir={profile}", "--virtual-time-budget=15000", "--dump-dom", url],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return html.fromstring(done.stdout)


def test_docs_render_every_operation_in_chromium(live_url: str, tmp_path: Path) -> None:
    dom = _rendered_dom(f"{live_url}/docs", tmp_path / "profile")
    text = dom.text_content()
    assert "Unable to render this definition" not in text
    assert not dom.xpath("//*[contains(@class, 'errors-wrapper')]"), "Swagger UI shows errors"
    assert 'Demo credentials' in text
    assert '{"Username": "demo", "Password": "demo", "Client": "DEMO"}' in text

    blocks = dom.xpath("//div[contains(concat(' ', @class, ' '), ' opblock ')]")
    rendered = {}
    for block in blocks:
        path = block.xpath("string(.//*[@data-path]/@data-path)")
        summary = block.xpath(
            "string(.//*[contains(@class, 'opblock-summary-description')])")
        rendered[path] = summary
    assert set(rendered) == {f"/v20/json/{name}" for name in OPERATIONS}
    for name, op in OPERATIONS.items():
        summary = rendered[f"/v20/json/{name}"]
        if name in NOT_IMPLEMENTED:
            assert summary == f"{op.doc} (not implemented)", name
        else:
            assert summary == op.doc, name


def test_openapi_is_3_0_with_an_example_per_operation(client) -> None:
    from openapi_spec_validator import validate

    doc = client.get("/openapi.json").json()
    assert doc["openapi"] == "3.0.3"
    validate(doc)
    for name in OPERATIONS:
        post = doc["paths"][f"/v20/json/{name}"]["post"]
        assert post["requestBody"]["content"]["application/json"]["example"] == EXAMPLES[name]
        marked = "(not implemented)" in post["summary"]
        assert marked == (name in NOT_IMPLEMENTED), name
        assert ("**Not implemented**" in post["description"]) == (name in NOT_IMPLEMENTED)
    for schema in doc["components"]["schemas"].values():  # 3.0: no siblings next to a $ref
        for prop in schema.get("properties", {}).values():
            assert "$ref" not in prop or set(prop) == {"$ref"}, prop
    assert "Demo credentials" in doc["info"]["description"]
