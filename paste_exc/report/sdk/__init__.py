"""Report: the SDK backends (Sentry, Raygun) and what they share."""
