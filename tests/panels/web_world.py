"""A space with a census and a pool of volunteers, for the panel service, view and browser tests."""
from __future__ import annotations

from datetime import date

from app.panels import services
from app.representation import population
from app.representation.population_files import PopulationRecord

BANDS = ((0, 17, 3000), (18, 29, 1200), (30, 39, 1000), (40, 49, 1300), (50, 59, 1400),
         (60, 69, 1500), (70, 79, 1300), (80, None, 800))


def census(session, code: str = "01100") -> None:
    records = [PopulationRecord(code, sex, low, high, count)
               for sex in ("male", "female") for low, high, count in BANDS]
    population.import_population(session, key=f"panel-census-{code}", kind="census",
                                 title="Panel census", reference_date=date(2020, 10, 1),
                                 licence="test", attribution="test", records=records)
    session.commit()


def pool(make, call, n: int, *, start_year: int = 1940):
    """n volunteers spread over ages and both genders, all consenting."""
    people = []
    for i in range(n):
        user = make.user(birth_year=start_year + (i * 7) % 60,
                         gender=("female", "male")[i % 2], sector="none")
        services.volunteer(make.session, call, user, consent_contact=True)
        people.append(user)
    make.session.commit()
    return people
