from __future__ import annotations


def test_health(client):
    assert client.get("/health").json() == {
        "status": "ok",
        "version": "0.1.0",
        "workers": 2,
        "sandbox": "docker",
    }


def test_docs_and_openapi_are_served(client):
    assert client.get("/docs").status_code == 200
    spec = client.get("/openapi.json").json()
    operations = {op["operationId"] for path in spec["paths"].values() for op in path.values()}
    assert {"score", "accuracy", "health"} <= operations
