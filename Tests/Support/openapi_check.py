"""Independent checks of an OpenAPI document, for the Swift tests.

    python3 openapi_check.py spec DOCUMENT.json
        validates the document with openapi-spec-validator (OpenAPI 3.1); exit 0 when valid.

    python3 openapi_check.py responses DOCUMENT.json < CASES.json
        CASES is a list of {"path": "/api/notes/{id}", "method": "get", "status": 200, "body": <JSON>}; each body is
        validated with jsonschema (draft 2020-12) against the schema the document gives for that response, $refs resolved
        in the document. Prints one line per case, "ok" or the first error; exit 0 when all are ok.
"""
import json
import sys


def spec(path):
    from openapi_spec_validator import validate
    from openapi_spec_validator.readers import read_from_filename

    document, _ = read_from_filename(path)
    validate(document)
    print("valid")


def responses(path):
    import jsonschema
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    with open(path) as handle:
        document = json.load(handle)
    registry = Registry().with_resource("urn:document", Resource(contents=document, specification=DRAFT202012))
    failed = False
    for case in json.load(sys.stdin):
        status = str(case["status"])
        responses = document["paths"][case["path"]][case["method"]]["responses"]
        if status not in responses:
            print(f"{case['method']} {case['path']} {status}: not documented")
            failed = True
            continue
        pointer = "/".join(
            part.replace("~", "~0").replace("/", "~1")
            for part in ["paths", case["path"], case["method"], "responses", status, "content", "application/json", "schema"]
        )
        validator = jsonschema.Draft202012Validator(
            {"$ref": f"urn:document#/{pointer}"}, registry=registry, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
        )
        errors = sorted(validator.iter_errors(case["body"]), key=lambda error: list(error.path))
        if errors:
            print(f"{case['method']} {case['path']} {status}: {errors[0].message} at {list(errors[0].path)}")
            failed = True
        else:
            print("ok")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    {"spec": spec, "responses": responses}[sys.argv[1]](sys.argv[2])
