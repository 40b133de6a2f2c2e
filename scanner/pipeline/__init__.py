"""The scan pipeline: content to findings (engine, routing), and the worker pools for files and blobs."""
