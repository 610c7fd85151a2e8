from django.test import Client

from xinfang.petitions import workflow

TAGS = {"信访登记", "待办", "事项", "办理流程", "文书"}


def test_docs_page_renders(db):
    response = Client().get("/api/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.content


def test_openapi_lists_every_route_with_tags_schemas_and_chinese_descriptions(db):
    schema = Client().get("/api/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/api/registrations",
        "/api/worklist",
        "/api/matters/{number}",
        "/api/documents/{document_id}.docx",
    ):
        assert path in paths
    actions = {p for p in paths if p.startswith("/api/matters/{number}/")}
    routes = {t.route for t in workflow.TRANSITIONS} | {t.request_route for t in workflow.requested_actions()}
    assert {f"/api/matters/{{number}}/{r}" for r in routes} | {"/api/matters/{number}/handler"} <= actions
    tags = {tag for item in paths.values() for op in item.values() for tag in op["tags"]}
    assert TAGS <= tags
    forward = paths["/api/matters/{number}/forward"]["post"]
    assert forward["summary"] == "转送" and "第二十二条" in forward["description"]
    assert "requestBody" in forward and "409" in forward["responses"]
    assert {"ApiTokenAuth", "SessionAuth"} <= set(schema["components"]["securitySchemes"])


def test_openapi_states_the_common_statuses_and_the_input_bounds(db):
    """What the contract test (test_contract_schemathesis.py) holds the API to: api/contract.py and schemas.py."""
    schema = Client().get("/api/openapi.json").json()
    for path, item in schema["paths"].items():
        for method, op in item.items():
            codes = set(op["responses"])
            if op.get("security"):
                assert "401" in codes, (method, path)
            if "requestBody" in op:
                assert {"400", "422"} <= codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            if method == "post":
                assert {"403", "409"} <= codes, (method, path)
    components = schema["components"]["schemas"]
    registration = components["RegistrationIn"]["properties"]
    assert registration["title"]["minLength"] == 1 and registration["title"]["maxLength"] == 200
    assert registration["petitioners"]["minItems"] == 1
    days = components["ExtensionRequestIn"]["properties"]["days"]
    assert (days["minimum"], days["maximum"]) == (1, 30)
    query = {p["name"]: p["schema"] for p in schema["paths"]["/api/worklist"]["get"]["parameters"]}
    assert (query["limit"]["minimum"], query["limit"]["maximum"]) == (1, 200)
    assert query["offset"]["minimum"] == 0 and query["offset"]["maximum"] >= 1000
