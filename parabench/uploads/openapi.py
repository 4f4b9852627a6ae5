"""The upload protocol as OpenAPI 3.1, served at /ParabenchUploader/services/openapi.json.

The export schema comes from the format's own pydantic models (one source of truth); the error
codes from the refusals table, so the description lists exactly what the service answers.
"""

from functools import cache

from parabench.uploads.refusals import REFUSALS
from parabench_format import FORMAT, Export


def _error_schema() -> dict:
    problem = {
        "type": "object",
        "required": ["path", "code", "message", "message_en"],
        "properties": {
            "path": {"type": "string", "examples": ["$.windows[2].patients.total"]},
            "code": {"type": "string"},
            "message": {"type": "string"},
            "message_en": {"type": "string"},
        },
    }
    return {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "message_en"],
                "properties": {
                    "code": {"type": "string", "enum": sorted(REFUSALS)},
                    "message": {"type": "string", "description": "Dutch, for people"},
                    "message_en": {"type": "string"},
                    "detail": {"type": "string"},
                    "problems": {"type": "array", "items": problem},
                },
            }
        },
    }


def _errors(*statuses: int) -> dict:
    responses = {}
    for status in statuses:
        codes = sorted(code for code, (s, _nl, _en) in REFUSALS.items() if s == status)
        responses[str(status)] = {
            "description": "Refused: " + ", ".join(codes),
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    return responses


_MOMENT = {"type": ["string", "null"], "format": "date-time"}


@cache
def openapi_document() -> dict:
    export_schema = Export.model_json_schema(
        mode="validation", ref_template="#/components/schemas/{model}"
    )
    schemas = export_schema.pop("$defs", {})
    schemas["Export"] = export_schema
    schemas["Error"] = _error_schema()
    schemas["Accepted"] = {
        "type": "object",
        "required": ["import_number", "status", "duplicate", "status_url"],
        "properties": {
            "import_number": {"type": "integer"},
            "status": {"type": "string", "enum": ["received", "importing", "imported", "rejected"]},
            "duplicate": {"type": "boolean"},
            "status_url": {"type": "string"},
        },
    }
    schemas["ImportStatus"] = {
        "type": "object",
        "required": ["import_number", "status", "uploaded_at", "imported_at", "warnings", "errors"],
        "properties": {
            "import_number": {"type": "integer"},
            "status": {"type": "string", "enum": ["received", "importing", "imported", "rejected"]},
            "uploaded_at": _MOMENT,
            "imported_at": _MOMENT,
            "period_begin": {"type": "string", "format": "date"},
            "period_end": {"type": "string", "format": "date"},
            "warnings": {"type": "array", "items": {"type": "object"}},
            "errors": {"type": "array", "items": {"type": "object"}},
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "ParaBench uploader",
            "version": "1",
            "description": f"Upload of {FORMAT} exports with a ParaBench client certificate "
            "(mutual TLS). See docs/upload-protocol.md.",
        },
        "servers": [{"url": "/ParabenchUploader/services"}],
        "paths": {
            "/exports": {
                "post": {
                    "operationId": "postExport",
                    "summary": "Deliver one export (one practice, one calendar year)",
                    "parameters": [
                        {
                            "name": "Content-Encoding",
                            "in": "header",
                            "required": False,
                            "schema": {"type": "string", "enum": ["gzip", "identity"]},
                        }
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Export"}}
                        },
                    },
                    "responses": {
                        "202": {
                            "description": "Stored durably; the import follows in the background",
                            "headers": {"Location": {"schema": {"type": "string"}}},
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Accepted"}
                                }
                            },
                        },
                        **_errors(401, 403, 404, 405, 413, 415, 422, 503),
                    },
                }
            },
            "/imports/{import_number}": {
                "get": {
                    "operationId": "getImport",
                    "summary": "Status of an earlier upload by the same practice",
                    "parameters": [
                        {
                            "name": "import_number",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer", "minimum": 1},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "The import's status",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/ImportStatus"}
                                }
                            },
                        },
                        **_errors(401, 403, 404, 405, 503),
                    },
                }
            },
            "/openapi.json": {
                "get": {
                    "operationId": "getOpenApi",
                    "summary": "This description",
                    "responses": {
                        "200": {
                            "description": "OpenAPI 3.1",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
        },
        "components": {"schemas": schemas},
    }
