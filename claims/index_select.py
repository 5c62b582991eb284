"""Choosing the vector index from settings: Elasticsearch kNN when configured, else in-process."""

from __future__ import annotations

from claims.index import NumpyIndex, VectorIndex
from core.settings import Settings


def make_index(settings: Settings, dimensions: int) -> VectorIndex:
    es = settings.elasticsearch
    if not es.hosts:
        return NumpyIndex(dimensions)
    from audit.es_store import make_client
    from claims.index_es import ElasticsearchIndex

    return ElasticsearchIndex(
        make_client(es.hosts, es.request_timeout), es.index_prefix, dimensions
    )
