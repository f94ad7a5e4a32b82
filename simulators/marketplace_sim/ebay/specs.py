"""The eBay contract files, as core ContractSpec objects, one per Sell/Commerce API."""

import copy
import functools

from ..core.contracts import SPECS_DIR, ContractSpec

# API key -> (spec file name, base path under https://api.ebay.com)
SPEC_FILES = {
    "fulfillment": ("sell_fulfillment_v1_oas3.json", "/sell/fulfillment/v1"),
    "inventory": ("sell_inventory_v1_oas3.json", "/sell/inventory/v1"),
    "account": ("sell_account_v1_oas3.json", "/sell/account/v1"),
    "notification": ("commerce_notification_v1_oas3.json", "/commerce/notification/v1"),
}
HOST = "https://api.ebay.com"


def spec_path(api):
    return SPECS_DIR / "ebay" / SPEC_FILES[api][0]


def base_path(api):
    return SPEC_FILES[api][1]


def _preprocess(api):
    def fix(document):
        document = copy.deepcopy(document)
        # The servers read ``https://api.ebay.com{basePath}`` with the base path as a server
        # variable, which openapi-core cannot match: pin the concrete production base.
        document["servers"] = [{"url": HOST + base_path(api)}]
        _document_errors(document)
        for name in ("Product", "InventoryItemGroup"):
            schema = document.get("components", {}).get("schemas", {}).get(name)
            if not schema:
                continue
            # Upstream quirk: ``aspects`` is typed ``string`` although the API (and the
            # field's own example) takes ``{"Brand": ["GoPro"]}``; a strict validator would
            # reject every correct client, so accept that map as well.
            schema["properties"]["aspects"] = {
                "oneOf": [
                    {"type": "string"},
                    {
                        "type": "object",
                        "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    },
                ]
            }
        return document

    return fix


# Answers eBay's gateway gives to any call (bad token, no scope, quota, outage), which
# the files never list per operation (eBay "Handling errors" guide).
GATEWAY_STATUSES = ("401", "403", "429", "500", "502", "503", "504")
ERROR_BODY = {
    "application/json": {
        "schema": {
            "type": "object",
            "required": ["errors"],
            "properties": {
                "errors": {
                    "type": "array",
                    "minItems": 1,
                    "items": {"$ref": "#/components/schemas/Error"},
                }
            },
        }
    }
}


def _document_errors(document):
    """Give every error answer eBay's ``{"errors": [Error]}`` body, so the simulator's error
    bodies are validated too (the files declare most error statuses without any content).
    A 207 without content gets the 200 body: the per-entry results of a bulk call."""
    for item in document["paths"].values():
        for op in item.values():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            responses = op["responses"]
            for status in GATEWAY_STATUSES:
                responses.setdefault(status, {"description": "eBay gateway error"})
            for status, response in responses.items():
                if status >= "400" and not response.get("content"):
                    response["content"] = copy.deepcopy(ERROR_BODY)
            if "207" in responses and not responses["207"].get("content"):
                responses["207"]["content"] = copy.deepcopy(responses.get("200", {}).get("content"))


@functools.cache
def contract(api):
    """The shared ContractSpec of one eBay API (loaded once per process)."""
    name = SPEC_FILES[api][0].removesuffix("_oas3.json")  # e.g. sell_fulfillment_v1
    return ContractSpec(
        "ebay", name, spec_path(api), preprocess=_preprocess(api), server_url=HOST + "/"
    )
