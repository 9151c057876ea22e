"""Reporters: pure functions from a governance result to text, one per output format."""
