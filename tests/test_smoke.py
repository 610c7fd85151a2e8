def test_login_page_served(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_api_docs_served(client):
    response = client.get("/api/docs")
    assert response.status_code == 200


def test_worklist_requires_login(client):
    response = client.get("/casework/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
