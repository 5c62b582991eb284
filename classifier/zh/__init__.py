"""The Chinese side: bge-small-zh-v1.5 encoder, falsehood head, training and serving.

`encoder` (Traditional -> Simplified, tokenise, int8 ONNX, pooled vectors), `head` (the shipped
logistic head, calibration and thresholds), `serving` (`ZhClassifier`, the `Classifier` for
Chinese posts), `data` and `train` (the Weibo sets; training reads a data directory, never at
run time).
"""
