"""Detection rules: load and validate them, cache them, check their examples, import gitleaks configs."""
