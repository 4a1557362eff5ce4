"""The HTML pages a new user opens first: ``GET /`` (also ``GET /v20/default.asmx`` without
``?WSDL``) and ``GET /docs`` (Swagger UI on ``/openapi.json``, served from the installed
swagger-ui-bundle package, so it works offline)."""

from __future__ import annotations

from collections.abc import Collection
from html import escape

from ..contract.examples import DEMO_CREDENTIALS, curl_example
from ..contract.operations import OPERATIONS

NOT_IMPLEMENTED = "not implemented"


def home_page(base_url: str, implemented: Collection[str]) -> str:
    """The start page: links, operations, demo credentials and a curl example."""
    base = base_url.rstrip("/")
    ops = "\n".join(
        f'<li><a href="/docs#/default/{escape(name)}"><code>{escape(name)}</code></a> '
        f"{escape(op.doc)}"
        + ("" if name in implemented else f' <strong class="ni">({NOT_IMPLEMENTED})</strong>')
        + "</li>"
        for name, op in OPERATIONS.items()
    )
    creds = escape(" / ".join(DEMO_CREDENTIALS[k] for k in ("Client", "Username", "Password")))
    curl = escape(curl_example(base))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>openrev v20 API</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em;line-height:1.4}}
pre{{background:#f4f4f4;padding:1em;overflow-x:auto}} .ni{{color:#a40}}</style></head>
<body>
<h1>openrev v20 API</h1>
<ul>
<li>SOAP 1.1 and 1.2 endpoint: <code>{escape(base)}/v20/default.asmx</code></li>
<li><a href="/v20/default.asmx?WSDL">Service description (WSDL)</a></li>
<li><a href="/docs">JSON API documentation</a> (<a href="/openapi.json">OpenAPI</a>)</li>
<li><a href="/health">Health check</a></li>
<li><a href="/console/">Operator console</a> (the same users and passwords)</li>
</ul>
<h2>Demo credentials</h2>
<p>Client / Username / Password: <code>{creds}</code> (after <code>openrev demo</code>;
<code>openrev demo --reset</code> puts the demo data back).</p>
<h2>Operations</h2>
<ul>
{ops}
</ul>
<h2>Try it: NewCustomers_Create over JSON</h2>
<pre id="curl-example">{curl}</pre>
</body></html>
"""


DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>openrev v20 JSON API</title>
<link rel="stylesheet" href="/docs/static/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/static/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui",
  deepLinking: true, docExpansion: "list", defaultModelsExpandDepth: 0});</script>
</body></html>"""
