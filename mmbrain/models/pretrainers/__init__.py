from .brain_guided_pretrainer import BrainGuidedPretrainer

__all__ = ['BrainGuidedPretrainer']
