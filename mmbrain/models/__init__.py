from .backbones import *  # noqa: F401,F403
from .brain_encoders import *  # noqa: F401,F403
from .data_preprocessors import *  # noqa: F401,F403
from .heads import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .pretrainers import *  # noqa: F401,F403
from .readouts import *  # noqa: F401,F403
from .text_encoders import *  # noqa: F401,F403
