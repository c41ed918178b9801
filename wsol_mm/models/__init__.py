from .backbones import *  # noqa: F401,F403
from .data_preprocessors import *  # noqa: F401,F403
from .heads import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .necks import *  # noqa: F401,F403
from .tta import *  # noqa: F401,F403
from .utils import *  # noqa: F401,F403
from .wsol import *  # noqa: F401,F403
