"""Making and measuring models: fine-tuning, export to int8 ONNX, thresholds and calibration
layers, model cards, and the cross-set evaluation. Serving (the rest of `classifier/`) never
imports this at request time."""
