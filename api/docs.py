"""The API's documentation page, written from the OpenAPI schema drf-spectacular makes:
the desk's own layout and styles, no script, nothing fetched from elsewhere."""

from django.shortcuts import render
from django.views.decorators.http import require_safe
from drf_spectacular.generators import SchemaGenerator

METHODS = ("get", "post", "put", "patch", "delete")


def _type(schema: dict) -> str:
    if "items" in schema:
        return f"list of {_type(schema['items'])}"
    return schema.get("type") or schema.get("$ref", "").rsplit("/", 1)[-1] or "object"


def body_fields(schema: dict, operation: dict) -> tuple[list[str], list[dict]]:
    """The content types a request body may come as, and the fields of the first."""
    content = operation.get("requestBody", {}).get("content", {})
    if not content:
        return [], []
    first = next(iter(content.values())).get("schema", {})
    name = first.get("$ref", "").rsplit("/", 1)[-1]
    shape = schema.get("components", {}).get("schemas", {}).get(name, first)
    required = set(shape.get("required", []))
    fields = [
        {
            "name": field,
            "type": _type(spec),
            "required": field in required,
            "description": spec.get("description", ""),
        }
        for field, spec in shape.get("properties", {}).items()
        if not spec.get("readOnly")
    ]
    return list(content), fields


def operations(schema: dict) -> list[dict]:
    """Each endpoint and method with what it takes and answers, in the schema's order."""
    found = []
    for path, methods in schema.get("paths", {}).items():
        for method in METHODS:
            operation = methods.get(method)
            if operation is None:
                continue
            body_types, fields = body_fields(schema, operation)
            found.append(
                {
                    "body_types": body_types,
                    "fields": fields,
                    "id": operation.get("operationId", f"{method}-{path}"),
                    "method": method.upper(),
                    "path": path,
                    "description": operation.get("description", ""),
                    "parameters": [
                        {
                            "name": parameter["name"],
                            "where": parameter["in"],
                            "type": _type(parameter.get("schema", {})),
                            "required": parameter.get("required", False),
                            "description": parameter.get("description", ""),
                        }
                        for parameter in operation.get("parameters", [])
                    ],
                    "responses": sorted(operation.get("responses", {})),
                }
            )
    return found


@require_safe
def api_docs(request):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    context = {"info": schema["info"], "operations": operations(schema)}
    return render(request, "api/docs.html", context)
