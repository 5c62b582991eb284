"""Aggregations.counted: what both log stores (database and Elasticsearch) report as automated."""

from audit.schemas import Aggregations, Bucket


def test_automated_is_the_system_bucket_and_human_the_rest_of_the_total() -> None:
    by_actor = [Bucket(key="system", count=3), Bucket(key="reviewer", count=2)]
    aggs = Aggregations.counted(9, [Bucket(key="x", count=9)], [], by_actor)
    assert (aggs.total, aggs.automated, aggs.human) == (9, 3, 6)
    assert aggs.by_actor_type == by_actor


def test_no_system_bucket_means_nothing_automated() -> None:
    aggs = Aggregations.counted(4, [], [], [Bucket(key="api_key", count=4)])
    assert (aggs.automated, aggs.human) == (0, 4)
