"""The Elasticsearch kNN index gives the same neighbours as the in-process index."""

from __future__ import annotations

import numpy as np
import pytest
from elasticsearch import Elasticsearch

from claims.index import NumpyIndex
from claims.index_es import ElasticsearchIndex

pytestmark = pytest.mark.services


def test_elasticsearch_knn_agrees_with_numpy_index(elasticsearch_url: str, es_prefix: str) -> None:
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(40, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = [f"c{i}" for i in range(40)]
    client = Elasticsearch(elasticsearch_url, request_timeout=60)
    es_index = ElasticsearchIndex(client, es_prefix, 16)
    local = NumpyIndex(16)
    es_index.upsert(ids, vectors)
    local.upsert(ids, vectors)
    queries = vectors[:5] + 0.05 * rng.normal(size=(5, 16)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    for es_hits, np_hits in zip(es_index.search(queries, 3), local.search(queries, 3), strict=True):
        assert es_hits[0].claim_id == np_hits[0].claim_id
        assert {h.claim_id for h in es_hits} == {h.claim_id for h in np_hits}
        assert sorted(h.similarity for h in es_hits) == pytest.approx(
            sorted(h.similarity for h in np_hits), abs=1e-3
        )
    assert es_index.name == f"{es_prefix}-claims"
    assert len(es_index) == 40
    es_index.delete(["c0"])
    assert "c0" not in {h.claim_id for h in es_index.search(vectors[:1], 3)[0]}
    client.close()
