"""``GET|PUT /api/v1/settings/preferences``: defaults, partial updates, validation, isolation."""

from __future__ import annotations

import pytest

URL = "/api/v1/settings/preferences"


def test_a_new_user_gets_the_defaults(client, account) -> None:
    body = client.get(URL, headers=account.headers).json()
    assert body == {
        "timezone": "UTC",
        "week_start": "monday",
        "weight_unit": "kg",
        "distance_unit": "km",
        "sleep_need_hours": 8.0,
        "sex": "unspecified",
        "birth_year": None,
        "resting_hr": 60,
        "resting_hr_origin": "default",
        "max_hr": 190,
        "max_hr_origin": "default",
        "hr_zones": None,
    }


def test_put_changes_only_the_fields_sent_and_null_resets(client, account) -> None:
    first = client.put(
        URL,
        headers=account.headers,
        json={"timezone": "America/Los_Angeles", "weight_unit": "lb", "sleep_need_hours": 7.5},
    )
    assert first.status_code == 200, first.text
    second = client.put(URL, headers=account.headers, json={"week_start": "sunday"}).json()
    assert second["timezone"] == "America/Los_Angeles"
    assert second["weight_unit"] == "lb"
    assert second["sleep_need_hours"] == 7.5
    assert second["week_start"] == "sunday"
    reset = client.put(URL, headers=account.headers, json={"timezone": None}).json()
    assert reset["timezone"] == "UTC"
    assert client.get(URL, headers=account.headers).json() == reset


def test_heart_rates_carry_their_origin(client, account) -> None:
    estimated = client.put(URL, headers=account.headers, json={"birth_year": 1986}).json()
    assert estimated["max_hr_origin"] == "estimated"
    from datetime import date

    assert estimated["max_hr"] == round(208 - 0.7 * (date.today().year - 1986))
    measured = client.put(
        URL, headers=account.headers, json={"max_hr": 187, "resting_hr": 48}
    ).json()
    assert (measured["max_hr"], measured["max_hr_origin"]) == (187, "measured")
    assert (measured["resting_hr"], measured["resting_hr_origin"]) == (48, "measured")
    guessed = client.put(
        URL, headers=account.headers, json={"max_hr": 185, "max_hr_origin": "estimated"}
    ).json()
    assert (guessed["max_hr"], guessed["max_hr_origin"]) == (185, "estimated")
    cleared = client.put(URL, headers=account.headers, json={"max_hr": None}).json()
    assert cleared["max_hr_origin"] == "estimated"  # back to the birth-year estimate


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"timezone": "utc+2"}, "timezone"),
        ({"week_start": "friday"}, "week_start"),
        ({"weight_unit": "stone"}, "weight_unit"),
        ({"distance_unit": "nmi"}, "distance_unit"),
        ({"sleep_need_hours": 30}, "sleep_need_hours"),
        ({"sex": "x"}, "sex"),
        ({"birth_year": 1500}, "birth_year"),
        ({"max_hr": 400}, "max_hr"),
        ({"hr_zones": [100, 120, 140, 160]}, "hr_zones"),
        ({"hr_zones": [100, 130, 120, 160, 170]}, "hr_zones"),
        ({"max_hr_origin": "measured"}, None),
        ({"colour": "teal"}, "colour"),
    ],
)
def test_bad_values_are_422_and_change_nothing(client, account, body, field) -> None:
    before = client.get(URL, headers=account.headers).json()
    response = client.put(URL, headers=account.headers, json=body)
    assert response.status_code == 422, response.text
    if field:
        assert field in response.text
    assert client.get(URL, headers=account.headers).json() == before


def test_max_hr_must_sit_above_resting_hr(client, account) -> None:
    client.put(URL, headers=account.headers, json={"resting_hr": 110})
    response = client.put(URL, headers=account.headers, json={"max_hr": 120})
    assert response.status_code == 422
    assert "resting heart rate" in response.text
    assert client.get(URL, headers=account.headers).json()["max_hr"] == 190


def test_preferences_are_per_user_and_need_a_token(client, make_account) -> None:
    alice, bob = make_account(), make_account()
    client.put(URL, headers=alice.headers, json={"timezone": "Asia/Tokyo"})
    assert client.get(URL, headers=bob.headers).json()["timezone"] == "UTC"
    assert client.get(URL).status_code == 401
    assert client.put(URL, json={"timezone": "UTC"}).status_code == 401
