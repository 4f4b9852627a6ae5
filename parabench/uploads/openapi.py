"""The upload protocol as OpenAPI 3.1, served at /ParabenchUploader/services/openapi.json.

The export schema comes from the format's own pydantic models (one source of truth); the error
codes from the refusals table, so the description lists exactly what the service answers.
"""

from functools import cache

from parabench.uploads.refusals import REFUSALS
from parabench_format import Export
from parabench_format.models import FORMATS
from parabench_format.schema import versioned


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
    """One response per status, listing every refusal code it carries with its English text."""
    responses = {}
    for status in statuses:
        codes = sorted(code for code, (s, _nl, _en) in REFUSALS.items() if s == status)
        responses[str(status)] = {
            "description": "Refused: "
            + "; ".join(f"`{code}` — {REFUSALS[code][2]}" for code in codes),
            "content": {
                "application/json": {
                    "schema": {"$ref": "#/components/schemas/Error"},
                    "examples": {
                        code: {"value": {"error": _example_error(code)}} for code in codes
                    },
                }
            },
        }
    return responses


def _example_error(code: str) -> dict:
    _status, message, message_en = REFUSALS[code]
    return {"code": code, "message": str(message), "message_en": message_en}


_MOMENT = {"type": ["string", "null"], "format": "date-time"}


@cache
def openapi_document() -> dict:
    export_schema = Export.model_json_schema(
        mode="validation", ref_template="#/components/schemas/{model}"
    )
    schemas = export_schema.pop("$defs", {})
    schemas["Export"] = versioned(export_schema, schemas)
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
    schemas["Validated"] = {
        "type": "object",
        "required": ["valid", "stored", "agb_code", "period_begin", "period_end", "warnings"],
        "properties": {
            "valid": {"const": True},
            "stored": {"const": False},
            "agb_code": {"type": "string"},
            "period_begin": {"type": "string", "format": "date"},
            "period_end": {"type": "string", "format": "date"},
            "warnings": {"type": "array", "items": {"type": "object"}},
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
            "description": f"Upload of {' or '.join(FORMATS)} exports with a ParaBench client "
            "certificate (mutual TLS). See docs/upload-protocol.md.",
        },
        "servers": [{"url": "/ParabenchUploader/services"}],
        # Every operation but this description needs the practice's client certificate (mutual
        # TLS); without one the answer is 401 certificate_required, with a wrong one 403.
        "security": [{"mutualTLS": []}],
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
                        **_errors(401, 403, 404, 405, 413, 415, 422, 500, 503),
                    },
                }
            },
            "/validate": {
                "post": {
                    "operationId": "validateExport",
                    "summary": "Check an export exactly as /exports would, and store nothing",
                    "description": "The same checks and refusals as POST /exports, including the "
                    "client certificate against the export's AGB code; success is 200 without an "
                    "import number. For vendors testing an exporter and for dry runs.",
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
                        "200": {
                            "description": "Valid, and from this certificate's practice",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Validated"}
                                }
                            },
                        },
                        **_errors(401, 403, 404, 405, 413, 415, 422, 500, 503),
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
                        **_errors(401, 403, 404, 405, 500, 503),
                    },
                }
            },
            "/openapi.json": {
                "get": {
                    "operationId": "getOpenApi",
                    "summary": "This description",
                    "security": [{}, {"mutualTLS": []}],
                    "responses": {
                        "200": {
                            "description": "OpenAPI 3.1",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
        },
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "mutualTLS": {
                    "type": "mutualTLS",
                    "description": "A client certificate issued by the ParaBench CA to the "
                    "practice (Profiel › Certificaat uitgeven); its subject carries the AGB code.",
                }
            },
        },
    }
