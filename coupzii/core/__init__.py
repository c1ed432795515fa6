"""Shared helpers every app may use: money, errors, base models, encryption, Redis, logging."""
