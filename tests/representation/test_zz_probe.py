from tests.performance.test_query_counts import counted
from tests.conftest import login
from tests.representation.dashboard_fixtures import skewed_space
from app.representation import services

def test_probe(make, db, client):
    space = skewed_space(make, db)
    services.set_targets(db.session, space, "residency", {"resident": 0.9, "relationship": 0.05, "dual_region": 0.02, "commuter": 0.02, "other": 0.01})
    services.set_targets(db.session, space, "sector", {"none": 0.5, "industry": 0.3, "government": 0.2})
    db.session.commit()
    f = make.user(roles=(f"facilitator:{space.id}",))
    login(client, f.email)
    url = f"/spaces/{space.slug}/representation/"
    client.get(url)
    with counted() as st:
        r = client.get(url)
    assert r.status_code == 200
    for s in st:
        print("----", " ".join(s.split())[:300])
    print("TOTAL", len(st))
