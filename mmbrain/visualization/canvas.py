from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


def agg_figure(**kwargs) -> Figure:
    """A matplotlib ``Figure(**kwargs)`` on its own Agg canvas: no pyplot
    state and no backend switch for whoever imports the drawing code."""
    fig = Figure(**kwargs)
    FigureCanvasAgg(fig)
    return fig
