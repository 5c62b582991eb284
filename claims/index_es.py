"""Claim vectors in Elasticsearch: a `dense_vector` index (`<prefix>-claims`) searched with kNN."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from elasticsearch import Elasticsearch, helpers

from claims.index import Hit
from classifier.serving.embeddings import Vectors


class ElasticsearchIndex:
    def __init__(self, client: Elasticsearch, prefix: str, dimensions: int) -> None:
        self._client = client
        self.name = f"{prefix}-claims"
        self._dimensions = dimensions

    def ensure(self) -> None:
        if self._client.indices.exists(index=self.name):
            return
        self._client.options(ignore_status=400).indices.create(
            index=self.name,
            mappings={
                "dynamic": "strict",
                "properties": {
                    "claim_id": {"type": "keyword"},
                    "vector": {
                        "type": "dense_vector",
                        "dims": self._dimensions,
                        "index": True,
                        "similarity": "dot_product",  # vectors are unit length
                        # exact float vectors: the library is small, precision matters more
                        "index_options": {"type": "hnsw"},
                    },
                },
            },
        )

    def upsert(self, ids: Sequence[str], vectors: Vectors) -> None:
        self.ensure()
        actions = (
            {"_index": self.name, "_id": cid, "_source": {"claim_id": cid, "vector": vec.tolist()}}
            for cid, vec in zip(ids, vectors, strict=True)
        )
        helpers.bulk(self._client, actions, refresh="wait_for")

    def delete(self, ids: Sequence[str]) -> None:
        actions = ({"_op_type": "delete", "_index": self.name, "_id": cid} for cid in ids)
        helpers.bulk(self._client, actions, refresh="wait_for", raise_on_error=False)

    def search(self, vectors: Vectors, k: int) -> list[list[Hit]]:
        """One `_msearch` round trip for the whole batch (intake matches 32 posts at a time)."""
        if len(vectors) == 0:
            return []
        self.ensure()
        searches: list[dict[str, Any]] = []
        for vec in vectors:
            searches.append({"index": self.name})
            searches.append(
                {
                    "knn": {
                        "field": "vector",
                        "query_vector": vec.tolist(),
                        "k": k,
                        "num_candidates": max(100, 4 * k),
                    },
                    "_source": ["claim_id"],
                    "size": k,
                }
            )
        response: Any = self._client.msearch(searches=searches)
        results: list[list[Hit]] = []
        for item in response["responses"]:
            if "error" in item:
                raise RuntimeError(f"claim kNN search failed: {item['error']}")
            # dot_product scores are (1 + cosine) / 2; turn them back into cosine.
            results.append(
                [
                    Hit(str(h["_source"]["claim_id"]), 2.0 * float(h["_score"]) - 1.0)
                    for h in item["hits"]["hits"]
                ]
            )
        return results

    def __len__(self) -> int:
        if not self._client.indices.exists(index=self.name):
            return 0
        self._client.indices.refresh(index=self.name)
        return int(self._client.count(index=self.name)["count"])
