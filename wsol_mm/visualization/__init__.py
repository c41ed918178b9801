from .wsol_visualizer import (WSOLVisualizer, draw_box, draw_localization,
                              score_map_overlay)

__all__ = [
    'WSOLVisualizer', 'draw_localization', 'draw_box', 'score_map_overlay'
]
