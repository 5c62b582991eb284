"""Fine-tuning the claim matcher's two models on CPU (torch), from the packaged MiniLM.

Bi-encoder: contrastive loss with in-batch negatives plus one hard negative per query
(MultipleNegativesRankingLoss-style, cosine / temperature). Other rows of the batch that are
also relevant to a query are masked out, so a claim shared by two tweets is not a negative.
Cross-encoder: the same backbone with a one-logit head, trained listwise: softmax cross-entropy
over one positive and `negatives_per_query` hard negatives sampled afresh each epoch from the
query's pool, plus a pointwise binary cross-entropy term (`bce_weight`) that keeps
sigmoid(logit) readable as P(match) for thresholds. On held-out train the listwise recipe beat
pointwise BCE alone (CE-only MAP@5 0.824 vs 0.775; fused 0.896 vs 0.892).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_TOKENS = 128
Progress = Callable[[str, int, int, float], None]  # stage, step, steps, loss


@dataclass(frozen=True)
class TrainQuery:
    text: str  # cleaned tweet
    positives: tuple[str, ...]  # claim ids
    hard_negatives: tuple[str, ...]  # claim ids ranked high by a retriever, not relevant


@dataclass(frozen=True)
class BiEncoderRecipe:
    """Bi-encoder training: `batch_size` queries per step (each one the others' negatives),
    cosine similarities divided by `temperature`, linear warm-up over the first `warmup` share."""

    epochs: int = 3
    lr: float = 3e-5
    batch_size: int = 32
    temperature: float = 0.05
    warmup: float = 0.1
    seed: int = 13


@dataclass(frozen=True)
class CrossEncoderRecipe:
    """Cross-encoder training: listwise over one positive and `negatives_per_query` sampled hard
    negatives per query, plus `bce_weight` of pointwise BCE (see the module docstring)."""

    epochs: int = 2
    lr: float = 3e-5
    queries_per_step: int = 2  # each brings 1 positive + negatives_per_query pairs
    negatives_per_query: int = 9
    pool: int = 40  # negatives are sampled from the first `pool` of a query's hard negatives
    bce_weight: float = 0.5
    warmup: float = 0.1
    seed: int = 13


def _schedule(optimizer: Any, steps: int, warmup: float) -> Any:
    from torch.optim.lr_scheduler import LambdaLR

    warm = max(1, int(steps * warmup))
    return LambdaLR(
        optimizer, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm)))
    )


def _mean_pool(hidden: Any, mask: Any) -> Any:
    import torch

    weights = mask.unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
    return torch.nn.functional.normalize(pooled, dim=-1)


def train_bi_encoder(
    base_dir: Path,
    queries: Sequence[TrainQuery],
    claim_texts: Callable[[str, random.Random], str],
    out_dir: Path,
    recipe: BiEncoderRecipe,
    progress: Progress | None = None,
    on_epoch: Callable[[int, Path], None] | None = None,
) -> Path:
    """Fine-tune the whole encoder; saves (model, tokenizer) to out_dir after every epoch.

    `claim_texts(claim_id, rng)` picks the text variant shown for a claim (vclaim or
    "title: vclaim"), so the model learns both."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    from classifier.training.train import optimizer_step, seed_everything

    seed_everything(recipe.seed)
    rng = random.Random(recipe.seed)
    tokenizer = AutoTokenizer.from_pretrained(str(base_dir), local_files_only=True)
    model = AutoModel.from_pretrained(str(base_dir), local_files_only=True)
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=recipe.lr, weight_decay=0.01)
    per_epoch = (len(queries) + recipe.batch_size - 1) // recipe.batch_size
    scheduler = _schedule(optimizer, per_epoch * recipe.epochs, recipe.warmup)

    def encode(texts: list[str]) -> Any:
        batch = tokenizer(
            texts, padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt"
        )
        return _mean_pool(model(**batch).last_hidden_state, batch["attention_mask"])

    step = 0
    for epoch in range(recipe.epochs):
        order = list(queries)
        rng.shuffle(order)
        for start in range(0, len(order), recipe.batch_size):
            batch = order[start : start + recipe.batch_size]
            positive_ids = [rng.choice(q.positives) for q in batch]
            negative_ids = [
                rng.choice(q.hard_negatives) if q.hard_negatives else None for q in batch
            ]
            doc_ids = positive_ids + [n for n in negative_ids if n is not None]
            q_vec = encode([q.text for q in batch])
            d_vec = encode([claim_texts(cid, rng) for cid in doc_ids])
            logits = q_vec @ d_vec.T / recipe.temperature
            mask = torch.tensor(
                [
                    [j != i and doc_ids[j] in q.positives for j in range(len(doc_ids))]
                    for i, q in enumerate(batch)
                ]
            )
            logits = logits.masked_fill(mask, float("-inf"))
            loss = torch.nn.functional.cross_entropy(logits, torch.arange(len(batch)))
            optimizer_step(model, optimizer, scheduler, loss)
            step += 1
            if progress:
                progress("bi-encoder", step, per_epoch * recipe.epochs, float(loss.detach()))
        epoch_dir = out_dir / f"epoch-{epoch + 1}"
        model.save_pretrained(str(epoch_dir))
        tokenizer.save_pretrained(str(epoch_dir))
        if on_epoch:
            model.eval()
            on_epoch(epoch + 1, epoch_dir)
            model.train()
    return out_dir / f"epoch-{recipe.epochs}"


def cross_encoder_groups(
    queries: Sequence[TrainQuery], recipe: CrossEncoderRecipe, rng: random.Random
) -> list[tuple[int, list[str]]]:
    """One epoch: (query index, [positive, negatives...]) in a shuffled order."""
    groups: list[tuple[int, list[str]]] = []
    for i, q in enumerate(queries):
        pool = list(q.hard_negatives[: recipe.pool])
        negatives = rng.sample(pool, min(recipe.negatives_per_query, len(pool)))
        groups.append((i, [rng.choice(q.positives), *negatives]))
    rng.shuffle(groups)
    return groups


def train_cross_encoder(
    base_dir: Path,
    queries: Sequence[TrainQuery],
    claim_text: Callable[[str], str],
    out_dir: Path,
    recipe: CrossEncoderRecipe,
    progress: Progress | None = None,
) -> Path:
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from classifier.training.train import optimizer_step, seed_everything

    seed_everything(recipe.seed)
    rng = random.Random(recipe.seed)
    tokenizer = AutoTokenizer.from_pretrained(str(base_dir), local_files_only=True)
    model = AutoModelForSequenceClassification.from_pretrained(
        str(base_dir), num_labels=1, local_files_only=True
    )
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=recipe.lr, weight_decay=0.01)
    per_epoch = (len(queries) + recipe.queries_per_step - 1) // recipe.queries_per_step
    total = per_epoch * recipe.epochs
    scheduler = _schedule(optimizer, total, recipe.warmup)
    step = 0
    for _ in range(recipe.epochs):
        groups = cross_encoder_groups(queries, recipe, rng)
        for start in range(0, len(groups), recipe.queries_per_step):
            chunk = groups[start : start + recipe.queries_per_step]
            pairs = [(queries[i].text, claim_text(cid)) for i, ids in chunk for cid in ids]
            batch = tokenizer(
                [q for q, _ in pairs],
                [c for _, c in pairs],
                padding=True,
                truncation=True,
                max_length=MAX_TOKENS * 2,
                return_tensors="pt",
            )
            logits = model(**batch).logits.squeeze(-1)
            sizes = [len(ids) for _, ids in chunk]
            listwise = torch.stack(
                [
                    torch.nn.functional.cross_entropy(g.unsqueeze(0), torch.zeros(1).long())
                    for g in torch.split(logits, sizes)
                ]
            ).mean()
            labels = torch.cat([torch.eye(1, n).squeeze(0) for n in sizes])
            pointwise = torch.nn.functional.binary_cross_entropy_with_logits(logits, labels)
            loss = listwise + recipe.bce_weight * pointwise
            optimizer_step(model, optimizer, scheduler, loss)
            step += 1
            if progress:
                progress("cross-encoder", step, total, float(loss.detach()))
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(out_dir))
    tokenizer.save_pretrained(str(out_dir))
    return out_dir
