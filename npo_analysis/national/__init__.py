"""The national layer of npo-analysis."""
