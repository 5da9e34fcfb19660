"""Collect: a live exception becomes a :class:`~paste_exc.model.report.CollectedException`."""
