"""The OpenAPI document of /api/v1/: unique component names, every answer declared, nothing unused.

django-ninja builds one JSON schema per model and merges their definitions into ``components`` by name,
silently keeping the last of two different schemas that share a name. Here:

* a nested class is named by its qualified name, so ``Client.Kind`` is ``ClientKind`` and
  ``Segment.Kind`` is ``SegmentKind`` (pydantic would call both ``Kind``);
* two different definitions under one name are recorded in ``conflicts`` (a test keeps it empty);
* each operation declares the error answers it can give, all with the one ``ApiError`` body;
* components that no operation refers to (ninja's wrappers of query parameters) are dropped.
"""

from __future__ import annotations

import re
import sys
from http.client import responses as status_phrases
from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import REF_TEMPLATE, OpenAPISchema, flatten_properties
from ninja.schema import NinjaGenerateJsonSchema
from pydantic import BaseModel

from tandem.core.schemas import ApiError

ERROR_COMPONENT = "ApiError"

# What can go wrong, by the kind of operation (see README, "REST API conventions").
ERROR_DESCRIPTIONS = {
    400: "Invalid input: a parameter or a field has a wrong type or value, or a business rule refused it.",
    401: "Not authenticated: send `Authorization: Bearer <token>` or log in.",
    403: "Permission denied (or the CSRF check failed for a browser session).",
    404: "Not found, or not visible to you, or its module is switched off.",
    409: "Conflict with existing data or with the record's current state.",
    413: "The request body is too large.",
    422: "The request is well-formed but cannot be processed.",
}


def error_statuses(method: str, has_path_params: bool, has_query_params: bool) -> set[int]:
    """The error answers an operation of this shape can give."""
    method = method.upper()
    statuses = {401, 403}
    if method in ("POST", "PUT", "PATCH"):
        statuses |= {400, 404, 409, 413}
    elif method == "DELETE":
        statuses |= {404, 409}
    if has_path_params:
        statuses |= {400, 404}
    if has_query_params:
        statuses.add(400)
    return statuses


def _qualified_component(component: str) -> str:
    """'tandem.parties.models.Client.Kind:123' -> 'tandem.parties.models.ClientKind:123'."""
    path, sep, ident = component.rpartition(":")
    if not sep:
        path, ident = component, ""
    parts = path.split(".")
    for i in range(len(parts) - 1, 0, -1):
        if ".".join(parts[:i]) in sys.modules:
            qualname = "".join(p for p in parts[i:] if p != "<locals>")
            path = ".".join([*parts[:i], qualname])
            break
    return f"{path}{sep}{ident}"


def qualified_name(cls: type) -> str:
    """The component name of a class: its qualified name without dots (Client.Kind -> ClientKind)."""
    return "".join(p for p in cls.__qualname__.split(".") if p != "<locals>")


class TandemGenerateJsonSchema(NinjaGenerateJsonSchema):
    def get_defs_ref(self, core_mode_ref):
        core_ref, mode = core_mode_ref
        pieces = re.split(r"([\][,])", core_ref)
        return super().get_defs_ref(("".join(_qualified_component(p) for p in pieces), mode))

    def enum_schema(self, schema):
        result = super().enum_schema(schema)
        result["title"] = qualified_name(schema["cls"])
        return result


def _refs(node: Any, found: set[str]) -> set[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            found.add(ref.rsplit("/", 1)[-1])
        for value in node.values():
            _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)
    return found


class TandemOpenAPISchema(OpenAPISchema):
    def __init__(self, api: NinjaAPI, path_prefix: str) -> None:
        self.conflicts: list[str] = []
        super().__init__(api, path_prefix)
        self._add_error_component()
        self._drop_unreferenced_components()

    # --- the same as ninja's, with our schema generator ------------------------------------------------

    def _extract_parameters(self, model) -> list[dict]:
        schema = model.model_json_schema(ref_template=REF_TEMPLATE, schema_generator=TandemGenerateJsonSchema)
        required = set(schema.get("required", []))
        if "$defs" in schema:
            self.add_schema_definitions(schema["$defs"])
        result = []
        for name, details in schema["properties"].items():
            for p_name, p_schema, p_required in flatten_properties(
                name, details, name in required, schema.get("$defs", {})
            ):
                if not p_schema.get("include_in_schema", True):
                    continue
                param = {"in": model.__ninja_param_source__, "name": p_name, "schema": p_schema,
                         "required": p_required}
                for key in ("description", "deprecated"):
                    if key in p_schema:
                        param[key] = p_schema[key]
                result.append(param)
        return result

    def _create_schema_from_model(self, model, by_alias=True, remove_level=True, mode="validation"):
        if hasattr(model, "__ninja_flatten_map__"):
            schema = self._flatten_schema(model)
        else:
            schema = model.model_json_schema(ref_template=REF_TEMPLATE, by_alias=by_alias,
                                             schema_generator=TandemGenerateJsonSchema, mode=mode).copy()
        if schema.get("$defs"):
            self.add_schema_definitions(schema.pop("$defs"))
        if remove_level and len(schema["properties"]) == 1:
            name, details = next(iter(schema["properties"].items()))
            return details, name in schema.get("required", {})
        return schema, True

    def add_schema_definitions(self, definitions: dict) -> None:
        for name, definition in definitions.items():
            if "enum" in definition:
                definition["title"] = name
            known = self.schemas.get(name)
            if known is not None and known != definition and name not in self.conflicts:
                self.conflicts.append(name)
        super().add_schema_definitions(definitions)

    # --- error answers ---------------------------------------------------------------------------------

    def operation_details(self, operation) -> dict:
        result = super().operation_details(operation)
        params = result.get("parameters", [])
        has_path = any(p["in"] == "path" for p in params)
        has_query = any(p["in"] == "query" for p in params)
        declared = {int(code) for code in result["responses"]}
        extra = getattr(operation.view_func, "_tandem_error_statuses", set())
        statuses = set()
        for method in operation.methods:
            statuses |= error_statuses(method, has_path, has_query)
        if not operation.auth_callbacks:
            statuses -= {401, 403}
        for status in sorted((statuses | set(extra)) - declared):
            result["responses"][status] = {
                "description": ERROR_DESCRIPTIONS.get(status, status_phrases.get(status, "Error")),
                "content": {self.api.renderer.media_type: {"schema": {"$ref": REF_TEMPLATE.format(
                    model=ERROR_COMPONENT)}}},
            }
        result["responses"] = dict(sorted(result["responses"].items(), key=lambda item: int(item[0])))
        return result

    def _add_error_component(self) -> None:
        schema = ApiError.model_json_schema(ref_template=REF_TEMPLATE, schema_generator=TandemGenerateJsonSchema,
                                            mode="serialization")
        self.add_schema_definitions(schema.pop("$defs", {}))
        self.add_schema_definitions({ERROR_COMPONENT: schema})

    def _drop_unreferenced_components(self) -> None:
        used = _refs(self["paths"], set())
        pending = list(used)
        while pending:
            for name in _refs(self.schemas.get(pending.pop(), {}), set()):
                if name not in used:
                    used.add(name)
                    pending.append(name)
        for name in [n for n in self.schemas if n not in used]:
            del self.schemas[name]


def declares(*statuses: int):
    """Declare error answers an endpoint gives beyond those of its kind (e.g. 409 from a GET)."""
    def mark(view):
        view._tandem_error_statuses = set(statuses)
        return view
    return mark


class TandemNinjaAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        # The view's name (create_client, list_deals): what a generated client calls the method.
        return operation.view_func.__name__

    def get_openapi_schema(self, *, path_prefix=None, path_params=None) -> TandemOpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return TandemOpenAPISchema(self, path_prefix)


def operation_models(api: NinjaAPI) -> list[tuple[type[BaseModel], str]]:
    """The pydantic models of every operation (ninja's wrappers of its parameters, body and answers)."""
    found = []
    for router in api._get_bound_routers():
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                found += [(model, "validation") for model in operation.models]
                found += [(model, "serialization") for model in operation.response_models.values()
                          if isinstance(model, type) and issubclass(model, BaseModel)]
    return found


def model_component_conflicts(models: list[tuple[type[BaseModel], str]]) -> dict[str, list[dict]]:
    """Component names that two different definitions would share when these models' schemas are merged."""
    seen: dict[str, list[dict]] = {}
    for model, mode in models:
        schema = model.model_json_schema(ref_template=REF_TEMPLATE, schema_generator=TandemGenerateJsonSchema,
                                         mode=mode)
        for name, definition in schema.get("$defs", {}).items():
            variants = seen.setdefault(name, [])
            if definition not in variants:
                variants.append(definition)
    return {name: variants for name, variants in seen.items() if len(variants) > 1}
