"""Model: the inert data every stage passes on (imports nothing above it)."""
