"""Matplotlib figures as PNG for the HTML reports (the feedback page's pictures, the class
dashboard's charts): drawn on the Agg canvas (no pyplot, no display)."""

from __future__ import annotations

import base64
import io


def png_base64(figure) -> str:
    """A matplotlib ``Figure`` as base64-encoded PNG bytes (ASCII text), 100 dpi, cropped to what
    is drawn, without the matplotlib version in its metadata (the same figure gives the same text)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight", metadata={"Software": None})
    return base64.b64encode(buffer.getvalue()).decode("ascii")
