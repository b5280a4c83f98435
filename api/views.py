"""The API's documentation page: the live OpenAPI schema, read as a page (no Swagger UI from a
CDN, nothing to download: the operations, their parameters and their answers' fields)."""

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from .endpoints import api


def _operations(schema: dict) -> list[dict]:
    components = schema.get("components", {}).get("schemas", {})
    operations = []
    for path, methods in schema.get("paths", {}).items():
        for method, operation in methods.items():
            ok = operation.get("responses", {}).get("200", {})
            ref = (
                ok.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
            )
            operations.append(
                {
                    "method": method.upper(),
                    "path": "/api/v1" + path,
                    "id": operation.get("operationId", ""),
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": [
                        {
                            "name": p["name"],
                            "where": p["in"],
                            "required": p.get("required", False),
                            "type": _type(p.get("schema", {})),
                            "description": p.get("description", ""),
                        }
                        for p in operation.get("parameters", [])
                    ],
                    "fields": _fields(components, ref.rsplit("/", 1)[-1]),
                }
            )
    return operations


def _type(schema: dict) -> str:
    if "anyOf" in schema:
        return " or ".join(_type(s) for s in schema["anyOf"])
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return "list of " + _type(schema.get("items", {}))
    return schema.get("format") or schema.get("type", "")


def _fields(components: dict, name: str) -> list[dict]:
    properties = components.get(name, {}).get("properties", {})
    return [
        {"name": key, "type": _type(value), "description": value.get("description", "")}
        for key, value in properties.items()
    ]


@require_GET
def docs(request):
    schema = api.get_openapi_schema()
    return render(
        request,
        "api/docs.html",
        {
            "operations": _operations(schema),
            "openapi_version": schema.get("openapi", ""),
            "schema_path": reverse("api-v1:openapi-json"),
            "rate_limit": settings.API_RATE_LIMIT,
            "rate_window": settings.API_RATE_WINDOW,
        },
    )
