"""Matching: prefilter, rule regexes on windows, entropy, validators, decoders. Pure: bytes in, matches out."""
