"""Report: a collected exception reaches its destinations (dispatch, delivery, flood control)."""
