"""Document control: review freshness, semantic diffs, version and approval rules, owners."""
