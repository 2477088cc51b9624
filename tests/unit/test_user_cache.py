"""``PerUserCache`` holds at most ``max_users`` entries, dropping the least recently used: the
soak (``bench/soak.py``) found its memory flat over 10 000 requests because of that bound."""

from __future__ import annotations

from datetime import date

from cadence.services.user_cache import PerUserCache

DAY = date(2026, 12, 2)


def test_the_cache_never_holds_more_than_max_users_and_drops_the_least_recent() -> None:
    cache: PerUserCache[int] = PerUserCache(max_users=3, max_age_s=600, version=lambda **_: "v1")
    computed: list[int] = []

    def get(user_id: int) -> int:
        def compute() -> int:
            computed.append(user_id)
            return user_id * 10

        return cache.get_or_compute(session=None, user_id=user_id, day=DAY, compute=compute)

    for user_id in range(3):
        get(user_id)
    assert get(0) == 0  # a hit, and user 0 is now the most recent
    for user_id in range(3, 50):
        get(user_id)
        get(0)
        assert len(cache._entries) <= cache.max_users
    assert computed.count(0) == 1  # kept all along: used after every other user
    computed.clear()
    get(48), get(49)
    assert computed == []  # the two most recent others are kept
    get(1)
    assert computed == [1]  # dropped long ago
