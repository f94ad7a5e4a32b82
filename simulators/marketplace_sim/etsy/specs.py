"""The Etsy Open API v3 contract as a core ContractSpec, with the upstream quirks handled.

The file is never edited (specs README); ``_preprocess`` rewrites the loaded copy only.
"""

import functools

from ..core.contracts import SPECS_DIR, ContractSpec, drop_null_defaults

SPEC_PATH = SPECS_DIR / "etsy" / "etsy_openapi_v3.json"
API = "open_api_v3"
HOST = "https://openapi.etsy.com"
ERROR_REF = {"$ref": "#/components/schemas/ErrorSchema"}
# Answers every Etsy call can get although most operations do not list them: the API-key
# checks (401/403), throttling (429, rate-limits doc) and gateway failures (500/503).
GATEWAY_STATUSES = ("401", "403", "429", "500", "503")
COUNTRY_FORMAT = "ISO 3166-1 alpha-2"
SHIPMENT_PATH = "/v3/application/shops/{shop_id}/receipts/{receipt_id}/tracking"


def _preprocess(document):
    document = drop_null_defaults(document)
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("format") == COUNTRY_FORMAT:
                # openapi-core has no formatter for this name and rejects the parameter
                # outright; the format means a two-letter country code.
                del node["format"]
                node["pattern"] = "^[A-Za-z]{2}$"
            if node.get("nullable") and None not in node.get("enum", [None]):
                # OAS 3.0.3 clarifies that an enum must list null itself; this file marks
                # e.g. ShopListing.item_weight_unit nullable without it, and Etsy sends null.
                node["enum"] = [*node["enum"], None]
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    shipment = document["paths"][SHIPMENT_PATH]["post"]["requestBody"]["content"]
    # Newer copies of the contract take this body as JSON too, and Etsy accepts both
    # (marketplace-apis.md 3.2), so a client sending JSON must not be refused.
    shipment.setdefault("application/json", shipment["application/x-www-form-urlencoded"])
    for item in document["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and "responses" in operation:
                for status in GATEWAY_STATUSES:
                    operation["responses"].setdefault(
                        status,
                        {
                            "description": "Gateway error (added by the simulator)",
                            "content": {"application/json": {"schema": ERROR_REF}},
                        },
                    )
    return document


@functools.cache
def contract():
    """The shared ContractSpec (the large document is parsed once per process)."""
    return ContractSpec(
        "etsy", API, SPEC_PATH, validate_spec=False, preprocess=_preprocess, server_url=HOST + "/"
    )


@functools.cache
def operation_scopes():
    """``{operationId: (oauth2 scopes)}`` for operations that need a Bearer token."""
    scopes = {}
    for item in contract().document["paths"].values():
        for operation in item.values():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            for requirement in operation.get("security") or []:
                if "oauth2" in requirement:
                    scopes[operation["operationId"]] = tuple(requirement["oauth2"])
    return scopes


@functools.cache
def find_operation(operation_id):
    for item in contract().document["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and operation.get("operationId") == operation_id:
                return operation
    raise KeyError(operation_id)


def form_schema(operation_id):
    """Schema of an operation's form body, to cast values when validation is off."""
    content = find_operation(operation_id).get("requestBody", {}).get("content", {})
    return content.get("application/x-www-form-urlencoded", {}).get("schema", {})


def query_schema(operation_id):
    """``{name: schema}`` of an operation's query parameters."""
    parameters = find_operation(operation_id).get("parameters", [])
    return {p["name"]: p["schema"] for p in parameters if p["in"] == "query"}
