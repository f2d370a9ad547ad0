"""The domain layer of npo-analysis."""
