"""A space's own categories: rename, reorder, add, delete (never one in use, never the last)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.common.errors import DomainError
from app.proposals import services
from app.proposals.models import ProposalCategory
from tests.proposals.helpers import published, url
from tests.people import client_for


def test_settings_page_lists_the_pillars(app, world, db):
    page = client_for(app, world, "facilitator").get(url(world.space, "settings"))
    assert page.status_code == 200
    assert "広域リージョン連携" in page.text and 'name="support_threshold"' in page.text


def test_add_rename_reorder(app, world, db):
    client = client_for(app, world, "facilitator")
    response = client.post(url(world.space, "settings/categories"),
                           data={"new-name_ja": "観光", "new-name_en": "Tourism"})
    assert response.status_code == 303
    categories = services.list_categories(db.session, world.space)
    assert categories[-1].name("en") == "Tourism" and categories[-1].position == 5
    tourism = categories[-1]
    response = client.post(url(world.space, f"settings/categories/{tourism.id}"),
                           data={f"c{tourism.id}-name_ja": "観光と交流",
                                 f"c{tourism.id}-name_en": "", f"c{tourism.id}-position": "0"})
    assert response.status_code == 303
    db.session.expire_all()
    first = services.list_categories(db.session, world.space)
    # Position 0, after the first pillar that also has position 0 (ties go by age).
    assert [c.id for c in first][:2] == [categories[0].id, tourism.id]
    assert db.session.get(ProposalCategory, tourism.id).name("en") == "観光と交流"


@pytest.mark.parametrize("data,message", [
    ({"new-name_ja": ""}, "Enter a name of at most 100 characters."),
    ({"new-name_ja": "あ" * 101}, "Enter a name of at most 100 characters."),
    ({"new-name_ja": "広域リージョン連携"}, "already has a category with this name"),
    ({"new-name_ja": "観光", "new-name_en": "x" * 101}, "Enter a name of at most 100 characters."),
])
def test_bad_category_input(app, world, db, data, message):
    services.list_categories(db.session, world.space)
    db.session.commit()
    response = client_for(app, world, "facilitator").post(url(world.space, "settings/categories"),
                                                          data=data)
    assert response.status_code == 422 and message in response.text
    assert db.session.scalar(select(func.count()).select_from(ProposalCategory)) == 5


def test_category_in_use_or_last_cannot_be_deleted(app, world, db):
    categories = services.list_categories(db.session, world.space)
    published(db, world.space, world.author, category=categories[0])
    client = client_for(app, world, "facilitator")
    response = client.post(url(world.space, f"settings/categories/{categories[0].id}/delete"),
                           data={"confirm": "yes"})
    assert "1 proposals use this category" in client.get(response.headers["Location"]).text
    # Without the confirmation box nothing happens.
    client.post(url(world.space, f"settings/categories/{categories[1].id}/delete"))
    assert db.session.scalar(select(func.count()).select_from(ProposalCategory)) == 5
    for category in categories[1:]:
        client.post(url(world.space, f"settings/categories/{category.id}/delete"),
                    data={"confirm": "yes"})
    assert [c.id for c in services.list_categories(db.session, world.space)] == [categories[0].id]
    with pytest.raises(DomainError):
        services.delete_category(db.session, categories[0])


def test_each_space_has_its_own_categories(app, world, db):
    ours = services.list_categories(db.session, world.space)
    theirs = services.list_categories(db.session, world.other_space)
    assert not {c.id for c in ours} & {c.id for c in theirs}
    services.add_category(db.session, world.space, name_ja="除雪")
    db.session.commit()
    assert "除雪" not in [c.name_ja for c in services.list_categories(db.session, world.other_space)]
