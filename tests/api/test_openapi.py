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
