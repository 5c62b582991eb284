"""What the product runs to score posts: the ONNX falsehood classifier and its loader, the
language router, sentence encoders, input hygiene, reasons and the runtime's thread sizing."""
