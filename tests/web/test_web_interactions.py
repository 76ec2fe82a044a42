"""ONC pairs through the REST API: the same interaction statements and `interactions` field."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.integration.test_interactions import names_both, onc_pairs


def test_onc_pairs_through_the_api(client: TestClient) -> None:
    for a, b in onc_pairs()[::115]:      # 10 pairs spread over the list
        r = client.post("/api/v1/answers", json={"question": f"{a} and {b} together?"})
        assert r.status_code == 200, r.text
        ans = r.json()
        refs = {x["n"]: x for x in ans["references"]}
        statements = [st for sec in ans["sections"] for st in sec["statements"]]
        assert any(st.get("severity") == "contraindicated" and names_both(st["text"], a, b)
                   and any(refs[n]["source_id"] == "onc:high-priority"
                           for n in st["citations"]) for st in statements), (a, b)
        assert ans["interactions"][0]["severity"] == "contraindicated"
